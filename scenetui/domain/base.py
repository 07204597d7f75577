"""Shared model configuration: camelCase on the wire, snake_case in Python, unknown fields kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """Base for every model that is read from or written to files and Firestore."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        validate_assignment=True,
        defer_build=True,  # a model's validator is built when first used: `validate` uses only the script's
    )

    def to_wire(self) -> dict[str, Any]:
        """The camelCase dict as the app writes it, unknown fields included."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
