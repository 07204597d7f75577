"""The bundled sample script: 'The Lighthouse Keeper', with keyframes drawn on the spot (nothing to download)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (1280, 720)

SCENES = [
    ("Dusk", "Mara walks the cliff path toward the lighthouse", "cliff path at dusk, long shadows", "push_in",
     ((250, 170, 90), (70, 40, 90)), ((230, 120, 70), (40, 30, 80))),
    ("Storm", "Clouds roll in over the sea", "storm front over dark water", "pan_right",
     ((90, 100, 130), (20, 30, 50)), ((50, 55, 80), (10, 15, 30))),
    ("The Stairs", "Mara climbs the spiral stairs with a lantern", "spiral stairs, lantern light", "orbit_left",
     ((60, 40, 30), (20, 15, 10)), ((140, 90, 40), (30, 20, 10))),
    ("The Light", "The great lamp turns and sweeps the bay", "lamp beam sweeping the bay", "pull_out",
     ((20, 25, 60), (5, 5, 20)), ((240, 220, 150), (30, 40, 90))),
]


def _keyframe(path: Path, top: tuple[int, int, int], bottom: tuple[int, int, int], phase: float, size=SIZE) -> None:
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):  # sky gradient
        t = y / (h - 1)
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    sea = int(h * 0.68)
    draw.rectangle([0, sea, w, h], fill=(15, 30, 50))
    for i in range(12):  # waves
        y = sea + 10 + i * 18
        draw.arc([int(-80 + 60 * phase + i * 37) % w - 100, y, int(-80 + 60 * phase + i * 37) % w + 100, y + 30], 200, 340, fill=(60, 90, 120), width=3)
    tx = int(w * 0.72)  # lighthouse
    draw.polygon([(tx - 40, sea), (tx + 40, sea), (tx + 22, int(h * 0.25)), (tx - 22, int(h * 0.25))], fill=(235, 235, 225))
    for k in range(3):
        y0 = int(h * 0.3) + k * 70
        draw.rectangle([tx - 30, y0, tx + 30, y0 + 22], fill=(190, 40, 40))
    lamp = (tx, int(h * 0.22))
    draw.ellipse([lamp[0] - 18, lamp[1] - 18, lamp[0] + 18, lamp[1] + 18], fill=(255, 240, 170))
    angle = math.pi * (0.9 + 0.8 * phase)
    beam = [lamp, (lamp[0] + int(900 * math.cos(angle - 0.08)), lamp[1] + int(900 * math.sin(angle - 0.08))),
            (lamp[0] + int(900 * math.cos(angle + 0.08)), lamp[1] + int(900 * math.sin(angle + 0.08)))]
    draw.polygon(beam, fill=(255, 245, 200))
    mx = int(w * (0.15 + 0.35 * phase))  # Mara, a yellow raincoat on the cliff
    draw.ellipse([mx - 10, sea - 62, mx + 10, sea - 42], fill=(240, 200, 160))
    draw.polygon([(mx - 16, sea), (mx + 16, sea), (mx + 9, sea - 42), (mx - 9, sea - 42)], fill=(240, 200, 40))
    img.save(path, format="PNG", optimize=True)


def write_demo_script(folder: Path) -> Path:
    """Write the sample script and its keyframes into `folder`; returns the script path. Idempotent."""
    keyframes = folder / "keyframes"
    keyframes.mkdir(parents=True, exist_ok=True)
    scenes = []
    for i, (title, desc, visual, camera, start_colors, end_colors) in enumerate(SCENES):
        start, end = keyframes / f"{i:03d}-start.png", keyframes / f"{i:03d}-end.png"
        if not start.exists():
            _keyframe(start, *start_colors, phase=0.0)
        if not end.exists():
            _keyframe(end, *end_colors, phase=1.0)
        scenes.append({
            "title": title, "description": desc, "visualDescription": visual,
            "startKeyframe": f"keyframes/{start.name}", "endKeyframe": f"keyframes/{end.name}",
            "characters": ["Mara"], "camera": camera,
        })
    script = {
        "id": "lighthouse", "title": "The Lighthouse Keeper", "style": "35mm film, warm dusk palette",
        "characters": [{"name": "Mara", "description": "old keeper, yellow raincoat", "referenceImages": []}],
        "video": {"model": "ray-2", "resolution": "720p", "duration": "5s", "aspectRatio": "16:9"},
        "scenes": scenes,
    }
    path = folder / "lighthouse.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(script, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
