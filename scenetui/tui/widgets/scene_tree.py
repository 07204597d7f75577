"""The left pane: the script as a tree (script → scenes → start keyframe, end keyframe, video), rows updated in place."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from scenetui.domain.board import DONE, Board
from scenetui.scriptfile import LoadedScript
from scenetui.tui.format import scene_row, size


@dataclass(frozen=True)
class NodeRef:
    """What a tree row stands for: a scene, or one of its parts."""

    index: int  # -1: the script itself
    part: str = "scene"  # scene | start | end | video


class SceneTree(Tree[NodeRef]):
    """Built once; afterwards only the labels of changed scenes are replaced (never a rebuild)."""

    def __init__(self, loaded: LoadedScript, board: Board, **kwargs: object) -> None:
        super().__init__(loaded.script.title or loaded.script.id, data=NodeRef(-1, "script"), **kwargs)  # type: ignore[arg-type]
        self.loaded, self.board = loaded, board
        self.marked: set[int] = set()
        self._scene_nodes: list[TreeNode[NodeRef]] = []
        self._video_nodes: list[TreeNode[NodeRef]] = []
        self.wide = True
        self.guide_depth = 3

    def on_mount(self) -> None:
        self.root.expand()
        for i, scene in enumerate(self.loaded.script.scenes):
            node = self.root.add(self._label(i), data=NodeRef(i), expand=False)
            node.add_leaf(self._keyframe_label("start", scene.start_keyframe), data=NodeRef(i, "start"))
            node.add_leaf(self._keyframe_label("end", scene.end_keyframe), data=NodeRef(i, "end"))
            self._video_nodes.append(node.add_leaf(self._video_label(i), data=NodeRef(i, "video")))
            self._scene_nodes.append(node)
        if self._scene_nodes:
            self.call_after_refresh(self.move_cursor, self._scene_nodes[0])

    @staticmethod
    def _keyframe_label(which: str, ref: str | None) -> Text:
        if not ref:
            return Text(f"{which} keyframe: missing", style="red")
        return Text(f"{which} keyframe  ", style="") + Text(ref.rsplit("/", 1)[-1], style="dim")

    def _label(self, i: int, now: float | None = None) -> Text:
        scene = self.loaded.script.scenes[i]
        row = scene_row(scene.title or "(untitled)", self.board.scenes[i], self.board.expected_seconds, now, wide=self.wide)
        return (Text("■ ", style="bold") + row) if i in self.marked else row

    def _video_label(self, i: int) -> Text:
        s = self.board.scenes[i]
        if s.status == DONE:
            return Text(f"video  {s.duration or 0:.1f}s {s.resolution or ''} {size(s.size)}" + ("  kept" if s.kept else ""))
        return Text("video  not generated yet", style="dim")

    def refresh_scenes(self, indices: set[int] | list[int]) -> None:
        """Replace the labels of these scenes' rows (and their video rows)."""
        now = time.time()
        for i in indices:
            if 0 <= i < len(self._scene_nodes):
                self._scene_nodes[i].set_label(self._label(i, now))
                self._video_nodes[i].set_label(self._video_label(i))

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
