"""A render never works on more scenes at once than its backend allows (a Luma account's generations in flight, and
as many scenes again fetching clips), whatever `--concurrency`, `queue --concurrency` or `>` ask."""

from __future__ import annotations

import asyncio
import dataclasses

from scenetui.control.steering import Steering
from scenetui.engine.gate import MAX_AT_ONCE, Gate


def test_the_gate_keeps_to_its_ceiling() -> None:
    async def go() -> tuple[int, int, int]:
        gate = Gate(30, ceiling=20)
        first = gate.limit
        await gate.change(limit=45)
        raised = gate.limit
        await gate.change(limit=3)
        return first, raised, gate.limit

    assert asyncio.run(go()) == (20, 20, 3)
    assert Gate(80).limit == MAX_AT_ONCE  # no backend limit: the engine's own


class _Settings:
    luma_max_in_flight = 2
    luma_at_once = 4


@dataclasses.dataclass
class _State:
    paid: bool
    running: bool = True
    settings: _Settings = dataclasses.field(default_factory=_Settings)
    sent: list[int] = dataclasses.field(default_factory=list)

    def send(self, verb: str, scenes: list[int | None], **args: int) -> None:
        self.sent.append(args["n"])


def test_more_at_once_stops_at_the_account_limit_and_says_why() -> None:
    state = _State(paid=True)
    steering = Steering(state, 3)  # type: ignore[arg-type]
    assert steering.more(1) == "now 4 scene(s) at once"
    said = steering.more(1)
    assert steering.at_once == 4 and state.sent == [4, 4]
    assert said == "4 scene(s) at once is the most: this Luma account holds 2 generations in flight"
    offline = Steering(_State(paid=False), MAX_AT_ONCE)  # type: ignore[arg-type]
    assert offline.more(1) == f"{MAX_AT_ONCE} scene(s) at once is the most"
