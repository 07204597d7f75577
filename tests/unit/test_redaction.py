from __future__ import annotations

import json
import logging
from pathlib import Path

from scenetui.logsetup import Redactor, setup_logging


def test_secret_and_bearer_tokens_never_reach_the_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "x.log"
    setup_logging(log, "DEBUG", ["luma-sk-1234567890"])
    logger = logging.getLogger("scenetui.test")
    logger.info("calling with key luma-sk-1234567890")
    logger.info("header Authorization: Bearer abc.def-ghi")
    logger.debug("event", extra={"event": {"key": "luma-sk-1234567890"}})
    text = log.read_text()
    assert "luma-sk-1234567890" not in text and "abc.def-ghi" not in text
    lines = [json.loads(x) for x in text.splitlines()]
    assert len(lines) == 3 and all("«redacted»" in str(x) for x in lines)


def test_redactor_leaves_other_text() -> None:
    assert Redactor(["s3cret"])("plain text") == "plain text"


def test_signed_url_signatures_and_private_keys_are_redacted() -> None:
    redact = Redactor([])
    url = "http://127.0.0.1:9/b/k.png?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=9f8e7d6c5b4a3210abcdef"
    out = redact(f"fetching {url}")
    assert "9f8e7d6c5b4a3210abcdef" not in out and "X-Goog-Algorithm=GOOG4-RSA-SHA256" in out
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in redact(json.dumps({"private_key": pem}))
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in redact(pem)
