"""Ray 3.2's settings and prices: what each Luma API takes, what an estimate says, what the journal keeps."""

from __future__ import annotations

import base64

import pytest

from scenetui.backends.luma_agents.backend import journal_record
from scenetui.backends.luma_agents.refs import media_type
from scenetui.domain.script import VideoSettings, video_problem
from scenetui.engine.costs import PRICES_CHECKED, PriceTable


@pytest.mark.parametrize("settings, end, problem", [
    ({"model": "ray-3.2", "resolution": "360p"}, True, None),
    ({"model": "ray-3.2", "resolution": "1080p", "duration": "10s"}, True, None),
    ({"model": "ray-3.2", "aspect_ratio": "3:2"}, True, None),
    ({"model": "ray-3.2", "resolution": "4k"}, True, "ray-3.2 has no resolution 4k"),
    ({"model": "ray-3.2", "duration": "9s"}, True, "ray-3.2 has no duration 9s"),
    ({"model": "ray-3.2", "aspect_ratio": "9:21"}, True, "ray-3.2 has no aspect ratio 9:21"),
    ({"model": "ray-3.2", "loop": True}, True, "loop cannot be used with an end keyframe"),
    ({"model": "ray-3.2", "loop": True, "duration": "10s"}, False, "loop cannot be used with a 10s duration"),
    ({"model": "ray-3.2", "loop": True}, False, None),
    ({"model": "ray-2", "resolution": "360p"}, True, "ray-2 has no resolution 360p"),
    ({"model": "ray-2", "duration": "10s"}, True, "ray-2 has no duration 10s"),
    ({"model": "ray-2", "aspect_ratio": "3:2"}, True, "ray-2 has no aspect ratio 3:2"),
    ({"model": "ray-2", "resolution": "4k", "duration": "9s"}, True, None),
])
def test_each_api_takes_its_own_settings(settings: dict, end: bool, problem: str | None) -> None:
    said = video_problem(VideoSettings(**settings), end)
    assert (said is None) if problem is None else (said is not None and problem in said)


def test_the_estimate_for_ray_2_says_what_ray_3_2_would_cost() -> None:
    prices = PriceTable.load(None)
    assert prices.price("ray-3.2", "720p", "5s") == 30 and prices.price("ray-3.2", "360p", "5s") == 6
    notes = prices.notes("ray-2", "720p", "5s")
    assert notes == [f"the same on ray-3.2 would be $0.30 a clip (prices checked {PRICES_CHECKED})"]
    assert prices.notes("ray-3.2", "720p", "5s") == []


def test_a_model_missing_from_the_table_is_priced_at_the_dearest_rate_and_says_so() -> None:
    prices = PriceTable.load(None)
    dearest = max(prices.prices.values())
    assert prices.price("ray-9", "720p", "5s") == dearest
    assert "dearest known rate" in prices.notes("ray-9", "720p", "5s")[0]


def test_the_journal_keeps_the_request_id_and_no_inline_picture() -> None:
    picture = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"x" * 5000).decode()
    body = {"type": "video", "model": "ray-3.2", "prompt": "p", "aspect_ratio": "16:9",
            "video": {"duration": "5s", "resolution": "720p", "start_frame": {"data": picture, "media_type": "image/png"},
                      "end_frame": {"url": "https://example.com/k.png?sig=SECRET"}}}
    record = journal_record(body, "req-1")
    assert record["request_id"] == "req-1" and (record["model"], record["resolution"], record["duration"]) == (
        "ray-3.2", "720p", "5s")
    assert picture not in str(record) and record["video"]["start_frame"]["data_chars"] == len(picture)
    assert record["video"]["end_frame"] == {"url": "https://example.com/k.png"}
    assert body["video"]["start_frame"]["data"] == picture  # the body sent is untouched


@pytest.mark.parametrize("head, kind", [(b"\x89PNG\r\n\x1a\nxxxx", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"),
                                        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"), (b"GIF89a", None), (b"", None)])
def test_media_types_come_from_the_bytes(head: bytes, kind: str | None) -> None:
    assert media_type(head) == kind
