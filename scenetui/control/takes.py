"""Scenes' takes as `takes` and the app show them: each with its cost (from the journal) and whether the scene's
inputs changed since it was made."""

from __future__ import annotations

import dataclasses

from scenetui.domain.prompt import inputs_changed, stale_reasons
from scenetui.domain.script import draft_settings
from scenetui.domain.takes import TakeRow
from scenetui.engine.journal import Journal
from scenetui.engine.ports import ClipStore
from scenetui.script.fingerprints import scene_input_parts, scene_inputs
from scenetui.script.file import LoadedScript
from scenetui.storage.workspace import Workspace


def take_rows(store: ClipStore, workspace: Workspace, loaded: LoadedScript, indices: list[int]) -> dict[int, list[TakeRow]]:
    """Every take of these scenes, oldest first; the journal is read once for all their costs."""
    script_id = loaded.script.id
    journal = Journal.open_existing(workspace.journal_path)
    try:
        costs = {a.remote_id: a.cost_cents for a in journal.attempts(script_id) if a.remote_id} if journal else {}
    finally:
        if journal:
            journal.close()
    script = loaded.script
    # a draft is judged against the scene as a draft pass would make it now
    drafted = dataclasses.replace(loaded, script=script.model_copy(update={"video": draft_settings(script.video)}))
    out: dict[int, list[TakeRow]] = {}
    for index in indices:
        current = (scene_inputs(loaded, index), scene_input_parts(loaded, index))
        as_draft: tuple[str, dict[str, str]] | None = None
        out[index] = []
        for t in store.takes(script_id, index):
            m = t.metadata
            against = current
            if t.draft:
                as_draft = as_draft or (scene_inputs(drafted, index), scene_input_parts(drafted, index))
                against = as_draft
            stale = bool(m and m.inputs and inputs_changed(m.inputs, against[0]))
            why = tuple(stale_reasons(m.input_parts, against[1])) if stale and m else ()
            out[index].append(TakeRow(index, t.number, t.chosen, str(t.path), t.size, m and m.model, m and m.backend,
                                      m and m.resolution, m and m.duration, t.created_at, costs.get(t.remote_id),
                                      t.remote_id, stale, m and m.inputs, t.draft, t.approved, t.source, why,
                                      t.sound_of, t.sound_of is not None or bool(m and m.audio)))
    return out
