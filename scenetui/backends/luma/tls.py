"""One TLS context for every HTTP client: loading the CA bundle costs ~15 ms each time it is built."""

from __future__ import annotations

import functools
import ssl

import certifi


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verified default context (certifi's CA bundle, as httpx uses), built once per process."""
    return ssl.create_default_context(cafile=certifi.where())
