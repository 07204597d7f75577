"""Exporting the film: every scene's clip in order, with transitions and music, into the store and a chosen file."""

from __future__ import annotations

import asyncio
import math
import os
import stat
import shutil
import tempfile
import time
from functools import partial
from dataclasses import dataclass
from pathlib import Path

from scenetui.domain import VideoMetadata
from scenetui.domain.events import AssemblyFinished, AssemblyProgress, AssemblySkipped, AssemblyStarted, LogLine
from scenetui.engine.context import RenderContext
from scenetui.errors import UserError
from scenetui.media.assemble import assemble
from scenetui.media.ffmpeg import FFmpegError
from scenetui.media.film import FilmReport, Music, Transition, make_film, music_problem, parse_transition
from scenetui.media.probe import InvalidClip, film_clip_problem, probe
from scenetui.media.captions import (MAX_CAPTION, Cue, add_subtitle_track, burn_subtitles, caption_cues, srt_text,
                                     vtt_text)
from scenetui.media.soundtrack import DUCK_DEFAULT, Loudness
from scenetui.media.timeline import TimelineClip, TimelineSound, write_timeline
from scenetui.safeopen import shared_mode
from scenetui.storage.atomic import write_text_atomic


@dataclass(frozen=True)
class ExportOptions:
    """What `export` was asked for; `transition` is the default where a scene names none."""

    transition: Transition = Transition()
    music: Music | None = None
    quality: str | None = None
    output: Path | None = None
    timeline: Path | None = None  # .otio or .edl for an editor
    subtitles: bool = False  # scenes' captions: final.srt / final.vtt beside the film and a soft track in it
    burn_subtitles: bool = False  # the captions drawn into the picture instead of the soft track
    duck: float = DUCK_DEFAULT  # dB the music drops under a scene's own sound
    loudness: Loudness | None = Loudness()  # None: the levels as mixed
    clip_sound: bool = True  # the clips' own audio goes into the film


def film_cache(ctx: RenderContext) -> Path:
    """Clips normalised to the film's profile, kept beside the script's clips (made on arrival or at export)."""
    return ctx.store.staging_path(ctx.script_id, "x").parent.parent / ".normalised"


def scene_transitions(ctx: RenderContext, default: Transition) -> list[Transition]:
    """Per boundary: the scene's own `transitionToNext` (e.g. "dissolve:0.8"), else the default."""
    out = []
    scenes = ctx.loaded.script.scenes
    for i, scene in enumerate(scenes[:-1]):
        own = (scene.model_extra or {}).get("transitionToNext")
        if own is None:
            out.append(default)
            continue
        if not isinstance(own, str):
            raise UserError(f"scenes[{i}].transitionToNext must be a string like \"dissolve:0.8\"")
        try:
            out.append(parse_transition(own))
        except UserError as exc:
            raise UserError(f"scenes[{i}].transitionToNext: {exc.message}", hint=exc.hint) from None
    return out


def check_output(path: Path) -> Path:
    """The -o target must be a file name in a folder we can write (checked before any work). A link is written
    through (its target is replaced, the link stays); a device, pipe or socket is refused: the output is written
    beside it and renamed over it, which would replace `/dev/null` itself for root."""
    path = path.expanduser()
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_dir() and not stat.S_ISREG(path.stat().st_mode):
        raise UserError(f"{path} is not a regular file (a device, pipe or socket)",
                        hint="give a file name, e.g. -o film.mp4; nothing was written")
    if path.is_dir():
        raise UserError(f"{path} is a folder", hint="give a file name, e.g. -o film.mp4")
    if not path.parent.is_dir():
        raise UserError(f"folder {path.parent} does not exist", hint="create it or choose another path")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"cannot write {path}", hint="choose a folder you can write to")
    return path


async def gather_clips(ctx: RenderContext) -> list[Path]:
    """Every scene's clip, checked; a missing or damaged one is named with the command that remakes it."""
    script = ctx.loaded.script
    clips, missing = await scene_clips(ctx)
    name = ctx.loaded.name
    if missing:
        which = ",".join(map(str, missing))
        raise UserError(f"scene(s) {which} have no clip yet", hint=f"render them: scenetui render {name} --scenes {which}")
    for i, path in enumerate(clips):
        problem = await asyncio.to_thread(film_clip_problem, path, seconds=script.video.seconds)
        if problem is not None:
            raise _damaged_scene(ctx, i, problem)
    return clips


