"""Luma's current (Agents) API: Ray 3.2 video with keyframes sent inline or uploaded once, and no way to look up a lost create."""
