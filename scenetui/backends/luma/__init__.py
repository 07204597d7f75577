"""Luma Dream Machine (Ray 2) backend: a careful client that never pays twice for a scene."""
