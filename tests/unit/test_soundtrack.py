"""The film's sound graphs, read as data (ffmpeg-python) without running ffmpeg: where each clip sounds, what is
faded, when the music ducks, and the loudness and duck limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.errors import UserError
from scenetui.media.soundtrack import (Loudness, Music, SceneSound, check_duck, check_loudness, encode_args,
                                       measure_args, mix_graph, parse_loudnorm, place_sounds)


def graph(args: list[str]) -> str:
    return args[args.index("-filter_complex") + 1]


def test_each_clip_sounds_where_it_is_seen_and_fades_over_its_transitions() -> None:
    a, c = Path("a.mp4"), Path("c.mp4")
    sounds = place_sounds([a, None, c], [150, 150, 150], [15, 0], 30.0)
    assert sounds == [SceneSound(a, 0.0, 5.0, 0.0, 0.5), SceneSound(c, 9.5, 5.0, 0.0, 0.0)]
    with pytest.raises(ValueError):
        place_sounds([a], [150, 150], [0], 30.0)


def test_the_music_ducks_only_under_scene_sound_and_only_when_asked() -> None:
    sounds = place_sounds([Path("a.mp4"), Path("b.mp4")], [150, 150], [15], 30.0)
    music = Music(Path("song.wav"), -6)
    ducked = graph(measure_args(mix_graph(sounds, music, 9.5, 8), Loudness()))
    assert "sidechaincompress" in ducked and "asplit" in ducked and "loudnorm=I=-14.0" in ducked
    assert "adelay=delays=4500|4500" in ducked and "afade=d=0.500000:st=4.500000:t=out" in ducked
    assert "sidechaincompress" not in graph(measure_args(mix_graph(sounds, music, 9.5, 0), Loudness()))
    assert "sidechaincompress" not in graph(measure_args(mix_graph([], music, 9.5, 8), Loudness()))
    assert mix_graph([], None, 9.5, 8) is None


def test_the_second_pass_applies_the_first_pass_figures_as_one_linear_gain() -> None:
    log = 'noise\n[Parsed_loudnorm_0 @ 0x1]\n{\n "input_i" : "-20.5", "input_tp" : "-3.0", "input_lra" : "5.0",\n' \
          ' "input_thresh" : "-31.0", "output_i" : "-14.1", "output_tp" : "-1.0", "target_offset" : "0.1"\n}\n'
    measured = parse_loudnorm(log)
    args = encode_args(mix_graph([], Music(Path("song.wav")), 9.5, 8), Path("out.m4a"), 9.5, "192k",
                       Loudness(-23), measured)
    text = graph(args)
    assert "measured_I=-20.5" in text and "linear=true" in text and "I=-23" in text
    assert args[-2:] == ["out.m4a", "-y"] and "-t" in args
    with pytest.raises(ValueError):
        parse_loudnorm("no report here")


@pytest.mark.parametrize("value", [5.0, -40.0, float("nan"), float("inf")])
def test_a_loudness_target_out_of_range_is_refused(value: float) -> None:
    with pytest.raises(UserError):
        check_loudness(value)


def test_duck_limits() -> None:
    assert check_duck(0) == 0 and check_duck(12) == 12 and check_loudness(-23).target == -23
    for bad in (-1.0, 13.0, float("nan")):
        with pytest.raises(UserError):
            check_duck(bad)
