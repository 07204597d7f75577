"""Luma's picture models by family, apart from the makers so the command line can name them without loading those."""

from __future__ import annotations

UNI_MODELS = ("uni-1", "uni-1-max")
PHOTON_MODELS = ("photon-1", "photon-flash-1")
PICTURE_MODELS = PHOTON_MODELS + UNI_MODELS