def check_music_volume(db: float) -> None:
    """The music level in dB: a finite number from -60 to 20."""
    if not (math.isfinite(db) and -60 <= db <= 20):
        raise UserError(f"--music-volume {db}: out of range", hint="give a level in dB from -60 to 20")


def check_music(music: Music | None) -> None:
    if music is not None:
        why = music_problem(music.path)
        if why:
            raise UserError(why, hint="give an audio file (mp3, m4a, wav, ogg, flac…)")


def _sequence(ctx: RenderContext, clips: list[Path], transitions: list[Transition],
              bridges: dict[int, Path]) -> tuple[list[Path], list[Transition], list[str]]:
    """Scene clips with the generated bridge clips between them; a bridge is joined with cuts on both sides."""
    seq: list[Path] = []
    joins: list[Transition] = []
    names: list[str] = []
    for i, clip in enumerate(clips):
        seq.append(clip)
        names.append(ctx.loaded.script.scenes[i].label(i))
        if i == len(clips) - 1:
            break
        t = transitions[i]
        if t.is_bridge:
            if i not in bridges:
                raise UserError(f"scenes {i}→{i + 1} want a bridge clip, and none was generated",
                                hint="bridges are generated by Luma: pass --backend luma")
            joins += [Transition(), Transition()]
            seq.append(bridges[i])
            names.append(f"bridge {i}→{i + 1}")
        else:
            joins.append(t)
    return seq, joins, names


def check_export_options(options: ExportOptions) -> tuple[Path | None, Path | None]:
    """Every export argument, before anything is read or written: (output, timeline) as they will be written."""
    output = check_output(options.output) if options.output else None
    timeline = check_output(options.timeline) if options.timeline else None
    if timeline is not None and timeline.suffix.lower() not in (".otio", ".edl"):
        raise UserError(f"--timeline {timeline.name}: unknown timeline format", hint="use a .otio or .edl file name")
    if options.music is not None:
        check_music_volume(options.music.volume_db)
    check_music(options.music)
    return output, timeline


