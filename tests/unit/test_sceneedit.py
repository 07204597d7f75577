"""The editor's draft: every text survives the round trip unchanged, and only real changes are saved."""

from __future__ import annotations

import pytest

from scenetui.domain.script import AIScript
from scenetui.script.scene_draft import draft_text, read_draft

HARD = ['plain', 'with "quotes" and \\backslashes\\', 'two\nlines', 'ends with a quote"', 'tab\there',
        'unicode — “curly” ✓', '"""triple"""', 'trailing newline\n', '[/bold] [beat] markup-like',
        'two lines\nending in a quote"', 'a\n""', 'a\n""""', 'cr\r\nlf', '\n\nleading newlines', 'bell \x07\nnext']


def script_with(text: str) -> AIScript:
    return AIScript.model_validate({"id": "s", "title": "T", "characters": [{"name": "Mara"}], "scenes": [
        {"title": text, "description": text, "visualDescription": text, "camera": "push_in", "characters": ["Mara"],
         "startKeyframe": "a.png", "endKeyframe": "b.png"}]})


@pytest.mark.parametrize("text", HARD)
def test_an_untouched_draft_changes_nothing(text: str) -> None:
    script = script_with(text)
    outcome = read_draft(script, 0, draft_text(script, 0))
    assert outcome.ok and outcome.changes == {}, outcome


def test_only_the_changed_fields_are_saved_and_camera_can_be_cleared() -> None:
    script = script_with("x y z")
    text = draft_text(script, 0).replace('camera = "push_in"', 'camera = ""').replace(
        'visualDescription = "x y z"', 'visualDescription = "a new view"')
    outcome = read_draft(script, 0, text)
    assert outcome.ok and outcome.changes == {"camera": None, "visualDescription": "a new view"}
    assert "a new view" in outcome.prompt


def test_an_unknown_character_is_a_warning_not_a_refusal() -> None:
    script = script_with("x y z")
    outcome = read_draft(script, 0, draft_text(script, 0).replace('["Mara"]', '["Mara", "Ghost"]'))
    assert outcome.ok and outcome.changes == {"characters": ["Mara", "Ghost"]}
    assert any("Ghost" in str(p) and p.severity == "warning" for p in outcome.problems)
