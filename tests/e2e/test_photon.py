"""`scenetui keyframes --backend luma` against the fake Luma's image endpoint: character references sent and
fetched, the end keyframe referencing the start, the script updated, a kill -9 resumed without paying twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import LUMA_KEY, draw_keyframe, json_lines, luma_env, run_cli
from tests.fakes.luma_server import FakeLuma


def story(folder: Path, refs: int = 2, *, video: dict[str, str] | None = None, script_id: str = "photo") -> Path:
    """Two scenes, one with Mara and her `refs` reference pictures; `video` as the script's video settings."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(refs):
        draw_keyframe(folder / "refs" / f"mara-{i}.png", (200, 180, 40 + i * 30))
    data = {"id": script_id, "style": "watercolour", "video": video or {"aspectRatio": "16:9"},
            "characters": [{"name": "Mara", "description": "old keeper, yellow raincoat",
                            "referenceImages": [f"refs/mara-{i}.png" for i in range(refs)]}],
            "scenes": [{"title": "Cliff", "visualDescription": "Mara on the cliff at dusk", "characters": ["Mara"],
                        "appField": "kept"},
                       {"title": "Sea", "visualDescription": "the empty sea at night"}]}
    path = folder / "story.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def keyframes(script: Path, fake: FakeLuma, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scenetui", "keyframes", str(script), "--backend", "luma", "--json",
                           "--luma-base-url", fake.base_url, "--keyframe-base-url", fake.static_url(), *extra],
                          capture_output=True, text=True, env={**os.environ, **luma_env(), **(env or {})}, timeout=180)


def test_photon_keyframes_with_character_references(tmp_path: Path, asset_cache: Path) -> None:
    script = story(tmp_path / "script")
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.3) as fake:
        refused = keyframes(script, fake)
        assert refused.returncode == 2 and "--yes" in refused.stderr and fake.creates() == []
        r = keyframes(script, fake, "--yes")
        assert r.returncode == 0, r.stderr
        creates = fake.creates()
        assert len(creates) == 4 and all(c.request["generation_type"] == "image" for c in creates)
        mara = [c for c in creates if "Mara" in c.request["prompt"]]
        assert len(mara) == 2 and all(len(c.request["character_ref"]["identity0"]["images"]) == 2 for c in mara)
        assert all(any(u.endswith("refs/mara-0.png") for u in fake.keyframe_fetches) for _ in mara)  # Luma read them
        ends = [c for c in creates if "closing frame" in c.request["prompt"]]
        assert len(ends) == 2 and all(c.request["image_ref"][0]["url"].startswith(fake.url + "/assets/") for c in ends)
        assert json_lines(r.stdout)[0]["type"] == "estimate"
        again = keyframes(script, fake, "--yes")
        assert again.returncode == 0 and len(fake.creates()) == 4  # a re-run creates nothing
    data = json.loads(script.read_text())
    assert data["scenes"][0]["appField"] == "kept"
    assert all(s["startKeyframe"].startswith("keyframes/") and s["endKeyframe"] for s in data["scenes"])
    assert run_cli("validate", str(script)).returncode == 0


def test_a_kill_mid_run_never_pays_twice(tmp_path: Path, asset_cache: Path) -> None:
    script = story(tmp_path / "script", refs=1)
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.3) as fake:
        for target in ("luma create: answered, id not yet written#2", "journal#9"):
            crash = keyframes(script, fake, "--yes", env={"SCENETUI_CRASH_AT": target})
            assert crash.returncode == -9, crash.stderr
        r = keyframes(script, fake, "--yes")
        assert r.returncode == 0, r.stderr
        assert len(fake.creates()) == 4 and fake.duplicate_creates() == 0
    data = json.loads(script.read_text())
    assert all(s.get("startKeyframe") and s.get("endKeyframe") for s in data["scenes"])


def test_too_many_references_is_refused_before_spending(tmp_path: Path, asset_cache: Path) -> None:
    script = story(tmp_path / "script", refs=5)
    before = script.read_bytes()
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache) as fake:
        r = keyframes(script, fake, "--yes")
        assert r.returncode == 2 and "at most 4" in r.stderr and "Traceback" not in r.stderr
        assert fake.creates() == []
    assert script.read_bytes() == before


def test_faults_on_the_image_endpoint_are_reconciled_and_waited_out(tmp_path: Path, asset_cache: Path) -> None:
    """Every create fault the video endpoint meets, on the image endpoint: each picture made once and paid once."""
    script = story(tmp_path / "script", refs=1)
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.3) as fake:
        f = fake.faults
        f.create_5xx_after = f.create_drop_after = f.create_5xx_before = f.create_garbage_after = 1
        f.rate_limit_burst, f.retry_after = 2, 0.2
        f.get_5xx = f.get_garbage = 2
        f.fail_reasons = ["Job failed"]  # refunded, and worth one more try
        r = keyframes(script, fake, "--yes")
        assert r.returncode == 0, r.stderr[-3000:]
        assert "Traceback" not in r.stderr
        billed = [c for c in fake.creates() if not c.refunded]
        assert len(billed) == 4 and fake.duplicate_creates() == 0
        assert f.create_5xx_after == f.create_drop_after == f.create_garbage_after == 0  # each fault was met
        again = keyframes(script, fake, "--yes")
        assert again.returncode == 0 and len(fake.creates()) == len(billed) + 1  # a re-run creates nothing
    stats = json.loads(run_cli("stats", str(script), "--json").stdout)  # the pictures are the script's spend too
    assert stats["spendCents"]["byModel"] == {"photon-1": 8} and stats["spendCents"]["total"] == 8
    data = json.loads(script.read_text())
    assert all(s.get("startKeyframe") and s.get("endKeyframe") for s in data["scenes"])
