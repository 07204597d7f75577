"""Caption cues over the film's time (a transition's overlap split at its middle), as SRT and WebVTT that real
parsers read; caption text is never interpreted."""

from __future__ import annotations

import io

import srt
import webvtt

from scenetui.media.captions import caption_cues, clean_caption, srt_text, vtt_text


def test_cues_follow_cuts_and_split_transitions_at_their_middle() -> None:
    # three 5 s clips at 30 fps; a 0.5 s dissolve between the first two, a cut after
    cues = caption_cues(["one", None, "three"], [150, 150, 150], [15, 0], 30)
    assert [(round(c.start, 3), round(c.end, 3), c.text) for c in cues] == [(0.0, 4.75, "one"), (9.5, 14.5, "three")]
    cut = caption_cues(["a", "b"], [150, 150], [0], 30)
    assert [(c.start, c.end) for c in cut] == [(0.0, 5.0), (5.0, 10.0)]


def test_srt_and_vtt_are_read_by_real_parsers_with_the_text_as_text() -> None:
    hostile = 'He said <i>"run"</i> {\\an8} & left\x1b[2J\x07 --> now'
    cues = caption_cues([hostile, "line one\nline two\nline three"], [150, 150], [15], 30)
    parsed = list(srt.parse(srt_text(cues)))
    assert [(p.start.total_seconds(), p.end.total_seconds()) for p in parsed] == [(0.0, 4.75), (4.75, 9.5)]  # the film is 9.5 s
    assert "<i>" not in parsed[0].content and "{" not in parsed[0].content and "\x1b" not in parsed[0].content
    assert "run" in parsed[0].content and parsed[1].content == "line one\nline two"
    captions = webvtt.from_buffer(io.StringIO(vtt_text(cues)))
    assert [(c.start, c.end) for c in captions] == [("00:00:00.000", "00:00:04.750"), ("00:00:04.750", "00:00:09.500")]
    assert "&lt;i&gt;" in captions[0].raw_text and "\x07" not in captions[0].raw_text


def test_clean_caption_drops_controls_and_folds_space() -> None:
    assert clean_caption("  a\tb\x00c \r\n\n d  ") == "a b c\nd"
    assert clean_caption("\x1b]0;title\x07") == "]0;title"
