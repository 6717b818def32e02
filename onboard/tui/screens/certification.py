"""Certification: run the catalog in a worker thread, each case's result as it ends, then the recorded run.

``certify`` is synchronous (it runs its own event loop), so it runs in a thread worker and reports each
case back with ``call_from_thread``; the screen stays responsive, and quitting mid-run asks first
(the run cancels every label it bought when it ends). The table then shows the run as recorded in
``runs/<run_id>/run.json``; Enter opens a case.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, ProgressBar, Static
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from onboard.display import shown
from onboard.tui.runs import RunView, latest_run, load_run, verdict
from onboard.tui.widgets.base import CASE_ICONS, ReportsWorkerFailures, onboard_app, one_line, tone, toned
from onboard.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from onboard.certify.catalog import Case

#: what to do about no credentials, said as this app does it
STORE_THEM = (
    "store them on Credentials (2, type them, Ctrl+S), or set LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN"
)
#: the columns of fixed width (icon, case, time), and the narrowest the title and detail may be
FIXED = {"icon": 1, "case": 5, "time": 6}
NARROWEST = 12


class CaseTable(DataTable[str | Text]):
    """The run's cases, one a row; Enter opens one (shown in the footer, unlike DataTable's own)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open case")]


class CertificationScreen(ReportsWorkerFailures, Screen[None]):
    TITLE = "Certification"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("o", "open", "Open case", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.latest: RunView | None = None
        self.cases: list[tuple[str, str]] = []
        self._done = 0
        self._started = 0.0
        self._ticker: Timer | None = None
        self._reopened = False

    def compose(self) -> ComposeResult:
        yield SectionBar("certification")
        yield Static("Reading the catalog…", id="certify-env")
        with Horizontal(id="certify-progress"):
            yield ProgressBar(total=1, show_eta=False, id="certify-bar")
            yield Static("", id="certify-status")
        yield CaseTable(cursor_type="row", zebra_stripes=True, id="cases")
        yield Static("", id="run-summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table: DataTable[str | Text] = self.query_one(DataTable)
        table.add_column("", key="icon", width=FIXED["icon"])
        table.add_column("Case", key="case", width=FIXED["case"])
        table.add_column("Title", key="title", width=30)
        table.add_column("Time", key="time", width=FIXED["time"])
        table.add_column("Detail", key="detail", width=30)
        table.focus()
        self._describe_environment()
        self._load()

    def on_screen_resume(self) -> None:
        # a run made meanwhile ('onboard certify' in another terminal) shows when the section is opened again
        if self.cases and not onboard_app(self).certifying():
            self._describe_environment()
            self._load()

    def _describe_environment(self) -> None:
        app = onboard_app(self)
        if app.workspace is None:
            return
        profile = app.workspace.state.profile
        custom = app.settings.lwa_url or app.settings.spapi_url
        where = {
            "emulator": "the embedded emulator (no credentials needed)",
            "sandbox": f"Amazon's sandbox, region {profile.region}",
            "production": f"Amazon's PRODUCTION, region {profile.region}: labels are bought, then cancelled",
        }[profile.environment]
        if custom:
            # shown without the URL's userinfo (a proxy's password), as everywhere
            where = f"{shown(app.settings.spapi_url or app.settings.lwa_url, 100)} (ONBOARD_ URL settings)"
        self.query_one("#certify-env", Static).update(
            Text.assemble(("Against: ", "bold"), where, ("  ·  ", "dim"), profile.business_id)
        )

    # --- loading what is on disk ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self) -> None:
        from onboard.certify.catalog import load_catalog  # noqa: PLC0415

        app = onboard_app(self)
        try:
            catalog = [(shown(case.id, 20), shown(case.title, None)) for case in load_catalog(app.workspace_dir)]
            path = latest_run(app.workspace_dir)
            run = load_run(path) if path else None
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self._status, f"✗ {one_line(error)}", "failed")
            return
        app.call_from_thread(self._loaded, catalog, run)

    def _loaded(self, catalog: list[tuple[str, str]], run: RunView | None) -> None:
        self.cases = catalog
        self.latest = run
        if run is not None:
            self._show_run(run)
        else:
            self._show_catalog("pending")
            self._summary(
                Text(f"{len(catalog)} cases in the catalog, never run here: press r to run them.", style="dim")
            )
        self.query_one(ProgressBar).update(total=max(1, len(self.cases)), progress=len(self.cases) if run else 0)

    def _show_catalog(self, status: str) -> None:
        table: DataTable[str | Text] = self.query_one(DataTable)
        table.clear()
        for case_id, title in self.cases:
            table.add_row(
                toned(self, CASE_ICONS[status], status, bold=True),
                case_id,
                _cut(Text(title)),
                "",
                _cut(Text(status, style="dim")),
                key=case_id,
            )
        self._fit_columns()

    def _show_run(self, run: RunView) -> None:
        app = onboard_app(self)
        table: DataTable[str | Text] = self.query_one(DataTable)
        table.clear()
        for case in run.cases:
            table.add_row(
                toned(self, CASE_ICONS.get(case.status, "?"), case.status, bold=True),
                case.id,
                _cut(Text(case.title)),
                f"{case.elapsed_ms / 1000:.2f}s",
                _cut(toned(self, case.detail or case.status, case.status if case.status != "passed" else "todo")),
                key=case.id,
            )
        self._fit_columns()
        if app.ui.case and app.ui.case in {case.id for case in run.cases}:
            table.move_cursor(row=table.get_row_index(app.ui.case), animate=False)
            if app.ui.case_open and not self._reopened:
                self.open_case(app.ui.case)  # it was open when the app was left
        self._reopened = True
        counts = run.counts()
        words = ", ".join(f"{n} {status}" for status, n in counts.items())
        mark, status, lacks = verdict(run)
        text = Text.assemble(
            (mark, tone(self, status, bold=True)),
            f": {words}",
            (f"  ·  run {run.run_id}, {run.environment}", "dim"),
        )
        # a few lines at most: the summary has no room for one line per label
        lines = [f"the run stopped: {run.stopped}"] if run.stopped else []
        if lacks:
            lines.append(f"partial: {lacks}")
        if run.left_open:
            lines.append(
                f"{len(run.left_open)} label(s) left open: {_first_few(run.left_open)}; "
                + (
                    "'onboard certify --cleanup' cancels them once the server answers"
                    if run.stopped
                    else "'onboard certify --cleanup' cancels them"
                )
            )
        if run.cancel_failures and not run.stopped:  # after a stop every cancel failed for the same reason
            lines.append(f"cancel failed: {_first_few(run.cancel_failures, 1)}")
        for line in lines:
            text.append(f"\n! {line}", style=tone(self, "failed"))
        self._summary(text)

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Title and detail share the width left by the fixed columns: the title as wide as the longest one
        while the details are short (never run, running), three fifths once they are long; what does not
        fit ends in an ellipsis."""
        table: DataTable[str | Text] = self.query_one(DataTable)
        columns = table.columns
        if "title" not in columns or table.size.width <= 0:
            return
        padding = 2 * table.cell_padding * len(columns)
        room = table.size.width - padding - sum(FIXED.values()) - 2  # 2: the vertical scrollbar, when there is one
        titles = [_width(table.get_cell(row, "title")) for row in table.rows]
        details = [_width(table.get_cell(row, "detail")) for row in table.rows]
        longest, detail = max(titles, default=5), max(details, default=6)
        title = max(NARROWEST, min(longest, max(room - detail, room * 3 // 5)))
        widths = {"title": title, "detail": max(NARROWEST, room - title)}
        changed = False
        for key, width in widths.items():
            column = columns[key]  # type: ignore[index]
            if column.width != width:
                column.width = width
                changed = True
        if changed:
            # DataTable has no public way to resize a column: its caches hold the old widths
            table._clear_caches()
            table._require_update_dimensions = True
            table.refresh()

    def _summary(self, text: Text) -> None:
        self.query_one("#run-summary", Static).update(text)

    def _status(self, text: str, status: str) -> None:
        self.query_one("#certify-status", Static).update(toned(self, text, status))

    # --- running -------------------------------------------------------------------------------------

    def action_run(self) -> None:
        app = onboard_app(self)
        if app.certifying():
            self.notify("A certification is already running.")
            return
        if app.workspace is not None and app.workspace.state.profile.environment == "production":
            from onboard.tui.screens.confirm import ConfirmScreen  # noqa: PLC0415

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start()

            app.push_screen(
                ConfirmScreen(
                    "Buy real labels?",
                    "Against production, certification buys real labels, charged to your account until each is "
                    "cancelled; every label is cancelled at the end of the run. The sandbox needs no purchase.",
                    yes="Buy and cancel",
                ),
                answered,
            )
            return
        self._start()

    def _start(self) -> None:
        self._done = 0
        self._started = time.monotonic()
        self._show_catalog("running")
        self.query_one(ProgressBar).update(total=max(1, len(self.cases)), progress=0)
        self._summary(Text("Running… every label bought is cancelled at the end of the run.", style="dim"))
        self._tick()
        self._ticker = self.set_interval(0.2, self._tick)
        self._certify()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self._status(f"{self._done} of {len(self.cases)} cases · {elapsed:.1f} s", "running")

    @work(thread=True, exclusive=True, exit_on_error=False, group="certify")
    def _certify(self) -> None:
        from onboard.certify.catalog import load_catalog  # noqa: PLC0415 - heavy imports only when certifying
        from onboard.certify.session import certify  # noqa: PLC0415

        app = onboard_app(self)
        workspace = app.workspace
        assert workspace is not None

        def progress(result: Any) -> None:
            app.call_from_thread(
                self._case_done,
                str(result.id),
                str(result.status),
                float(result.elapsed_ms),
                shown(result.detail, None),
            )

        from onboard.environments import NoCredentials  # noqa: PLC0415

        try:
            cases: list[Case] = load_catalog(workspace.path)
            outcome = certify(workspace, app.settings, cases, None, None, progress)
        except NoCredentials as error:
            app.call_from_thread(self._finished, None, one_line(NoCredentials(error.message.split(":")[0], STORE_THEM)))
            return
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self._finished, None, one_line(error))
            return
        app.call_from_thread(self._finished, outcome.record, "")

    def _case_done(self, case_id: str, status: str, elapsed_ms: float, detail: str) -> None:
        self._done += 1
        self.query_one(ProgressBar).update(progress=self._done)
        table: DataTable[str | Text] = self.query_one(DataTable)
        try:
            table.update_cell(case_id, "icon", toned(self, CASE_ICONS.get(status, "?"), status, bold=True))
            table.update_cell(case_id, "time", f"{elapsed_ms / 1000:.2f}s")
            table.update_cell(
                case_id, "detail", _cut(toned(self, detail or status, status if status != "passed" else "todo"))
            )
        except (CellDoesNotExist, RowDoesNotExist):  # the catalog changed meanwhile
            return
        self._fit_columns()
        self._tick()

    def _finished(self, record: Path | None, error: str) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        elapsed = time.monotonic() - self._started
        if record is None:
            # no run was made (or none recorded): the rows go back to what is on disk, never left "running"
            if self.latest is not None:
                self._show_run(self.latest)
            else:
                self._show_catalog("pending")
            self.query_one(ProgressBar).update(progress=len(self.cases) if self.latest else 0)
            what = "did not start" if self._done == 0 else "did not complete"
            self._status(f"✗ the run {what}", "failed")
            self._summary(toned(self, f"The run {what}: {error}", "failed"))
            return
        try:
            self.latest = load_run(record)
        except Exception as error_:  # shown as one line, never a traceback
            self._status(f"✗ {one_line(error_)}", "failed")
            return
        self._status(f"done in {elapsed:.1f} s", "passed" if self.latest.ok else "failed")
        self._show_run(self.latest)
        self.notify(
            "Every case passed." if self.latest.ok else "Some cases failed: Enter shows why.",
            title="Certification",
            severity="information" if self.latest.ok else "warning",
        )

    # --- drilling down -------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value and self.latest is not None:
            onboard_app(self).remember(case=event.row_key.value)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_case(event.row_key.value)

    def action_open(self) -> None:
        table: DataTable[str | Text] = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.open_case(key.value)

    def open_case(self, case_id: str | None) -> None:
        if onboard_app(self).certifying():
            self.notify("The run is still going: its record opens when it ends.")
            return
        if self.latest is None or case_id is None or self.latest.case(case_id) is None:
            self.notify("No recorded result for this case yet: press r to run the catalog.")
            return
        from onboard.tui.screens.case import CaseScreen  # noqa: PLC0415

        app = onboard_app(self)
        app.remember(case=case_id, case_open=True)
        app.push_screen(CaseScreen(self.latest, case_id), lambda _: app.remember(case_open=False))


def _cut(text: Text) -> Text:
    """A cell that ends in an ellipsis when its column is narrower than it."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else len(str(cell))


def _first_few(items: list[str], count: int = 2) -> str:
    more = len(items) - count
    return ", ".join(items[:count]) + (f" and {more} more" if more > 0 else "")
