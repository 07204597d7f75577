"""Luma's current API's failure codes in plain words, with what to change and whether a new create may help."""

from __future__ import annotations

from scenetui.backends.luma.failures import Explained

_CODES: dict[str, Explained] = {
    "content_moderated": Explained(
        "Luma's moderation rejected the scene", "reword the scene's description or the style, or change its keyframes", False),
    "generation_failed": Explained("Luma's generation failed on their side", "this is usually temporary", True),
    "output_not_found": Explained("Luma finished but lost the clip", "this is usually temporary", True),
    "budget_exhausted": Explained("the Luma account's budget is used up", "add funds or raise the budget at Luma", False),
    "image_too_large": Explained("a keyframe is too large for Luma", "send a smaller picture (a JPEG under 10 MB)", False),
    "unsupported_format": Explained("Luma cannot read a keyframe's format", "convert the keyframes to PNG or JPEG", False),
    "corrupt_input": Explained("Luma found a keyframe damaged", "save the keyframe again and re-run", False),
    "invalid_request": Explained("Luma refused the request", "check the script's video settings", False),
    "rate_limited": Explained("Luma's limits stopped the job", "run again later", True),
}


def explain_code(code: str | None, reason: str | None) -> Explained:
    """Plain words for a failed generation; an unknown code is passed through and not retried."""
    known = _CODES.get(code or "")
    said = f" ({reason[:200]})" if reason else ""
    if known:
        return Explained(known.message + said, known.hint, known.retryable)
    return Explained(f"Luma reported the generation failed: {code or 'no code'}{said}",
                     "check the scene's prompt and keyframes, then retry", False)


def explain_refusal(status: int | None, detail: str | None) -> Explained:
    """A create Luma refused outright (4xx): nothing was accepted."""
    text = (detail or "request refused")[:300]
    if status == 402:
        return Explained(f"the Luma balance is too low ({text})", "add funds to the Luma account; nothing was paid", False)
    if status == 413:
        return Explained(f"Luma refused a keyframe as too large ({text})", "send smaller keyframes (JPEG)", False)
    return Explained(f"Luma refused the request: {text}", "check the script's video settings and keyframes", False)
