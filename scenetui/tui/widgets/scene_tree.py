"""The left pane: the script as a tree (script → scenes → start keyframe, end keyframe, video), rows updated in place."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Region
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from scenetui.domain.board import DONE, Board
from scenetui.domain.script import AIScript
from scenetui.tui.format import scene_row, size


@dataclass(frozen=True)
class NodeRef:
    """What a tree row stands for: a scene, or one of its parts."""

    index: int  # -1: the script itself
    part: str = "scene"  # scene | start | end | video


class SceneTree(Tree[NodeRef]):
    """Built once; afterwards only the labels of changed scenes are replaced (never a rebuild)."""

    def __init__(self, script: AIScript, board: Board, on_cursor: Callable[[int | None], None] | None = None,
                 **kwargs: object) -> None:
        super().__init__(Text(script.title or script.id), data=NodeRef(-1, "script"), **kwargs)  # type: ignore[arg-type]
        self.on_cursor = on_cursor  # told of the scene under the cursor (None: the script) as the cursor moves
        self.script, self.board = script, board
        self.marked: set[int] = set()
        # scenes other render boxes hold: (host:pid, lease alive, the stage that box reports)
        self.boxes: dict[int, tuple[str, bool, str | None]] = {}
        self._scene_nodes: list[TreeNode[NodeRef]] = []
        self._video_nodes: list[TreeNode[NodeRef]] = []
        self._stale: set[int] = set()  # rows changed while off-screen
        self.wide = True
        self.guide_depth = 3

    def on_mount(self) -> None:
        self.root.expand()
        for i, scene in enumerate(self.script.scenes):
            node = self.root.add(self._label(i), data=NodeRef(i), expand=False)
            node.add_leaf(self._keyframe_label("start", scene.start_keyframe), data=NodeRef(i, "start"))
            node.add_leaf(self._keyframe_label("end", scene.end_keyframe), data=NodeRef(i, "end"))
            self._video_nodes.append(node.add_leaf(self._video_label(i), data=NodeRef(i, "video")))
            self._scene_nodes.append(node)
        if self._scene_nodes:
            self.call_after_refresh(self.move_cursor, self._scene_nodes[0])

    def reload(self, script: AIScript) -> None:
        """The script changed on disk (new keyframes): show its keyframes and titles."""
        self.script = script
        for i, node in enumerate(self._scene_nodes):
            scene = script.scenes[i]
            start, end = node.children[0], node.children[1]
            start.set_label(self._keyframe_label("start", scene.start_keyframe))
            end.set_label(self._keyframe_label("end", scene.end_keyframe))
        self.refresh_scenes(range(len(self._scene_nodes)))

    @staticmethod
    def _keyframe_label(which: str, ref: str | None) -> Text:
        if not ref:
            return Text(f"{which} keyframe: missing", style="red")
        return Text(f"{which} keyframe  ", style="") + Text(ref.rsplit("/", 1)[-1], style="dim")

    def _label(self, i: int, now: float | None = None) -> Text:
        scene = self.script.scenes[i]
        row = scene_row(scene.title or "(untitled)", self.board.scenes[i], self.board.expected_seconds, now, wide=self.wide)
        held = self.boxes.get(i)
        if held is not None:  # a shared script: the box working on it, or that it is gone and the scene free
            box, alive, stage = held
            row = row + (Text(f"  ⚑ {box}" + (f" {stage}" if stage else ""), style="cyan") if alive
                         else Text(f"  ⚑ {box} gone", style="red"))
        return (Text("■ ", style="bold") + row) if i in self.marked else row

    def _video_label(self, i: int) -> Text:
        s = self.board.scenes[i]
        if s.status == DONE:
            takes = f"  take {s.take} of {s.takes} (t)" if s.takes > 1 and s.take else ""
            return Text(f"video  {s.duration or 0:.1f}s {s.resolution or ''} {size(s.size)}" + ("  kept" if s.kept else "")
                        + takes)
        return Text("video  not generated yet", style="dim")

    def refresh_scenes(self, indices: set[int] | list[int] | range) -> None:
        """Relabel these scenes' rows: on-screen ones now, in one repaint; off-screen ones when scrolled to.

        With hundreds of scenes updating several times a second, relabelling rows nobody can see (and one
        repaint callback per row, as `TreeNode.set_label` does) is what would make keys feel slow.
        """
        now = time.time()
        top, bottom = self.scroll_offset.y, self.scroll_offset.y + self.size.height
        rows: list[Region] = []
        for i in indices:
            if not 0 <= i < len(self._scene_nodes):
                continue
            if self._shown(i, top, bottom):
                lines = self._relabel(i, now)
                rows.extend(Region(0, line - top, self.size.width, 1) for line in lines if top <= line < bottom)
            else:
                self._stale.add(i)
        if rows:
            self.refresh(*rows)  # only the rows whose words changed: the rest of the pane is not drawn again

    def _shown(self, i: int, top: int, bottom: int) -> bool:
        return any(top <= node.line < bottom for node in (self._scene_nodes[i], self._video_nodes[i]))

    def _relabel(self, i: int, now: float) -> list[int]:
        """New labels for scene i's rows; returns the tree lines whose label changed (most events change one)."""
        self._stale.discard(i)
        changed = []
        for node, label in ((self._scene_nodes[i], self._label(i, now)), (self._video_nodes[i], self._video_label(i))):
            label = self.process_label(label)
            if label != node._label:
                node._label = label  # what set_label does, minus its per-row repaint callback
                node._updates += 1  # invalidates the tree's cached line
                changed.append(node.line)
        return changed

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        """Tells `on_cursor` at once rather than through NodeHighlighted: a message arrives after the frame drawing
        the moved cursor, so what the cursor shows waited for the next frame (17–33 ms later)."""
        super().watch_cursor_line(previous_line, line)
        if previous_line != line and self.on_cursor is not None:
            node = self.cursor_node
            ref = None if node is None else node.data
            self.on_cursor(None if ref is None or ref.index < 0 else ref.index)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._stale:
            self.call_later(self.refresh_scenes, set(self._stale))

    def on_resize(self) -> None:
        self._show_stale()

    def on_tree_node_expanded(self) -> None:
        self._show_stale()

    def on_tree_node_collapsed(self) -> None:
        self._show_stale()

    def _show_stale(self) -> None:
        if self._stale:
            self.call_later(self.refresh_scenes, set(self._stale))

    @property
    def current_index(self) -> int | None:
        node = self.cursor_node
        return None if node is None or node.data is None or node.data.index < 0 else node.data.index

    def toggle_mark(self, index: int) -> None:
        self.marked.symmetric_difference_update({index})
        self.refresh_scenes([index])

    def select_scene(self, index: int) -> None:
        if 0 <= index < len(self._scene_nodes):
            self.move_cursor(self._scene_nodes[index])
