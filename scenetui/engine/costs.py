"""Money: the price table, estimates, the hard spending cap, and the ledger read from the journal."""

from __future__ import annotations

import asyncio
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenetui.domain.units import usd
from scenetui.engine.journal import Attempt
from scenetui.errors import UserError

if TYPE_CHECKING:
    from scenetui.domain.script import VideoSettings

# USD cents per generation (model, resolution, duration). Luma's published ray-2 720p 5 s price is roughly
# $0.70-$1.00 and ray-flash-2 about a third; the table errs high so estimates do not surprise. Override with
# --price-table FILE (JSON or TOML: {"ray-2/720p/5s": 90, ...}).
DEFAULT_PRICES: dict[str, int] = {
    "ray-2/540p/5s": 50, "ray-2/720p/5s": 100, "ray-2/1080p/5s": 225, "ray-2/4k/5s": 500,
    "ray-2/540p/9s": 90, "ray-2/720p/9s": 180, "ray-2/1080p/9s": 405, "ray-2/4k/9s": 900,
    "ray-flash-2/540p/5s": 17, "ray-flash-2/720p/5s": 34, "ray-flash-2/1080p/5s": 75, "ray-flash-2/4k/5s": 170,
    "ray-flash-2/540p/9s": 31, "ray-flash-2/720p/9s": 61, "ray-flash-2/1080p/9s": 135, "ray-flash-2/4k/9s": 305,
    # Ray 3.2 on Luma's current API, SDR, pay as you go (360p is the draft tier); 10 s 360p is not published, so it
    # is priced as twice the 5 s one rounded up, like the published 10 s prices (x3).
    "ray-3.2/360p/5s": 6, "ray-3.2/540p/5s": 15, "ray-3.2/720p/5s": 30, "ray-3.2/1080p/5s": 120,
    "ray-3.2/360p/10s": 18, "ray-3.2/540p/10s": 45, "ray-3.2/720p/10s": 90, "ray-3.2/1080p/10s": 360,
    # Luma's upscale of a generation (render --final from a ray-flash-2 draft): its price is not in the copies of
    # the table we have, so it is priced as a new ray-2 generation at the target resolution, which errs high.
    "upscale/720p/5s": 100, "upscale/1080p/5s": 225, "upscale/4k/5s": 500,
    "upscale/720p/9s": 180, "upscale/1080p/9s": 405, "upscale/4k/9s": 900,
}
# When the prices above were last checked against Luma's (two third-party copies of its table agreed).
PRICES_CHECKED = "2026-07"
# The model a person would choose today, offered beside an estimate for an older one.
CURRENT_MODEL = "ray-3.2"


@dataclass(frozen=True)
class PriceTable:
    """Cents per generation for each model/resolution/duration."""

    prices: dict[str, int]

    @classmethod
    def load(cls, path: Path | None) -> PriceTable:
        prices = dict(DEFAULT_PRICES)
        if path is None:
            return cls(prices)
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (OSError, ValueError) as exc:
            raise UserError(f"price table {path} cannot be read ({exc})", hint='write JSON like {"ray-2/720p/5s": 90}') from None
        if not isinstance(data, dict) or not all(isinstance(v, (int, float)) and v >= 0 for v in data.values()):
            raise UserError(f"price table {path}: every value must be a price in US cents", hint='e.g. {"ray-2/720p/5s": 90}')
        prices.update({k: int(round(v)) for k, v in data.items()})
        return cls(prices)

    def price(self, model: str, resolution: str, duration: str) -> int:
        """The table's price; a combination missing from it is priced at the dearest known rate (never under)."""
        return self.prices.get(f"{model}/{resolution}/{duration}", max(self.prices.values()))

    def known(self, model: str, resolution: str, duration: str) -> bool:
        return f"{model}/{resolution}/{duration}" in self.prices

    def notes(self, model: str, resolution: str, duration: str) -> list[str]:
        """What an estimate for these settings should also say: a guessed price, and the current model's price."""
        notes = []
        if not self.known(model, resolution, duration):
            notes.append(f"no price is known for {model} {resolution} {duration}: priced at the dearest known rate, "
                         f"{usd(self.price(model, resolution, duration))} (add it with --price-table)")
        if model != CURRENT_MODEL and self.known(CURRENT_MODEL, resolution, duration):
            notes.append(f"the same on {CURRENT_MODEL} would be {usd(self.price(CURRENT_MODEL, resolution, duration))} "
                         f"a clip (prices checked {PRICES_CHECKED})")
        return notes


class BudgetExceeded(UserError):
    """A create would take the spend of this run over --max-spend."""


class Budget:
    """The hard cap of one run: every create reserves its price first; failures and refunds give it back."""

    def __init__(self, cap_cents: int | None) -> None:
        self.cap = cap_cents
        self.spent = 0
        self.reserved = 0
        self._lock = asyncio.Lock()

    async def reserve(self, cents: int) -> None:
        async with self._lock:
            if self.cap is not None and self.spent + self.reserved + cents > self.cap:
                raise BudgetExceeded(
                    f"this generation ({usd(cents)}) would take spend to {usd(self.spent + self.reserved + cents)}, "
                    f"over --max-spend {usd(self.cap)}",
                    hint="raise --max-spend or render fewer scenes",
                )
            self.reserved += cents

    def commit(self, cents: int) -> None:
        self.reserved -= cents
        self.spent += cents

    def release(self, cents: int) -> None:
        self.reserved -= cents

    def refund(self, cents: int) -> None:
        self.spent -= cents


@dataclass(frozen=True)
class LedgerLine:
    scene_index: int
    remote_id: str | None
    model: str | None
    cents: int | None
    outcome: str
    refunded: bool


