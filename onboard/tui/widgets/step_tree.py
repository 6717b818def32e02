"""The checklist as a tree: phases, then their steps with a status icon and any due or overdue marker."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from onboard.checklist.wording import ICONS
from onboard.tui.outline import Outline, StepLine
from onboard.tui.widgets.base import tone


class StepTree(Tree[str]):
    """Node data: a step id for a step, ``phase:<id>`` for a phase. Drawn from an outline (onboard.tui.outline),
    so the first frame can show it before the checklist's models are loaded."""

    def __init__(self, outline: Outline, *, id: str | None = None) -> None:
        #: how long what follows a phase's title is (its count, OVERDUE): kept whole when the title is cut
        self._tails: dict[int, int] = {}
        super().__init__("Onboarding", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.step_nodes: dict[str, TreeNode[str]] = {}
        self.phase_nodes: dict[str, TreeNode[str]] = {}
        for phase in outline.phases:
            # Text, not a string: a string label is read as markup, and a title's "[" is only a character
            node = self.root.add(Text(phase.title), data=f"phase:{phase.id}", expand=True)
            self.phase_nodes[phase.id] = node
            for step in (s for s in outline.steps if s.phase == phase.id):
                self.step_nodes[step.id] = node.add_leaf(Text(f"○ {step.title}"), data=step.id)
        self.show(outline)

    def show(self, outline: Outline) -> None:
        """Relabel every node from ``outline`` (a step without a status: no workspace yet, every step to do)."""
        lines = {line.id: line for line in outline.steps}
        for phase in outline.phases:
            in_phase = [s for s in outline.steps if s.phase == phase.id and s.status is not None]
            tail = Text()
            if in_phase:
                done = sum(line.finished for line in in_phase)
                tail.append(f"  {done}/{len(in_phase)}", style=tone(self, "done" if done == len(in_phase) else "todo"))
                if any(line.overdue for line in in_phase):
                    tail.append("  OVERDUE", style=tone(self, "blocked", bold=True))
            node = self.phase_nodes.get(phase.id)
            if node is None:
                continue  # a checklist changed under a running app: drawn as it was until the next start
            self._tails[node.id] = len(tail)
            node.set_label(Text.assemble((phase.title, "bold"), tail))
        for step_id, node in self.step_nodes.items():
            line = lines.get(step_id)
            if line is not None:
                node.set_label(self._label(line) if line.status is not None else Text(f"○ {line.title}"))

    def _label(self, line: StepLine) -> Text:
        label = Text()
        status = line.status or "todo"
        label.append(ICONS.get(status, "?"), style=tone(self, status, bold=True))
        label.append(" ")
        if line.overdue:
            label.append("OVERDUE ", style=tone(self, "blocked", bold=True))
        elif line.due and not line.finished:
            label.append(f"due {line.due:%b %d} ", style=tone(self, "waiting"))
        label.append(line.title, style="dim" if status == "skipped" else "")
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