async def export_film(ctx: RenderContext, options: ExportOptions,
                      bridges: dict[int, Path] | None = None) -> tuple[str, FilmReport]:
    """Assemble the film into the store (replacing the previous one only when the new one is whole)."""
    script = ctx.loaded.script
    output, timeline = check_export_options(options)
    transitions = scene_transitions(ctx, options.transition)
    if options.subtitles:  # every caption checked before anything is read or written
        for i in range(len(script.scenes)):
            scene_caption(ctx, i)
    await ctx.store.prepare(script.id)
    scene_files = await gather_clips(ctx)
    clips, joins, names = _sequence(ctx, scene_files, transitions, bridges or {})
    staged = ctx.store.staging_path(script.id, "film")
    work = staged.parent / f"film-work-{os.getpid()}"
    started = time.monotonic()
    voiced = options.clip_sound and await asyncio.to_thread(any_sound, clips)
    plain = (all(t.is_cut for t in joins) and options.music is None and options.quality is None and not bridges
             and not voiced)
    ctx.bus.emit(AssemblyStarted(len(clips), "concat" if plain else "transitions"))
    report_progress = lambda f: ctx.bus.emit(AssemblyProgress(round(f, 4)))  # noqa: E731
    try:
        if plain:
            plan = await assemble(clips, staged, on_progress=report_progress, clip_seconds=script.video.seconds)
            report = FilmReport(duration=plan.duration, method=plan.method, transitions=list(joins),
                                frames=[c.frames for c in plan.clips])
        else:
            report = await make_film(clips, joins, staged, work, size=script.video.size, fps=script.video.fps,
                                     music=options.music, quality=options.quality, cache=film_cache(ctx),
                                     on_progress=report_progress, duck=options.duck, loudness=options.loudness,
                                     clip_sound=options.clip_sound)
        for note in report.notes:
            ctx.bus.emit(LogLine("warning", note))
        # the cues once, for the subtitles and the editor's markers (a caption --subtitles would refuse was
        # refused before anything ran; without --subtitles such a caption is only left out of the timeline)
        cues = (film_cues(ctx, transitions, bridges or {}, report) if options.subtitles else
                _timeline_cues(ctx, transitions, bridges or {}, report) if timeline is not None else [])
        sidecars = await _captions(ctx, cues, report, staged, work, options) if options.subtitles else {}
        info = await asyncio.to_thread(probe, staged)
        meta = VideoMetadata(duration=info.duration, resolution=info.resolution, size=info.size_bytes, fps=info.fps,
                             codec=info.codec, backend="export")
        if output is not None:
            await asyncio.to_thread(_copy_replacing, staged, output)
        if timeline is not None:
            voiced = report.voiced or [False] * len(clips)
            entries = [TimelineClip(name, clip, frames, sound) for name, clip, frames, sound
                       in zip(names, clips, report.frames, voiced)]
            sound = TimelineSound(options.music, options.duck, cues)
            await asyncio.to_thread(write_timeline, timeline, script.title or script.id, entries, report.transitions,
                                    round(script.video.fps), sound)
        await ctx.store.save_final(script.id, staged, meta)
        final = str(ctx.store.final_path(script.id))
        if sidecars:  # beside the film where the store keeps it (the workspace, the bucket), and beside -o FILE
            await ctx.store.save_film_captions(script.id, sidecars)
            for suffix, text in sidecars.items():
                if output is not None:
                    await asyncio.to_thread(partial(write_text_atomic, output.with_suffix(suffix), text,
                                                    mode=shared_mode()))
        level = report.loudness
        ctx.bus.emit(AssemblyFinished(str(output or final), info.duration, report.method,
                                      round(time.monotonic() - started, 3), level and round(level.lufs, 1),
                                      level and round(level.true_peak, 1), sum(report.voiced)))
        return str(output or final), report
    except FFmpegError as exc:
        raise await _damaged(ctx, scene_files, exc) from None
    finally:
        staged.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def scene_caption(ctx: RenderContext, index: int) -> str | None:
    """A scene's `caption` (or `dialogue`) field, kept by the script model as an unknown field."""
    extra = ctx.loaded.script.scenes[index].model_extra or {}
    for key in ("caption", "dialogue"):
        value = extra.get(key)
        if isinstance(value, str) and value.strip():
            if len(value) > MAX_CAPTION:
                raise UserError(f"scenes[{index}].{key} is {len(value)} characters (at most {MAX_CAPTION})",
                                hint="a caption is a line or two; shorten it")
            return value
        if value is not None and not isinstance(value, str):
            raise UserError(f"scenes[{index}].{key} must be text", hint='e.g. "caption": "The storm breaks."')
    return None


def film_cues(ctx: RenderContext, transitions: list[Transition], bridges: dict[int, Path], report: FilmReport
              ) -> list[Cue]:
    """Each scene's caption over its time in the film as made (its transitions' overlaps, bridges uncaptioned)."""
    n = len(ctx.loaded.script.scenes)
    texts: list[str | None] = []
    for i in range(n):  # the film's clips in order: each scene, and a bridge clip after it where one was made
        texts.append(scene_caption(ctx, i))
        if i < n - 1 and transitions[i].is_bridge and i in bridges:
            texts.append(None)
    fps = ctx.loaded.script.video.fps
    overlaps = [0 if t.is_cut else round(t.seconds * fps) for t in report.transitions]
    return caption_cues(texts, report.frames, overlaps, fps)


async def _captions(ctx: RenderContext, cues: list[Cue], report: FilmReport, staged: Path, work: Path,
                    options: ExportOptions) -> dict[str, str]:
    """The cues as a soft track muxed into `staged` (or burned into its picture), and the sidecar texts by suffix."""
    if not cues:
        ctx.bus.emit(LogLine("warning", "no scene has a caption (or dialogue) field: no subtitles were written"))
        return {}
    srt = srt_text(cues)
    work.mkdir(parents=True, exist_ok=True)
    (work / "captions.srt").write_text(srt, encoding="utf-8")
    muxed = work / "with-subtitles.mp4"
    if options.burn_subtitles:
        await burn_subtitles(staged, work / "captions.srt", muxed, options.quality or "high", report.duration)
    else:
        await add_subtitle_track(staged, work / "captions.srt", muxed)
    os.replace(muxed, staged)
    return {".srt": srt, ".vtt": vtt_text(cues)}


