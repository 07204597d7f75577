"""scenetui: AI script -> one generated video per scene -> the final film, from a terminal."""

__version__ = "0.1.0"
