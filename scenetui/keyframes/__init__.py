"""Keyframes: what scenes lack and storyboard cards, pictures from files, clip frames and the bucket, and Luma Photon runs."""
