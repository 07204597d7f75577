"""The film's sound: a clip's own audio is kept (crossfaded across a dissolve), silent clips are silence, the music
ducks under scene sound, the mix lands on its loudness target (measured here with ffmpeg's ebur128), captions
can be burned into the picture; bad sound input is one line, exit 2, nothing written."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio

from scenetui.media.ffmpeg import locate_ffmpeg
from tests.conftest import run_cli, write_script

SCENE_TONE, MUSIC_TONE = 3000.0, 200.0


def ffmpeg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([locate_ffmpeg().path, "-hide_banner", "-nostdin", *args], capture_output=True, text=True,
                          check=True, timeout=120)


def give_sound(clip: Path, freq: float) -> None:
    """Put a tone under a rendered clip, as a person placing a clip with its own sound would."""
    tmp = clip.with_name("with-sound.mp4")
    ffmpeg("-y", "-i", str(clip), "-f", "lavfi", "-i", f"sine=f={freq:g}:d=5:sample_rate=48000", "-map", "0:v",
           "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest", str(tmp))
    tmp.replace(clip)


def integrated_lufs(film: Path) -> float:
    log = ffmpeg("-i", str(film), "-map", "0:a", "-af", "ebur128", "-f", "null", "-").stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])


def samples(film: Path) -> tuple[np.ndarray, int]:
    with av.open(str(film)) as c:
        stream = c.streams.audio[0]
        chunks = [frame.to_ndarray().mean(axis=0) for frame in c.decode(stream)]
        return np.concatenate(chunks), stream.rate


def level(x: np.ndarray, rate: int, start: float, end: float, freq: float) -> float:
    """The amplitude of one tone in [start, end) seconds."""
    part = x[int(start * rate):int(end * rate)]
    t = np.arange(len(part)) / rate
    return float(2 * abs(np.sum(part * np.exp(-2j * np.pi * freq * t))) / len(part))


def db(ratio: float) -> float:
    return 20 * float(np.log10(ratio))


def test_clip_sound_music_ducking_loudness_and_burned_captions(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3, scene_overrides={1: {"caption": "The storm breaks."}})
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    folder = ws / "videos" / "scripts" / "test"
    for i in (0, 2):
        give_sound(folder / "scenes" / f"{i}.mp4", SCENE_TONE)
    music = tmp_path / "music.wav"
    ffmpeg("-y", "-f", "lavfi", "-i", f"sine=f={MUSIC_TONE:g}:d=6", "-af", "volume=-6dB", str(music))

    r = run_cli("export", str(script), "--workspace", str(ws), "--transition", "dissolve:0.5", "--music", str(music),
                "--json", "--timeline", str(tmp_path / "cut.otio"))
    assert r.returncode == 0, r.stderr
    # the editor's timeline has the same sound: scene 0 and 2 on the scene-sound track, the music under all, the caption
    video, voices, under = otio.adapters.read_from_file(str(tmp_path / "cut.otio")).tracks
    assert [type(i).__name__ for i in voices] == ["Clip", "Transition", "Gap", "Transition", "Clip"]
    assert Path(under[0].media_reference.target_url).name == "music.wav" and under.duration().to_seconds() == 14.0
    assert [m.name for m in video.markers] == ["The storm breaks."]
    assert abs(video.markers[0].marked_range.start_time.to_seconds() - 4.75) <= 1 / 30  # mid-dissolve, ±1 frame
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    film = folder / "final.mp4"
    assert summary["clipsWithSound"] == 2 and summary["loudness"]["target"] == -14
    assert abs(integrated_lufs(film) + 14) <= 1.0
    x, rate = samples(film)
    assert abs(len(x) / rate - 14.0) < 0.1  # 3 x 5 s, less two 0.5 s dissolves
    # scene 0 is 0-5 s, scene 1 (silent) 4.5-9.5, scene 2 9-14; the first dissolve is 4.5-5.0
    assert level(x, rate, 1, 4, SCENE_TONE) > 10 * level(x, rate, 5.5, 8.5, SCENE_TONE)
    faded = level(x, rate, 4.6, 4.9, SCENE_TONE) / level(x, rate, 1, 4, SCENE_TONE)
    assert 0.15 < faded < 0.85, "scene 0's sound fades out across the dissolve"
    ducked = db(level(x, rate, 5.5, 8.5, MUSIC_TONE) / level(x, rate, 1, 4, MUSIC_TONE))
    assert ducked > 4, f"the music is only {ducked:.1f} dB lower under scene sound"
    plain = frame_at(film, 6.5)

    r = run_cli("export", str(script), "--workspace", str(ws), "--loudness", "-23", "--burn-subtitles", "--json",
                "--transition", "dissolve:0.5")
    assert r.returncode == 0, r.stderr
    assert abs(integrated_lufs(film) + 23) <= 1.0
    burned = frame_at(film, 6.5)
    h = plain.shape[0]
    changed = np.abs(burned.astype(int) - plain) > 40  # the caption's box and letters, not encoding noise
    bottom, top = changed[int(h * 0.8):].mean(), changed[:int(h * 0.6)].mean()
    assert bottom > 0.02 and top < 0.001, (bottom, top)
    assert (folder / "final.srt").is_file()


def frame_at(film: Path, seconds: float) -> np.ndarray:
    with av.open(str(film)) as c:
        stream = c.streams.video[0]
        for frame in c.decode(stream):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="gray")
    raise AssertionError(f"{film} has no frame at {seconds}s")


def test_bad_sound_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    song = tmp_path / "song.wav"
    ffmpeg("-y", "-f", "lavfi", "-i", "sine=f=440:d=2", str(song))
    playlist = tmp_path / "list.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXTINF:2,\n{song}\n")
    concat = tmp_path / "list.txt"
    concat.write_text(f"ffconcat version 1.0\nfile '{song}'\n")
    cases = [(["--loudness", "5"], "--loudness 5"), (["--loudness", "loud"], "not a number"),
             (["--duck", "40"], "--duck 40"), (["--music", str(playlist)], "playlist"),
             (["--music", str(concat)], "playlist")]
    for extra, words in cases:
        r = run_cli("export", str(script), "--workspace", str(ws), *extra)
        assert r.returncode == 2 and words in r.stderr, (extra, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (ws / "videos" / "scripts" / "test" / "final.mp4").exists()
