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


def test_the_last_resort_shows_one_redacted_line_and_logs_the_rest(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """An unexpected error in a command with no workspace (compress): no traceback on the screen (Python's own
    fallback printed one, unredacted), a key from the config file redacted there and in the log."""
    import logging

    from scenetui.cli import main as cli_main
    from scenetui.cli.common import settings

    key = "cfg-key-0123456789abcdef"
    config = tmp_path / "config.toml"
    config.write_text(f'luma_api_key = "{key}"\n')
    config.chmod(0o600)
    monkeypatch.setenv("SCENETUI_CONFIG", str(config))
    monkeypatch.delenv("LUMAAI_API_KEY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def explode(args: object) -> int:
        settings()
        raise RuntimeError(f"the server echoed {key} back\nand a second line")

    monkeypatch.setattr(cli_main, "_dispatch", explode)
    root = logging.getLogger("scenetui")
    saved = list(root.handlers)
    for h in saved:
        root.removeHandler(h)
    try:
        assert cli_main.main(["compress", str(tmp_path / "x.mp4")]) == 1
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()
        for h in saved:
            root.addHandler(h)
    err = capsys.readouterr().err
    assert key not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    log = (tmp_path / "state" / "scenetui" / "logs" / "scenetui.log").read_text()
    assert "Traceback" in log and key not in log and "«redacted»" in log
