"""Video generators behind the VideoBackend Protocol."""
