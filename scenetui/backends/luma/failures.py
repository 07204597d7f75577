"""Luma's failure reasons in plain words, with what to change, and whether trying again can help."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Explained:
    message: str
    hint: str
    retryable: bool


_KNOWN: dict[str, Explained] = {
    "failed to read user input frames": Explained(
        "Luma could not download the keyframe images",
        "make sure each keyframe URL opens in a private browser window (no login, no hotlink protection), "
        "is a JPEG or PNG under 10 MB, and stays valid for an hour", False),
    "frame moderation failed": Explained(
        "Luma's moderation rejected a keyframe image",
        "change the start or end keyframe of this scene; the generation was refunded", False),
    "advanced prompt moderation failed": Explained(
        "Luma's moderation rejected the prompt",
        "reword the scene's description, visual description or the style; the generation was refunded", False),
    "contains blacklisted words": Explained(
        "the prompt contains words Luma does not allow",
        "reword the scene's description or the style; the generation was refunded", False),
    "job failed": Explained(
        "Luma's job failed on their side", "this is usually temporary; it was refunded and can be retried", True),
    "error dispatching job": Explained(
        "Luma could not start the job", "this is usually temporary; it was refunded and can be retried", True),
}


def explain_failure(reason: str | None) -> Explained:
    """Plain words for a generation's failure_reason; unknown reasons are passed through, not retried."""
    if not reason:
        return Explained("Luma reported the generation failed without a reason", "retry the scene later", True)
    known = _KNOWN.get(reason.strip().rstrip(".").lower())
    if known:
        return known
    return Explained(f"Luma reported: {reason}", "check the scene's prompt and keyframes, then retry", False)


def explain_rejection(detail: str | None) -> Explained:
    """A 4xx on create: the request itself was refused; nothing was charged."""
    text = detail or "request refused"
    low = text.lower()
    if "insufficient" in low or "credit" in low:
        return Explained(f"Luma refused the request: {text}", "add credits to the Luma account", False)
    if "loop" in low:
        return Explained(f"Luma refused the request: {text}", "set video.loop to false for scenes with an end keyframe", False)
    if "prompt" in low:
        return Explained(f"Luma refused the request: {text}", "give the scene a visual description of 3..5000 characters", False)
    return Explained(f"Luma refused the request: {text}", "check the script's video settings and keyframes", False)
