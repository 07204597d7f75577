"""Text from scripts and servers, made safe to print (see domain.text)."""

from __future__ import annotations

from scenetui.domain.text import clean

__all__ = ["clean"]