def _timeline_cues(ctx: RenderContext, transitions: list[Transition], bridges: dict[int, Path],
                   report: FilmReport) -> list[Cue]:
    """The captions an editor sees as markers; a caption `--subtitles` would refuse is left out of the timeline."""
    try:
        return film_cues(ctx, transitions, bridges, report)
    except UserError:
        return []


def any_sound(clips: list[Path]) -> bool:
    """Whether any clip has an audio track of its own (then the film is mixed, never concatenated)."""
    return any(probe(clip, headers_only=True).has_audio for clip in clips)


def _damaged_scene(ctx: RenderContext, index: int, why: object) -> UserError:
    """Scene `index`'s clip is damaged, with the command that remakes it."""
    return UserError(f"scene {index}'s clip is damaged ({why})",
                     hint=f"make it again: scenetui render {ctx.loaded.name} --scenes {index} --force")


async def _damaged(ctx: RenderContext, clips: list[Path], exc: FFmpegError) -> UserError:
    """ffmpeg refused what PyAV's headers accepted: name the scene whose clip does not decode, if one does not."""
    for i, clip in enumerate(clips):
        try:
            await asyncio.to_thread(probe, clip, decode=True)
        except InvalidClip as bad:
            return _damaged_scene(ctx, i, bad)
    return UserError(f"ffmpeg could not make the film ({exc.summary(200)})",
                     hint="the previous film is kept; run with --verbose and see logs/scenetui.log")


def _copy_replacing(src: Path, dest: Path) -> None:
    """Copy through a temp file beside `dest`, then rename: an interrupted export leaves the old file as it was."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, shared_mode())  # an exported film is made to be shared: the user's umask, like final.mp4
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)


async def scene_clips(ctx: RenderContext) -> tuple[list[Path], list[int]]:
    """Every scene's clip as a local file, in order, and the scenes that have none."""
    clips: list[Path] = []
    missing: list[int] = []
    for i in range(len(ctx.loaded.script.scenes)):
        path = await ctx.store.local_clip(ctx.script_id, i)
        (clips.append(path) if path else missing.append(i))
    return clips, missing


async def assemble_film(ctx: RenderContext) -> str | None:
    """Join every scene's clip into final.mp4 unless a scene has none yet or the film is already current."""
    script = ctx.loaded.script
    clips, missing = await scene_clips(ctx)
    if missing:
        ctx.bus.emit(AssemblySkipped(f"scene(s) {', '.join(map(str, missing))} have no clip yet; the film is assembled when all do"))
        return None
    final = ctx.store.final_path(script.id)
    if final is not None and _is_current(final, clips):
        ctx.bus.emit(AssemblySkipped("final film is already up to date"))
        return str(final)
    staged = ctx.store.staging_path(script.id, "final")
    started = time.monotonic()
    work = staged.parent / f"assembly-work-{os.getpid()}"
    progress = lambda f: ctx.bus.emit(AssemblyProgress(round(f, 4)))  # noqa: E731
    try:
        if await asyncio.to_thread(any_sound, clips):  # a clip's own sound is mixed in, never dropped by a concat
            ctx.bus.emit(AssemblyStarted(len(clips), "cuts"))
            report = await make_film(clips, [Transition()] * (len(clips) - 1), staged, work, size=script.video.size,
                                     fps=script.video.fps, cache=film_cache(ctx), on_progress=progress)
            method = report.method
        else:
            ctx.bus.emit(AssemblyStarted(len(clips), "concat"))
            method = (await assemble(clips, staged, on_progress=progress, clip_seconds=script.video.seconds)).method
        info = await asyncio.to_thread(probe, staged)
        meta = VideoMetadata(duration=info.duration, resolution=info.resolution, size=info.size_bytes, fps=info.fps,
                             codec=info.codec, backend="assembly")
        video = await ctx.store.save_final(script.id, staged, meta)
        path = str(final or video.video_url)
        ctx.bus.emit(AssemblyFinished(path, info.duration, method, round(time.monotonic() - started, 3)))
        return path
    finally:
        staged.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _is_current(final: Path, clips: list[Path]) -> bool:
    if not final.is_file():
        return False
    newest = max(p.stat().st_mtime_ns for p in clips)
    if final.stat().st_mtime_ns < newest:
        return False
    try:
        return abs(probe(final).duration - sum(probe(p).duration for p in clips)) < 0.2
    except InvalidClip:
        return False