def ledger(attempts: list[Attempt]) -> list[LedgerLine]:
    """One line per paid generation (an attempt that reached Luma)."""
    lines = []
    for a in attempts:
        if a.remote_id is None and a.state not in ("intent", "unconfirmed"):  # these may have been paid
            continue
        model = (a.request or {}).get("model")
        lines.append(LedgerLine(a.scene_index, a.remote_id, model, a.cost_cents, a.state, a.refunded))
    return lines


def total_spent(lines: list[LedgerLine]) -> int:
    return sum(line.cents or 0 for line in lines if line.remote_id and not line.refunded)


@dataclass(frozen=True)
class SpendEstimate:
    """What an action would pay for, said before anything is spent: renders, bridges, Photon pictures, the app."""

    count: int  # new paid items
    unit_cents: int
    item: str = "generation"  # generation | picture
    model: str = ""  # "ray-2 720p 5s", "photon-1"
    scenes: list[int] = field(default_factory=list)
    resuming: list[int] = field(default_factory=list)  # already paid for: picked up, no new charge
    balance_cents: float | None = None
    cap_cents: int | None = None
    paid: bool = True
    reused: int = 0  # pictures already paid for and kept
    notes: list[str] = field(default_factory=list)  # a guessed price, what the current model would cost
    in_doubt: list[int] = field(default_factory=list)  # creates that may have been accepted: not sent again
    balance_offered: bool = True  # Luma's current API has no balance to read
    sounds: int = 0  # `--audio`: new paid sound generations (Luma's audio on a generation), beside `count`
    sound_cents: int = 0  # the price of each

    @classmethod
    def for_videos(cls, prices: PriceTable, video: VideoSettings, count: int, *, paid: bool = True,
                   **fields: Any) -> SpendEstimate:
        """`count` new clips with these settings: their price, what to note beside it, whether a balance exists."""
        v = video
        return cls(count, prices.price(v.model, v.resolution, v.duration) if paid else 0,
                   model=f"{v.model} {v.resolution} {v.duration}", paid=paid,
                   notes=prices.notes(v.model, v.resolution, v.duration) if paid else [],
                   balance_offered=v.api != "agents", **fields)

    @property
    def cents(self) -> int:
        return self.unit_cents * self.count + self.sound_cents * self.sounds if self.paid else 0

    @property
    def below_balance(self) -> bool:
        return self.balance_cents is not None and self.balance_cents < self.cents

    @property
    def over_cap(self) -> bool:
        return self.cap_cents is not None and self.cents > self.cap_cents

    def text(self) -> str:
        """The action in a few words, as the app's question shows it."""
        if not self.paid:
            return f"{len(self.scenes)} scene(s) with the offline animatic generator (free)"
        sounds = f" and {self.sounds} sound(s)" if self.sounds else ""
        return f"{self.count} new {self.item}(s){sounds}, about {usd(self.cents)}"

    def sentence(self) -> str:
        """The estimate with the balance and the cap, in one paragraph for a dialog."""
        text = f"This makes {self.text()}."
        if not self.paid:
            return text
        if self.reused:
            text += f" {self.reused} already paid for are reused."
        if self.in_doubt:
            text += (f" Not sent again: scene(s) {', '.join(map(str, self.in_doubt))} may already have been accepted "
                     "(check your Luma usage page).")
        notes = "".join(f" Note: {n}." for n in self.notes)
        if self.balance_cents is None:
            return text + (" (The Luma balance could not be read.)" if self.balance_offered
                           else " (Luma's current API does not report a balance.)") + notes
        warn = " — below the estimate" if self.below_balance else ""
        cap = f" This run's cap: {usd(self.cap_cents)}." if self.cap_cents is not None else ""
        return f"{text} Luma balance: {usd(self.balance_cents)}{warn}.{cap}{notes}"

    def lines(self) -> list[str]:
        """The estimate as the command line prints it."""
        what = f"new {self.item}(s)" if self.item == "generation" else f"{self.item}(s)"
        out = [f"Estimate: {self.count} {what} × {usd(self.unit_cents)} ({self.model}) = {usd(self.cents)}"]
        if self.sounds:
            out[0] = (f"Estimate: {self.count} {what} × {usd(self.unit_cents)} ({self.model}) + {self.sounds} "
                      f"sound(s) × {usd(self.sound_cents)} (Luma's audio) = {usd(self.cents)}")
        if self.resuming:
            out.append(f"Resuming {len(self.resuming)} generation(s) already paid for: no new charge")
        if self.reused:
            out.append(f"Reusing {self.reused} {self.item}(s) already paid for: no new charge")
        if self.in_doubt:
            again = "`render --resubmit N` pays for one again" if self.item == "generation" else \
                "`keyframes --resubmit` pays for them again"
            out.append(f"Not sending again: scene(s) {', '.join(map(str, self.in_doubt))} may already have been accepted "
                       f"(check your Luma usage page; {again})")
        out.extend(f"Note: {n}" for n in self.notes)
        if self.balance_cents is not None:
            out.append(f"Luma balance: {usd(self.balance_cents)}")
        if self.cap_cents is not None:
            out.append(f"Hard cap for this run (--max-spend): {usd(self.cap_cents)}")
        return out

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"type": "estimate", "item": self.item, "priceCents": self.unit_cents,
                                  "estimateCents": self.cents, "balanceCents": self.balance_cents,
                                  "capCents": self.cap_cents}
        if self.item == "generation":
            out.update(newGenerations=self.count, resuming=self.resuming, inDoubt=self.in_doubt, notes=self.notes,
                       newSounds=self.sounds, soundPriceCents=self.sound_cents)
        else:
            out.update(pictures=self.count, reused=self.reused, inDoubt=self.in_doubt, notes=self.notes)
        return out
