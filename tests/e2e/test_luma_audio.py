"""Scene sound from Luma: `render --audio` and `scenetui audio` ask Luma's POST /generations/{id}/audio (the fake
serves it as the published contract says) for each scene's clip, from the scene's `sound` field or its
description; each sound is estimated, journaled, paid once and kept as a take of its own beside the silent clip,
and the film carries it. Ray 3.2 and the offline generator say they make none and do nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scenetui.media.probe import probe
from tests.conftest import LUMA_KEY, agents_args, agents_env, json_lines, luma_args, luma_env, run_cli, write_script
from tests.e2e.test_drafts import clip, takes
from tests.e2e.test_luma_crash import kill9, start_render, wait_until
from tests.fakes.luma_server import FakeLuma


def start_audio(script: Path, ws: Path, fake: FakeLuma, *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "scenetui", "audio", str(script), "--workspace", str(ws), "--json",
           *luma_args(fake, *extra)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **luma_env()})


def _sounds(fake: FakeLuma) -> list:
    return [c for c in fake.creates() if c.request.get("generation_type") == "add_audio"]


def test_render_audio_asks_luma_for_each_scenes_sound_once_and_the_film_carries_it(tmp_path: Path,
                                                                                  asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", 2, scene_overrides={
        0: {"sound": "rain on glass, distant thunder", "soundNegative": "music, voices"}})
    ws = tmp_path / "ws"
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.5) as fake:
        r = start_render(script, ws, fake, "--audio", "--price-table", str(_prices(tmp_path)))
        out, err = r.communicate(timeout=240)
        assert r.returncode == 0, err
        events = json_lines(out)
        estimate = events[0]
        assert estimate["type"] == "estimate" and estimate["newGenerations"] == 2 and estimate["newSounds"] == 2
        assert estimate["soundPriceCents"] == 20 and estimate["estimateCents"] == 2 * 100 + 2 * 20
        sounds = _sounds(fake)
        assert len(fake.creates()) == 4 and len(sounds) == 2
        videos = {c.id: c for c in fake.creates() if c.request.get("generation_type") == "video"}
        assert {c.source for c in sounds} == set(videos)
        by_scene = {("0" if "things happen 0" in videos[c.source].request["prompt"] else "1"): c.request for c in sounds}
        assert by_scene["0"] == {"generation_type": "add_audio", "prompt": "rain on glass, distant thunder",
                                 "negative_prompt": "music, voices"}
        assert by_scene["1"] == {"generation_type": "add_audio", "prompt": "things happen 1"}  # its description
        listed = takes(script, ws)
        for i in (0, 1):
            assert [(t["take"], t["chosen"], t["soundOf"], t["sound"]) for t in listed[i]] == [
                (1, False, None, False), (2, True, 1, True)]
            assert listed[i][1]["model"] == "ray-2 with sound" and listed[i][1]["remoteId"] in {c.id for c in sounds}
            assert probe(clip(ws, i)).has_audio and not probe(Path(listed[i][0]["path"])).has_audio
        final = probe(Path(events[-1]["final"]), decode=True)
        assert final.has_audio and abs(final.duration - 10.0) < 0.2
        # everything has sound: the same command again, and `audio`, pay for nothing
        again = start_render(script, ws, fake, "--audio")
        out2, err2 = again.communicate(timeout=240)
        assert again.returncode == 0, err2
        assert len(fake.creates()) == 4
        r = run_cli("audio", str(script), "--workspace", str(ws), "--json", *luma_args(fake), env=luma_env())
        assert r.returncode == 0, r.stderr
        assert len(fake.creates()) == 4
        skipped = [e for e in json_lines(r.stdout) if e["type"] == "scene_skipped"]
        assert len(skipped) == 2 and all("has sound" in e["reason"] for e in skipped)
        assert LUMA_KEY not in out + err + out2 + err2 + r.stdout + r.stderr


def _prices(tmp_path: Path) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"audio/720p/5s": 20}))
    return path


def test_audio_for_clips_already_made_survives_kill_9_and_is_paid_once(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = write_script(tmp_path / "script", 2), tmp_path / "ws"
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.2,
                  dreaming_s=3.0) as fake:
        made = start_render(script, ws, fake)
        _, err = made.communicate(timeout=240)
        assert made.returncode == 0, err
        assert not probe(clip(ws, 0)).has_audio
        # no price for Luma's audio in the table: the dearest known rate, and the estimate says so
        dry = run_cli("audio", str(script), "--workspace", str(ws), "--dry-run", "--json", *luma_args(fake),
                      env=luma_env())
        assert dry.returncode == 0, dry.stderr
        rows = json_lines(dry.stdout)
        assert sorted(r["request"]["prompt"] for r in rows if r["type"] == "dryRun") == ["things happen 0",
                                                                                           "things happen 1"]
        assert rows[-1]["newSounds"] == 2 and rows[-1]["newGenerations"] == 0 and rows[-1]["soundPriceCents"] == 900
        assert any("audio/720p/5s" in n for n in rows[-1]["notes"]) and _sounds(fake) == []
        # killed once both sounds are paid for and before either is downloaded: the rerun polls them
        first = start_audio(script, ws, fake)
        wait_until(lambda: len(_sounds(fake)) == 2, 60, "both sounds asked for")
        kill9(first)
        assert len(_sounds(fake)) == 2
        second = start_audio(script, ws, fake)
        out, err = second.communicate(timeout=240)
        assert second.returncode == 0, err
        assert len(_sounds(fake)) == 2 and len(fake.creates()) == 4
        listed = takes(script, ws)
        assert [[(t["take"], t["chosen"], t["soundOf"]) for t in listed[i]] for i in (0, 1)] == [
            [(1, False, None), (2, True, 1)]] * 2
        assert all(probe(clip(ws, i), decode=True).has_audio for i in (0, 1))
        ledger = json_lines(out)[-1]["ledger"]
        assert sorted(line["remote_id"] for line in ledger) == sorted(c.id for c in fake.creates())
        # --force asks again from the silent take (a new take, the silent one still kept)
        forced = run_cli("audio", str(script), "--workspace", str(ws), "--scenes", "1", "--force", "--json",
                         *luma_args(fake), env=luma_env())
        assert forced.returncode == 0, forced.stderr
        assert len(_sounds(fake)) == 3 and _sounds(fake)[-1].source == listed[1][0]["remoteId"]
        assert [(t["take"], t["chosen"], t["soundOf"]) for t in takes(script, ws)[1]] == [
            (1, False, None), (2, False, 1), (3, True, 1)]


def test_audio_refused_where_no_sound_is_made_and_bad_sound_fields(tmp_path: Path, fake_agents) -> None:  # noqa: ANN001
    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    # the offline generator makes no sound; Ray 3.2 has none: one line, exit 2, nothing written
    for args, env, says in ((["render", str(script), "--audio"], {}, "animatic"),
                            (["audio", str(script), "--backend", "animatic"], {}, "animatic"),
                            (["render", str(script), "--audio", "--model", "ray-3.2", *agents_args(fake_agents)],
                             agents_env(), "ray-3.2 makes no sound"),
                            (["render", str(script), "--audio", "--takes", "2"], {}, "cannot be used together")):
        r = run_cli(*args, "--workspace", str(ws), env=env)
        assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert not ws.exists() and fake_agents.creates() == []
    # a sound prompt of 10,000 characters is refused by every command that reads the script
    long = write_script(tmp_path / "long", 1, scene_overrides={0: {"sound": "rain " * 2000}})
    for args in (["validate", str(long)], ["render", str(long), "--workspace", str(ws)]):
        r = run_cli(*args)
        assert r.returncode == 2 and "sound" in r.stderr + r.stdout and "10,000 characters" in r.stderr + r.stdout, r
        assert "Traceback" not in r.stderr
    assert not ws.exists()
