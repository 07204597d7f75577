"""ffmpeg and friends: locating binaries, probing and validating clips, images, assembly."""
