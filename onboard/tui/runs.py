"""Certification runs as the TUI shows them: views of the run record, built by ``onboard.certify.record``.

Reading ``run.json`` (any schema), and giving each call to its case, is the record's owner's work
(:func:`onboard.certify.record.read_run`, :func:`~onboard.certify.record.calls_by_case`); this module only
shapes what the screens draw, every text from a server through :func:`onboard.display.shown`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboard.certify.record import LABEL_FILE, Call, Label, RunRecord, calls_by_case, latest_run, read_run
from onboard.display import shown

__all__ = ["CallView", "CaseView", "LabelView", "RunView", "latest_run", "load_run", "verdict"]


@dataclass(frozen=True, slots=True)
class CallView:
    number: int
    operation: str
    method: str
    path: str
    status: int | None
    attempt: int
    request_id: str | None
    elapsed_ms: float
    error_code: str | None
    request: Any
    response: Any
    #: the case the runner recorded the call for (absent in older runs)
    case: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class LabelView:
    case: str
    kind: str
    format: str
    dpi: int
    tracking_id: str
    file: Path | None
    status: str
    passed: bool
    checks: tuple[dict[str, Any], ...]
    hint: str

    @property
    def name(self) -> str:
        reprint = " reprint" if self.kind == "reprint" else ""
        return f"{self.format} {self.dpi} dpi{reprint}"


@dataclass(slots=True)
class CaseView:
    id: str
    title: str
    status: str
    detail: str
    source: str
    elapsed_ms: float
    labels: list[LabelView] = field(default_factory=list)
    variants: list[dict[str, str]] = field(default_factory=list)
    calls: list[CallView] = field(default_factory=list)


@dataclass(slots=True)
class RunView:
    run_id: str
    directory: Path
    environment: str
    ok: bool
    started: str
    finished: str
    business_id: str
    cases: list[CaseView]
    unattributed: list[CallView]
    left_open: list[str]
    cancel_failures: list[str]
    #: the record this view draws; what is derived from the run is asked of it
    record: RunRecord
    #: why the run stopped early (the server stopped answering); None for a run that went to the end
    stopped: str | None = None

    def case(self, case_id: str) -> CaseView | None:
        return next((case for case in self.cases if case.id == case_id), None)

    def counts(self) -> dict[str, int]:
        return self.record.counts()

    @property
    def partial(self) -> bool:
        return self.record.partial


def verdict(run: RunView) -> tuple[str, str, str]:
    """The run in a few words for a screen: its mark, the tone to draw it in, and what it lacks for sign-off.

    A run whose selected cases all passed but that leaves out a flow, a label format or a dpi the shipper
    prints is no sign-off: it reads PARTIAL, in the waiting tone, never a plain pass.
    """
    lacks = "not enough for sign-off; it lacks " + _lacking(run.record) if run.partial else ""
    if run.stopped:
        return "✗ INCOMPLETE", "failed", lacks
    if not run.ok:
        return "✗ FAILED", "failed", lacks
    if run.partial:
        return "◐ PARTIAL", "waiting", lacks
    return "✓ passed", "passed", ""


def _lacking(record: RunRecord) -> str:
    """What a partial run left out, short enough for a screen's summary: flows by name, labels by format."""
    selection = record.selection
    if selection is None or record.printing is None:
        return "; ".join(record.lacks)
    flows = [
        f"{req.id} ({req.case} not run)" if req.case else f"{req.id} (no case proves it)"
        for req in record.requirements
        if req.case is None or req.case not in selection.cases
    ]
    dpis: dict[str, list[str]] = {}
    for fmt, dpi in record.printing.specs():
        if fmt not in selection.formats or dpi not in selection.dpis:
            dpis.setdefault(fmt, []).append(str(dpi))
    labels = [f"{fmt} at {' and '.join(values)} dpi" for fmt, values in dpis.items()]
    parts = [", ".join(flows), ", ".join(labels) and "labels " + ", ".join(labels)]
    return "; ".join(part for part in parts if part) or "; ".join(record.lacks)


def load_run(path: Path) -> RunView:
    record = read_run(path)
    directory = path.parent
    by_case, unattributed = calls_by_case(record)
    cases = [
        CaseView(
            id=case.id,
            title=shown(case.title, None),
            status=case.status,
            detail=shown(case.detail, None),
            source=shown(case.source, 40),
            elapsed_ms=case.elapsed_ms,
            labels=[_label(label, directory) for label in case.labels],
            variants=[variant.model_dump() for variant in case.variants],
            calls=[_call(number, call) for number, call in by_case.get(case.id, [])],
        )
        for case in record.cases
    ]
    return RunView(
        run_id=record.run_id,
        directory=directory,
        environment=record.environment,
        ok=record.ok,
        started=record.started.isoformat(),
        finished=record.finished.isoformat() if record.finished else "",
        business_id=shown(record.business_id, 40),
        cases=cases,
        unattributed=[_call(number, call) for number, call in unattributed],
        left_open=[shown(shipment, 80) for shipment in record.left_open],
        cancel_failures=[shown(failure, None) for failure in record.cancel_failures],
        record=record,
        stopped=shown(record.stopped, None) if not record.complete and record.stopped else None,
    )


def _label(label: Label, directory: Path) -> LabelView:
    return LabelView(
        case=label.case,
        kind=label.kind,
        format=label.format,
        dpi=label.dpi,
        tracking_id=shown(label.tracking_id, 60),
        # a record names its files inside the run's own labels/; nothing else is ever opened
        file=directory / label.file if label.file and LABEL_FILE.match(label.file) else None,
        status=label.status,
        passed=label.passed,
        checks=tuple(_shown(check.model_dump()) for check in label.report.checks),
        hint=shown(label.report.hint, None),
    )


def _call(number: int, call: Call) -> CallView:
    return CallView(
        number=number,
        operation=shown(call.operation, 40),
        method=shown(call.method, 10),
        path=shown(call.path, 200),
        status=call.status,
        attempt=call.attempt,
        request_id=shown(call.request_id, 80) if call.request_id else None,
        elapsed_ms=call.elapsed_ms,
        error_code=shown(call.error_code, 80) if call.error_code else None,
        request=_shown(call.request),
        response=_shown(call.response),
        case=call.case,
    )


def _shown(value: Any) -> Any:
    """A recorded body or report as it may be drawn: every string in it masked and made visible (one line
    each: a body is drawn as JSON, whose strings hold no line breaks)."""
    if isinstance(value, str):
        return shown(value, None)
    if isinstance(value, dict):
        return {shown(key, None): _shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value
