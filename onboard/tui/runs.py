"""Certification runs as the TUI shows them: ``runs/<run_id>/run.json`` read back, calls given to cases.

``run.json`` lists every call of the run in one sequence, each with the ``case`` it was made for. Runs
recorded before that field existed are matched by what ties a call to its case: the
``packageClientReferenceId`` the runner gives each case (``<run_id>-<case>-<n>``), then the quote,
shipment and tracking ids its earlier calls returned. What nothing ties is kept apart as unattributed
rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onboard.certify.record import latest_run
from onboard.errors import ConfigError

__all__ = ["CallView", "CaseView", "LabelView", "RunView", "latest_run", "load_run"]

_IDENTIFIERS = ("requestToken", "shipmentId", "trackingId")


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
    #: why the run stopped early (the server stopped answering); None for a run that went to the end
    stopped: str | None = None

    def case(self, case_id: str) -> CaseView | None:
        return next((case for case in self.cases if case.id == case_id), None)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for case in self.cases:
            found[case.status] = found.get(case.status, 0) + 1
        return found


def load_run(path: Path) -> RunView:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the run record {path} cannot be read ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"the run record {path} is not a run")
    directory = path.parent
    run_id = str(raw.get("run_id", directory.name))
    cases = [_case(entry, directory) for entry in raw.get("cases", []) if isinstance(entry, dict)]
    calls = [_call(number, entry) for number, entry in enumerate(raw.get("calls", []), 1) if isinstance(entry, dict)]
    unattributed = _attribute(run_id, cases, calls)
    return RunView(
        run_id=run_id,
        directory=directory,
        environment=str(raw.get("environment", "")),
        ok=bool(raw.get("ok")),
        started=str(raw.get("started", "")),
        finished=str(raw.get("finished", "")),
        business_id=str(raw.get("business_id", "")),
        cases=cases,
        unattributed=unattributed,
        left_open=[str(item) for item in raw.get("left_open", [])],
        cancel_failures=[str(item) for item in raw.get("cancel_failures", [])],
        stopped=str(raw["stopped"]) if raw.get("stopped") else None,
    )


def _case(entry: dict[str, Any], directory: Path) -> CaseView:
    return CaseView(
        id=str(entry.get("id", "?")),
        title=str(entry.get("title", "")),
        status=str(entry.get("status", "")),
        detail=str(entry.get("detail", "")),
        source=str(entry.get("source", "")),
        elapsed_ms=float(entry.get("elapsed_ms") or 0.0),
        labels=[_label(label, directory) for label in entry.get("labels", []) if isinstance(label, dict)],
        variants=[v for v in entry.get("variants", []) if isinstance(v, dict)],
    )


def _label(entry: dict[str, Any], directory: Path) -> LabelView:
    found = entry.get("report")
    report: dict[str, Any] = found if isinstance(found, dict) else {}
    file = entry.get("file")
    return LabelView(
        case=str(entry.get("case", "")),
        kind=str(entry.get("kind", "label")),
        format=str(entry.get("format", "")),
        dpi=int(entry.get("dpi") or 203),
        tracking_id=str(entry.get("tracking_id", "")),
        # a record names its files relative to the run; nothing outside the run directory is opened
        file=(directory / file) if isinstance(file, str) and ".." not in Path(file).parts else None,
        status=str(entry.get("status", "")),
        passed=bool(entry.get("passed")),
        checks=tuple(c for c in report.get("checks", []) if isinstance(c, dict)),
        hint=str(report.get("hint") or ""),
    )


def _call(number: int, entry: dict[str, Any]) -> CallView:
    status = entry.get("status")
    return CallView(
        number=number,
        operation=str(entry.get("operation", "")),
        method=str(entry.get("method", "")),
        path=str(entry.get("path", "")),
        status=status if isinstance(status, int) else None,
        attempt=int(entry.get("attempt") or 1),
        request_id=entry.get("request_id") if isinstance(entry.get("request_id"), str) else None,
        elapsed_ms=float(entry.get("elapsed_ms") or 0.0),
        error_code=entry.get("error_code") if isinstance(entry.get("error_code"), str) else None,
        request=entry.get("request"),
        response=entry.get("response"),
        case=entry.get("case") if isinstance(entry.get("case"), str) else None,
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _identifiers(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _IDENTIFIERS and isinstance(item, str) and item:
                yield item
            else:
                yield from _identifiers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _identifiers(item)


def _attribute(run_id: str, cases: list[CaseView], calls: list[CallView]) -> list[CallView]:
    by_id = {case.id: case for case in cases}
    reference = re.compile(re.escape(run_id) + r"-(.+)-\d+$")
    owner_of: dict[str, str] = {}
    unattributed: list[CallView] = []
    for call in calls:
        owner: str | None = call.case if call.case in by_id else None
        for text in _strings(call.request) if owner is None else ():
            match = reference.match(text)
            if match and match.group(1) in by_id:
                owner = match.group(1)
                break
        if owner is None:
            candidates = [call.path, *_strings(call.request), *_identifiers(call.response)]
            owner = next(
                (case_id for identifier, case_id in owner_of.items() if any(identifier in text for text in candidates)),
                None,
            )
        if owner is None:
            for text in _strings(call.response):
                match = reference.match(text)
                if match and match.group(1) in by_id:
                    owner = match.group(1)
                    break
        if owner is None:
            unattributed.append(call)
            continue
        by_id[owner].calls.append(call)
        for identifier in _identifiers(call.response):
            owner_of.setdefault(identifier, owner)
    return unattributed
