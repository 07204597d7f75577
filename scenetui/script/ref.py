"""What a user names as a script: a file on disk, or a Firestore document (`firestore:SCRIPT_ID`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scenetui.errors import UserError

FIRESTORE_PREFIX = "firestore:"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class FirestoreRef:
    """The script document `scripts/{script_id}` in the configured Firebase project."""

    script_id: str

    def __str__(self) -> str:
        return f"{FIRESTORE_PREFIX}{self.script_id}"


ScriptRef = Path | FirestoreRef


def parse_script_ref(text: str) -> ScriptRef:
    """`firestore:ID` names a Firestore script; anything else is a path to a script file."""
    if text.startswith(FIRESTORE_PREFIX):
        script_id = text[len(FIRESTORE_PREFIX):]
        if not _ID.fullmatch(script_id):
            raise UserError(f"{text!r} is not a Firestore script id", hint="ids are 1-64 letters, digits, '-' or '_'")
        return FirestoreRef(script_id)
    return Path(text)


def is_firestore(ref: object) -> bool:
    return isinstance(ref, FirestoreRef)
