"""The status-poll schedule: quick first look, sparse while it cannot be done, at most one look per ~2 s."""

from __future__ import annotations

import pytest

from scenetui.backends.luma.poll import MAX_GAP, FinishWindows, next_delay


def simulate(windows: FinishWindows | None, finish: float) -> tuple[int, float, float]:
    """Polls until a generation done at `finish` is seen done; (polls, lateness, last still-running look)."""
    window = windows.typical() if windows else None
    t, polls, last_running = 0.0, 0, 0.0
    while True:
        t += next_delay(t, window)
        polls += 1
        if t >= finish:
            return polls, t - finish, last_running
        last_running = t


@pytest.mark.parametrize("finish", [10.0, 30.0, 90.0, 200.0])
def test_never_more_than_one_look_per_two_seconds_unknown_duration(finish: float) -> None:
    for _ in range(50):
        polls, _late, _ = simulate(None, finish)
        assert polls <= finish / 2 + 1


def test_learning_the_window_makes_finishes_noticed_promptly() -> None:
    """Generations of a fixed length: after a few, each is seen done within half a second, with few looks."""
    windows = FinishWindows()
    lates, looks = [], []
    for _ in range(12):
        polls, late, lo = simulate(windows, 20.0)
        windows.add(lo, 20.0 + late)
        lates.append(late)
        looks.append(polls)
    assert lates[0] <= 2.4  # the first is found by brisk looks
    assert max(lates[-5:]) <= 0.6
    assert max(looks) <= 10  # 20 s of generation: at most one look per 2 s


def test_a_slower_generation_than_usual_is_still_found() -> None:
    windows = FinishWindows([(19.5, 20.0)] * 5)
    polls, late, _ = simulate(windows, 45.0)
    assert late <= 3.6 and polls <= 45 / 2 + 1  # looks spread out slowly once well past the usual end


def test_gaps_are_bounded() -> None:
    for elapsed in range(0, 3600, 7):
        for window in (None, (95.0, 100.0), (99.8, 100.0)):
            assert 0.3 <= next_delay(float(elapsed), window) <= MAX_GAP + 0.31


def test_history_from_earlier_runs_gives_a_window() -> None:
    w = FinishWindows.from_durations([30.0, 32.0, 31.0])
    assert w.typical() == (29.0, 31.0)


def test_the_first_look_comes_when_the_setting_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from scenetui.config import Settings

    assert 2.0 <= next_delay(0.0, None) <= 2.3  # the default: two seconds (and a little jitter)
    monkeypatch.setenv("SCENETUI_LUMA_FIRST_LOOK", "0.3")
    first = Settings().luma_first_look
    assert first == 0.3 and all(0.3 <= next_delay(0.0, None, first) <= 0.375 for _ in range(50))
    assert 2.0 <= next_delay(0.4, None, first) <= 2.3  # then the usual schedule
    monkeypatch.setenv("SCENETUI_LUMA_FIRST_LOOK", "0")
    with pytest.raises(ValueError):
        Settings()
