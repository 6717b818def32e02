"""The checklist as a tree: phases, then their steps with a status icon and any due or overdue marker."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from onboard.checklist.progress import Progress, StepView
from onboard.checklist.report import ICONS
from onboard.checklist.schema import Checklist
from onboard.tui.widgets.base import tone


class StepTree(Tree[str]):
    """Node data: a step id for a step, ``phase:<id>`` for a phase."""

    def __init__(self, checklist: Checklist, *, id: str | None = None) -> None:
        #: how long what follows a phase's title is (its count, OVERDUE): kept whole when the title is cut
        self._tails: dict[int, int] = {}
        super().__init__("Onboarding", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.checklist = checklist
        self.step_nodes: dict[str, TreeNode[str]] = {}
        self.phase_nodes: dict[str, TreeNode[str]] = {}
        for phase in checklist.phases:
            node = self.root.add(phase.title, data=f"phase:{phase.id}", expand=True)
            self.phase_nodes[phase.id] = node
            for step in (s for s in checklist.steps if s.phase == phase.id):
                self.step_nodes[step.id] = node.add_leaf(f"○ {step.title}", data=step.id)

    def show_progress(self, where: Progress | None) -> None:
        """Relabel every node from ``where`` (``None``: no workspace yet, every step to do)."""
        views = {view.id: view for view in where.steps} if where else {}
        for phase in self.checklist.phases:
            in_phase = [views[s.id] for s in self.checklist.steps if s.phase == phase.id and s.id in views]
            tail = Text()
            if in_phase:
                done = sum(view.finished for view in in_phase)
                tail.append(f"  {done}/{len(in_phase)}", style=tone(self, "done" if done == len(in_phase) else "todo"))
                if any(view.overdue for view in in_phase):
                    tail.append("  OVERDUE", style=tone(self, "blocked", bold=True))
            node = self.phase_nodes[phase.id]
            self._tails[node.id] = len(tail)
            node.set_label(Text.assemble((phase.title, "bold"), tail))
        for step_id, node in self.step_nodes.items():
            view = views.get(step_id)
            node.set_label(self._label(view) if view else Text(f"○ {self.checklist.by_id[step_id].title}"))

    def _label(self, view: StepView) -> Text:
        label = Text()
        label.append(ICONS[view.status], style=tone(self, view.status, bold=True))
        label.append(" ")
        if view.overdue:
            label.append("OVERDUE ", style=tone(self, "blocked", bold=True))
        elif view.due and not view.finished:
            label.append(f"due {view.due:%b %d} ", style=tone(self, "waiting"))
        label.append(view.step.title, style="dim" if view.status == "skipped" else "")
        return label

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """The label cut to the tree's width with an ellipsis (a phase's count and OVERDUE kept whole),
        rather than cropped mid-word at the edge."""
        label = super().render_label(node, base_style, style)
        length = self._tails.get(node.id, 0)
        head, tail = label[: len(label) - length], label[len(label) - length :]
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        # the root is not shown: a phase sits at the left edge, a step one guide in
        room = self.scrollable_content_region.width - self.guide_depth * (depth - 1) - tail.cell_len
        if room > 1 and head.cell_len > room:
            head.truncate(room, overflow="ellipsis")
            label = Text.assemble(head, tail)
        return label

    def select_step(self, step_id: str) -> None:
        node = self.step_nodes.get(step_id)
        if node is None:
            return
        if node.parent is not None and not node.parent.is_expanded:
            node.parent.expand()
        self.move_cursor(node)

    @property
    def current_step(self) -> str | None:
        node = self.cursor_node
        if node is None or node.data is None or node.data.startswith("phase:"):
            return None
        return node.data
