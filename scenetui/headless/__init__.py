"""Rendering engine events on a plain terminal, a pipe or as JSON lines."""
