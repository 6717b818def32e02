"""A certification run on disk, and the one module that defines ``run.json`` and answers questions about it.

``<workspace>/runs/<run_id>/`` holds:

- ``run.json``: a :class:`RunRecord` (schema 2). It is written when the run starts, as not ended (so a run
  killed outright is never taken for a finished one), and again at its end, whatever the end was. Older
  records (schema 1) are upgraded in memory by :func:`upgrade`; nothing rewrites them on disk.
- ``labels/``: the label files exactly as the API returned them.
- ``pending.json``: every label bought and not yet cancelled, rewritten (atomically) the moment a label is
  bought or cancelled, so a run killed at any point leaves a true list for ``onboard certify --cleanup``.

Who uses it: the runner writes through :class:`RunRecorder`; ``pack``, ``review``, ``revalidate`` and the TUI
read with :func:`read_run` (a file) or :meth:`RunRecord.parse` (bytes from a pack), then ask the record what
they need: whether it was made against Amazon (:meth:`RunRecord.amazon_doubts`), its coverage of the
sign-off requirements (:meth:`RunRecord.coverage`), what is wrong with it (:meth:`RunRecord.problems`),
which calls each case made (:func:`calls_by_case`), what to confirm with Amazon. A label's verdict is
judged from its bytes by :func:`judge_label`, by the runner once and by ``review`` again.

Identifiers that came from a server (shipment and tracking ids) are data: they never name a file, and
:func:`shown` escapes them before they are printed.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onboard.certify.catalog import REQUIREMENTS, built_in_definitions
from onboard.display import counted, shown
from onboard.errors import ConfigError, DiskError
from onboard.files import atomic_write, disk_error, read_json
from onboard.labels import formats
from onboard.masking import mask_bytes

__all__ = [
    "EMULATOR_MARK",
    "EMULATOR_WORDS",
    "LEAKED",
    "NOT_FROM_AMAZON",
    "RUNS",
    "SCHEMA",
    "Call",
    "CaseRecord",
    "CoverageRow",
    "Endpoints",
    "FlowRequirement",
    "Label",
    "LabelReportRecord",
    "Pending",
    "Printing",
    "RunRecord",
    "RunRecorder",
    "Selection",
    "calls_by_case",
    "forget_purchase",
    "judge_label",
    "label_holds_a_secret",
    "latest_run",
    "new_run_id",
    "open_purchases",
    "read_pending",
    "read_run",
    "shown",
    "upgrade",
    "valid_run_id",
]

RUNS = "runs"
#: bump together with a step in :data:`_UPGRADES`
SCHEMA = 2
#: what the emulator prints on every label (its banner); a label that says it was not made by Amazon
EMULATOR_MARK = "ONBOARD EMULATOR"
#: the banner's words however they are spaced, cased or punctuated ("ONBOARD  EMULATOR", "not a real label")
EMULATOR_WORDS = r"ONBOARD\W*EMULATOR|NOT\W*A\W*REAL\W*LABEL"
_EMULATOR_WORDS = re.compile(EMULATOR_WORDS, re.IGNORECASE)
#: what every page, report and review of a run not made against Amazon says
NOT_FROM_AMAZON = "NOT FROM AMAZON — not valid for sign-off"
#: ``20261127T081243.005Z-3f9a0c``: sortable by start time, and safe as a directory and file name
RUN_ID = re.compile(r"^\d{8}T\d{6}(\.\d{3})?Z-[0-9a-f]{6}$")
#: a label's file as the run names it: directly in its own ``labels/``, a plain name
LABEL_FILE = re.compile(r"^labels/[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")

Status = Literal["passed", "failed", "skipped", "error"]
Environment = Literal["emulator", "sandbox", "production"]


def new_run_id(now: datetime | None = None) -> str:
    # to the millisecond: runs are found by sorting their ids, and two runs can start within one second
    at = now or datetime.now(UTC)
    stamp = at.strftime("%Y%m%dT%H%M%S") + f".{at.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


def valid_run_id(run_id: object) -> bool:
    return isinstance(run_id, str) and RUN_ID.match(run_id) is not None


# --- the record ------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Endpoints(_Model):
    api: str = ""
    lwa: str = ""
    #: ONBOARD_LWA_URL or ONBOARD_SPAPI_URL replaced a host
    custom: bool = False

    @field_validator("custom", mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        # schema 1 (and the manifests made from it) wrote the flag as the text "true" or "false"
        return value.lower() == "true" if isinstance(value, str) else value


class Call(_Model):
    """One HTTP attempt: timing, status, ``x-amzn-RequestId``, the bodies redacted."""

    case: str | None = None
    operation: str = ""
    method: str = ""
    path: str = ""
    attempt: int = 1
    status: int | None = None
    request_id: str | None = None
    elapsed_ms: float = 0.0
    error_code: str | None = None
    request: Any = None
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class LabelCheckRecord(_Model):
    name: str
    ok: bool
    detail: str = ""


class BarcodeRecord(_Model):
    symbology: str
    text: str = ""
    valid: bool = True
    error: str = ""
    page: int = 1


class LabelReportRecord(_Model):
    """``onboard.labels.check.LabelReport.to_json()``, with the rate's spec check first when there is one."""

    ok: bool = False
    status: str = ""
    format: str | None = None
    pages: int = 0
    width_in: float | None = None
    height_in: float | None = None
    dpi: int | None = None
    checks: list[LabelCheckRecord] = Field(default_factory=list)
    barcodes: list[BarcodeRecord] = Field(default_factory=list)
    hint: str = ""


class Label(_Model):
    case: str
    kind: Literal["label", "reprint"] = "label"
    format: str
    dpi: int
    tracking_id: str = ""
    shipment_id: str = ""
    #: the x-amzn-RequestId of the answer the label came in
    request_id: str | None = None
    #: ``labels/<name>`` inside the run; None when the answer held no file (the sandbox's placeholder)
    file: str | None = None
    sha256: str | None = None
    size: int = 0
    #: passed, failed, placeholder, unreadable; ``unchecked`` until the checks have run
    status: str = "unchecked"
    passed: bool = False
    report: LabelReportRecord = Field(default_factory=LabelReportRecord)

    @property
    def spec(self) -> str:
        return f"{self.format} {self.dpi} dpi"

    def problem(self) -> str:
        """Why the label fails, in one line (empty when it passes)."""
        if self.passed:
            return ""
        if self.status == "placeholder":
            return "placeholder label from the sandbox: " + (self.report.hint or "not a real label file")
        if self.status == "unchecked":
            # bought and kept, but the run ended (a stop, a crash) before its checks ran
            return f"label {self.file or self.spec} was never checked: the run ended before its checks ran"
        failures = [check.detail or check.name for check in self.report.checks if not check.ok]
        return f"label {self.file or self.spec} failed: " + ("; ".join(failures) or self.status)


class Variant(_Model):
    variant: str
    status: Status
    detail: str = ""


class CaseRecord(_Model):
    id: str
    title: str = ""
    status: Status
    detail: str = ""
    source: str = ""
    elapsed_ms: float = 0.0
    #: the sign-off requirement the catalog says this case proves
    requirement: str | None = None
    #: the SHA-256 of the case's definition as run (catalog.Case.definition); None in older records
    definition: str | None = None
    #: False when the case never ran or was cut short (the run was interrupted or stopped)
    reached: bool = True
    labels: list[Label] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Selection(_Model):
    """What the run was asked to do (``--case``, ``--formats``, ``--dpi``) out of what it could have."""

    cases: list[str]
    catalog: list[str]
    formats: list[str]
    dpis: list[int]


class Printing(_Model):
    """The label formats and dpis the shipper will print (the workspace's), which sign-off must see pass."""

    formats: list[str]
    dpis: list[int]

    def specs(self) -> list[tuple[str, int]]:
        return [(fmt, dpi) for fmt in self.formats for dpi in self.dpis]


class FlowRequirement(_Model):
    #: a key of ``onboard.certify.catalog.REQUIREMENTS``
    id: str
    #: the case the run's catalog marks for it; None when no case is
    case: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One line of the coverage table: requirement → case → result → x-amzn-RequestIds."""

    requirement: str
    case: str | None
    result: str
    request_ids: tuple[str, ...]
    ok: bool
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "case": self.case,
            "result": self.result,
            "request_ids": list(self.request_ids),
            "ok": self.ok,
        }


class RunRecord(_Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: int = Field(default=SCHEMA, alias="schema")
    run_id: str
    tool_version: str = ""
    environment: Environment
    endpoints: Endpoints = Field(default_factory=Endpoints)
    business_id: str = ""
    region: str = ""
    shipper: str = ""
    started: AwareDatetime
    finished: AwareDatetime | None = None
    ok: bool = False
    #: every selected case reached an outcome
    complete: bool = False
    #: why the run ended early (interrupted, the server stopped answering, an error); None when it did not
    stopped: str | None = None
    #: None in a record upgraded from schema 1, which did not say
    selection: Selection | None = None
    printing: Printing | None = None
    requirements: list[FlowRequirement] = Field(default_factory=list)
    #: the run cannot prove all sign-off needs: ``lacks`` says what is missing from it
    partial: bool = False
    lacks: list[str] = Field(default_factory=list)
    cases: list[CaseRecord] = Field(default_factory=list)
    left_open: list[str] = Field(default_factory=list)
    #: shipments the run's end cancelled, a case's own cancel aside: a label a cut-short case bought is here
    #: even when its case never recorded it
    cancelled_at_end: list[str] = Field(default_factory=list)
    cancel_failures: list[str] = Field(default_factory=list)
    calls: list[Call] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> RunRecord:
        if not valid_run_id(self.run_id):
            raise ValueError(f"run_id {shown(self.run_id, 60)!r} is not a run id onboard makes")
        if self.schema_ != SCHEMA:
            raise ValueError(f"schema {self.schema_} after upgrade, expected {SCHEMA}")
        if self.partial != bool(self.lacks):
            raise ValueError("partial must be true exactly when lacks names something")
        return self

    # --- reading -------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: bytes, where: str = "run.json") -> RunRecord:
        """A record from bytes (a file, a pack's entry): upgraded, validated; else one clear ConfigError."""
        try:
            raw = read_json(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{where} cannot be read: {str(exc).splitlines()[0]}") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{where} is not a run record")
        try:
            return cls.model_validate(upgrade(raw))
        except _TooNew as exc:
            raise ConfigError(f"{where} {exc}", "upgrade onboard to read it") from None
        except (ValidationError, ValueError) as exc:
            raise ConfigError(f"{where} is not a valid run record: {_first_error(exc)}") from None

    def to_bytes(self) -> bytes:
        # pydantic's own serializer: the bytes json.dumps(indent=2, ensure_ascii=False) made, in a tenth of
        # the time (the record is written before and after each purchase)
        body = self.model_dump_json(indent=2, by_alias=True).encode()
        # known secrets go by value too: an echoed request or token is in no field redaction knows by name
        return mask_bytes(body) + b"\n"

    # --- what is derived from it ---------------------------------------------------------------------

    def labels(self, kind: str | None = None) -> list[Label]:
        return [label for case in self.cases for label in case.labels if kind is None or label.kind == kind]

    def case(self, case_id: str) -> CaseRecord | None:
        return next((case for case in self.cases if case.id == case_id), None)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for case in self.cases:
            found[case.status] = found.get(case.status, 0) + 1
        return found

    def amazon_doubts(self) -> list[str]:
        """Why this run cannot have been made against Amazon; empty when everything says it was."""
        from onboard.spapi.endpoints import LWA_URLS, api_url  # noqa: PLC0415 - small, and only here

        if self.environment == "emulator":
            return [f"made against the emulator at {shown(self.endpoints.api, 80)}"]
        doubts = []
        if self.endpoints.custom:
            doubts.append(f"made against a custom endpoint at {shown(self.endpoints.api, 80)}")
        region = self.region if self.region in LWA_URLS else None
        if region is None:
            doubts.append(f"region {shown(self.region, 20)!r} is none of Amazon's")
        else:
            if self.endpoints.api.rstrip("/") != api_url(region, self.environment):
                doubts.append(f"the API host {shown(self.endpoints.api, 80)} is not Amazon's {self.environment} host")
            if self.endpoints.lwa != LWA_URLS[region]:
                doubts.append(f"the token host {shown(self.endpoints.lwa, 80)} is not Login with Amazon's")
        return doubts

    def made_against_amazon(self) -> bool:
        return not self.amazon_doubts()

    def coverage(self, required: Iterable[str] = ()) -> list[CoverageRow]:
        """Each sign-off requirement (the run's own, and ``required`` besides) and what the run shows of it."""
        rows: list[CoverageRow] = []
        recorded = {requirement.id: requirement.case for requirement in self.requirements}
        names = [name for name in REQUIREMENTS if name in recorded or name in set(required)]
        names += [name for name in recorded if name not in REQUIREMENTS]
        for name in names:
            rows.append(self._flow_row(name, recorded.get(name), built_in=name in set(required)))
        for fmt, dpi in self.printing.specs() if self.printing else []:
            rows.append(self._label_row(fmt, dpi))
        if self.printing is None:
            rows.append(
                CoverageRow("labels the shipper prints", None, "unknown", (), False, "the run does not say them")
            )
        return rows

    def _flow_row(self, name: str, case_id: str | None, *, built_in: bool = False) -> CoverageRow:
        known = REQUIREMENTS.get(name)
        title = known.title if known else name
        if known is None:
            return CoverageRow(title, case_id, "unknown", (), False, "not a requirement this onboard knows")
        if case_id is None:
            return CoverageRow(title, None, "missing", (), False, "no case in the catalog proves it")
        case = self.case(case_id)
        if case is None:
            return CoverageRow(title, case_id, "not run", (), False, f"{case_id} was not selected")
        ids = tuple(
            call.request_id
            for call in self.calls
            if call.case == case_id and call.operation == known.operation and call.ok and call.request_id
        )
        if not case.reached:
            return CoverageRow(title, case_id, "not run", ids, False, case.detail)
        if case.status != "passed":
            return CoverageRow(title, case_id, case.status, ids, False, case.detail)
        if not ids:
            why = f"no successful {known.operation} answer with an x-amzn-RequestId is recorded for it"
            return CoverageRow(title, case_id, "passed", ids, False, why)
        if built_in:
            changed = _not_built_in(case)
            if changed:
                return CoverageRow(title, case_id, "changed", ids, False, changed)
        return CoverageRow(title, case_id, "passed", ids, True)

    def _label_row(self, fmt: str, dpi: int) -> CoverageRow:
        title = f"a {fmt} label at {dpi} dpi (what the shipper prints)"
        same = [label for label in self.labels("label") if label.format == fmt and label.dpi == dpi]
        # a label proves its format and dpi only with its file: a placeholder or a lost file proves nothing
        good = [label for label in same if label.passed and label.file and label.sha256]
        if good:
            ids = tuple(label.request_id for label in good if label.request_id)
            if not ids:
                return CoverageRow(title, good[0].case, "passed", (), False, "no x-amzn-RequestId is recorded for it")
            return CoverageRow(title, good[0].case, "passed", ids, True)
        if same:
            return CoverageRow(title, same[0].case, "failed", (), False, same[0].problem())
        why = "no label of this format and dpi was bought"
        if self.selection and (fmt not in self.selection.formats or dpi not in self.selection.dpis):
            why += " (--formats/--dpi left it out)"
        return CoverageRow(title, None, "not bought", (), False, why)

    def problems(self, required: Iterable[str] = ()) -> list[str]:
        """Everything that keeps this run from proving sign-off, one line each (empty: nothing does)."""
        # first what makes it no sign-off at all, whatever else it shows
        found = [f"{NOT_FROM_AMAZON}: {doubt}" for doubt in self.amazon_doubts()]
        if self.finished is None:
            found.append("the run has not ended: it is still running, or it was killed")
        elif not self.complete:
            found.append(f"the run is incomplete: it stopped early ({shown(self.stopped or 'no reason recorded')})")
        if self.partial:
            found.append("the run is partial: it lacks " + "; ".join(self.lacks))
        for case in self.cases:
            if case.status in ("failed", "error") and case.reached:
                found.append(f"case {case.id} {case.status}: {shown(case.detail, 300)}")
        found += [f"{label.problem()}" for label in self.labels() if not label.passed]
        if self.left_open:
            were = "was" if len(self.left_open) == 1 else "were"
            found.append(f"{counted(len(self.left_open), 'label')} {were} left uncancelled")
        found += [f"cancel failed: {shown(failure, 200)}" for failure in self.cancel_failures]
        for row in self.coverage(required):
            if not row.ok:
                found.append(
                    f"requirement not met: {row.requirement}: {row.result}; {shown(row.why, 200)}".rstrip("; ")
                )
        if not self.ok and not found:
            found.append("the certification run did not pass")
        return found

    def confirm_with_amazon(self) -> dict[str, list[str]]:
        """What only Amazon's own systems can confirm: every request id, shipment id and tracking id."""
        shipments = [label.shipment_id for label in self.labels("label") if label.shipment_id]
        shipments += self.cancelled_at_end + self.left_open
        return {
            "request_ids": sorted({call.request_id for call in self.calls if call.request_id}),
            "shipment_ids": list(dict.fromkeys(shipments)),
            "tracking_ids": list(dict.fromkeys(label.tracking_id for label in self.labels() if label.tracking_id)),
        }


def _not_built_in(case: CaseRecord) -> str:
    """Why a case that proves a built-in requirement is not onboard's own definition of it ("" when it is)."""
    own = built_in_definitions().get(case.id)
    if own is None:
        return f"{case.id} is not one of onboard's cases: sign-off needs onboard's own case for it"
    if case.definition is None:
        return f"the run does not record which definition of {case.id} it ran (an older onboard): certify again"
    if case.definition != own:
        return (
            f"{case.id} as run is not onboard's definition of it (the workspace's catalog changed its steps or "
            f"checks, or another onboard version ran it)"
        )
    return ""


class _TooNew(ValueError):
    pass


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return f"{where}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# --- older records ---------------------------------------------------------------------------------------

Raw = dict[str, Any]


def _v1_to_v2(raw: Raw) -> Raw:
    # v1 wrote ``custom`` as the string "true"/"false" and did not say what was selected, what the
    # shipper prints or which case proved which requirement: those stay unknown (a review says so)
    raw = dict(raw)
    endpoints = dict(raw.get("endpoints") or {})
    if "custom" in endpoints:
        endpoints["custom"] = str(endpoints["custom"]).lower() == "true"
    raw["endpoints"] = endpoints
    raw.setdefault("environment", "emulator")
    raw.setdefault("complete", raw.get("stopped") is None)
    if isinstance(raw.get("cases"), list):  # anything else is left for validation to refuse
        cases = []
        for entry in raw["cases"]:
            case = dict(entry) if isinstance(entry, dict) else entry
            if isinstance(case, dict):
                case.setdefault("reached", not str(case.get("detail", "")).startswith("not run:"))
            cases.append(case)
        raw["cases"] = cases
    return {**raw, "schema": 2}


_UPGRADES = {1: _v1_to_v2}


def upgrade(raw: Raw) -> Raw:
    """``raw`` brought to :data:`SCHEMA`, one version at a time, in memory."""
    version = raw.get("schema", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"schema must be a whole number, not {shown(version, 20)!r}")
    if version > SCHEMA:
        raise _TooNew(f"was written by a newer onboard (run schema {version}, this one reads {SCHEMA})")
    while version < SCHEMA:
        step = _UPGRADES.get(version)
        if step is None:
            raise ValueError(f"schema {version} is older than any this onboard can read")
        raw = step(raw)
        version = raw["schema"]
    return raw


def read_run(path: Path) -> RunRecord:
    """``runs/<run_id>/run.json`` read back; a record whose id is not its directory's is refused."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"the run record {path} cannot be read ({exc.strerror})") from None
    record = RunRecord.parse(data, f"the run record {path}")
    if record.run_id != path.parent.name:
        raise ConfigError(
            f"the run record {path} names run {shown(record.run_id, 60)!r}, not its own folder's",
            "a run record is read only from its own folder; run 'onboard certify' again",
        )
    return record


def latest_run(workspace: Path) -> Path | None:
    runs = sorted(path for path in (workspace / RUNS).glob("*/run.json") if valid_run_id(path.parent.name))
    return runs[-1] if runs else None


# --- a label judged from its bytes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    passed: bool
    report: LabelReportRecord


def judge_label(
    label: bytes | str, *, fmt: str, dpi: int, tracking_id: str, spec: LabelCheckRecord | None = None
) -> Verdict:
    """A label's verdict from its bytes (or from the API's ``contents`` string, placeholders included):
    the checks of ``onboard label check``, and the rate's spec check when the runner has one."""
    from onboard.labels.check import check_contents, check_label  # noqa: PLC0415 - PDFium and zxing only here

    if isinstance(label, str):
        report = check_contents(label, expect_tracking=tracking_id, dpi=dpi, expected_format=fmt)
    else:
        report = check_label(label, expect_tracking=tracking_id, dpi=dpi, expected_format=fmt)
    record = LabelReportRecord.model_validate(report.to_json())
    if spec is not None:
        record.checks.insert(0, spec)
    passed = report.ok and (spec is None or spec.ok)
    status = report.status if passed or report.status != "passed" else "failed"
    return Verdict(status, passed, record)


def emulator_marked(data: bytes, fmt: str) -> bool:
    """Whether a label's own text says it came from onboard's emulator: a PDF's and a ZPL's text, a PNG's
    text chunks (the emulator writes its banner there too, since pixels are not read back as words)."""
    found = formats.find(fmt)
    return found is not None and _EMULATOR_WORDS.search(found.text(data)) is not None


#: the check a label fails when its own text holds a credential
LEAKED = (
    "the label's text holds a credential onboard knows (the server wrote it onto the label): the file is "
    "not kept, and never packed; rotate the client secret"
)


def label_holds_a_secret(data: bytes, fmt: str) -> bool:
    """Whether a label's text (a PDF's or ZPL's words, a PNG's text chunks) holds a known secret, or anything
    shaped like an LWA token or client secret: such a label is evidence no pack may carry."""
    from onboard.masking import holds_secret, mask  # noqa: PLC0415

    found = formats.find(fmt)
    text = found.text(data) if found is not None else ""
    return bool(text) and (mask(text) != text or holds_secret(text))


# --- calls given to the cases they were made for ---------------------------------------------------------

_IDENTIFIERS = ("requestToken", "shipmentId", "trackingId")


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


def calls_by_case(record: RunRecord) -> tuple[dict[str, list[tuple[int, Call]]], list[tuple[int, Call]]]:
    """Each case's calls (numbered in run order from 1), and the calls no case can be tied to.

    A call names its case. Runs recorded before that field existed are matched by what ties a call to its
    case: the ``packageClientReferenceId`` the runner gives each case (``<run_id>-<case>-<n>``), then the
    quote, shipment and tracking ids its earlier calls returned. What nothing ties is kept apart rather
    than guessed.
    """
    by_case: dict[str, list[tuple[int, Call]]] = {case.id: [] for case in record.cases}
    reference = re.compile(re.escape(record.run_id) + r"-(.+)-\d+$")
    owner_of: dict[str, str] = {}
    unattributed: list[tuple[int, Call]] = []
    for number, call in enumerate(record.calls, 1):
        owner: str | None = call.case if call.case in by_case else None
        for text in _strings(call.request) if owner is None else ():
            match = reference.match(text)
            if match and match.group(1) in by_case:
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
                if match and match.group(1) in by_case:
                    owner = match.group(1)
                    break
        if owner is None:
            unattributed.append((number, call))
            continue
        by_case[owner].append((number, call))
        for identifier in _identifiers(call.response):
            owner_of.setdefault(identifier, owner)
    return by_case, unattributed


# --- writing a run ---------------------------------------------------------------------------------------


class Pending(_Model):
    """A label bought and not yet cancelled."""

    shipment_id: str
    tracking_id: str = ""
    case_id: str = ""
    business_id: str = ""


class _PendingFile(_Model):
    run_id: str
    open: list[Pending] = Field(default_factory=list)


def write_private(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all, readable by its owner only: a run's files are the shipper's,
    whatever the umask. Raises :class:`DiskError` when the disk refuses; ``path`` is then as it was."""
    atomic_write(path, data, mode=0o600)


class RunRecorder:
    """Where a run keeps its record, labels and pending list while it runs.

    The pending list is written the moment a label is bought or cancelled. When the disk refuses, the list
    in memory stays whole (the run still cancels what it holds, and says what it could not) and the
    refusal is kept in :attr:`unsaved`, for the runner to stop on before it buys anything else."""

    def __init__(self, workspace: Path, run_id: str) -> None:
        if not valid_run_id(run_id):
            raise ValueError(f"not a run id: {shown(run_id, 60)!r}")
        self.run_id = run_id
        runs = workspace / RUNS
        self.directory = runs / run_id
        self.labels = self.directory / "labels"
        self._saved: set[str] = set()
        self.pending: dict[str, Pending] = {}
        #: why the pending list on disk is behind the one in memory (the disk refused it); None when it is not
        self.unsaved: DiskError | None = None
        # run.json is written from the loop and from threads: each snapshot is numbered as it is taken, and
        # none is ever written over a later one
        self._writing = threading.Lock()
        self._taken = 0
        self._written = 0
        try:
            runs.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.labels.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory.chmod(0o700)
        except OSError as exc:
            self.abandon()
            raise disk_error(exc, self.labels, "make the run's folder") from None
        try:
            self._write_pending()
        except DiskError:
            self.abandon()
            raise

    def abandon(self) -> None:
        """Remove what a run that bought nothing made (its first record could not be written): no half-made
        run is left behind. Anything else in its folder stays."""
        if not self.pending:
            with contextlib.suppress(OSError):
                (self.directory / "pending.json").unlink()
        for folder in (self.labels, self.directory):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def save_label(self, name: str, data: bytes) -> str:
        """Keep a label byte for byte; returns its path relative to the run directory. A name already taken
        in this run (two labels with no tracking id) gets a number: no label ever replaces another."""
        stem, dot, suffix = name.rpartition(".")
        taken = 1
        while name in self._saved:
            taken += 1
            name = f"{stem}-{taken}{dot}{suffix}"
        relative = f"labels/{name}"
        if not LABEL_FILE.match(relative):
            raise ValueError(f"not a label file name: {shown(name, 60)!r}")
        self._saved.add(name)
        write_private(self.labels / name, data)
        return relative

    def drop_label(self, relative: str) -> None:
        """Remove a label kept by :meth:`save_label` (one that must not stay on disk: it holds a secret)."""
        with contextlib.suppress(FileNotFoundError):
            (self.directory / relative).unlink()

    def bought(self, pending: Pending) -> None:
        if pending.shipment_id not in self.pending:
            self.pending[pending.shipment_id] = pending
            self._keep_pending()

    def cancelled(self, shipment_id: str) -> None:
        if self.pending.pop(shipment_id, None) is not None:
            self._keep_pending()

    def flush(self) -> None:
        """Bring the pending list on disk up to date; raises :class:`DiskError` when the disk still refuses."""
        if self.unsaved is not None:
            self._write_pending()
            self.unsaved = None

    def _keep_pending(self) -> None:
        try:
            self._write_pending()
        except DiskError as error:
            self.unsaved = error
        else:
            self.unsaved = None

    def _write_pending(self) -> None:
        body = _PendingFile(run_id=self.run_id, open=list(self.pending.values()))
        # an id a server made out of a token (an echo) is kept masked: --cleanup then cannot cancel that one,
        # and says so, rather than a later process printing a token it never knew
        write_private(self.directory / "pending.json", mask_bytes(body.model_dump_json(indent=2).encode()))

    def write(self, record: RunRecord) -> Path:
        """Write the record now, whole and durably (the run's first and last)."""
        seq, data = self.snapshot(record)
        self.write_snapshot(seq, data)
        return self.directory / "run.json"

    def snapshot(self, record: RunRecord) -> tuple[int, bytes]:
        """The record's bytes as they are now, numbered, for :meth:`write_snapshot` (in any thread)."""
        self._taken += 1
        return self._taken, record.to_bytes()

    def write_snapshot(self, seq: int, data: bytes, *, durable: bool = True) -> None:
        """Write snapshot ``seq`` as run.json unless a later one is there already. ``durable=False`` (the
        records written during the run) skips the fsync: a kill still leaves a whole file, and the last
        record is durable."""
        with self._writing:
            if seq <= self._written:
                return
            atomic_write(self.directory / "run.json", data, mode=0o600, durable=durable)
            self._written = seq


def read_pending(workspace: Path) -> tuple[list[tuple[Path, Pending]], list[str]]:
    """Every label some run bought and did not cancel (a crash, a kill, a lost connection), and a line
    for each list that cannot be read (it is left as it is, for a person to look at)."""
    found: list[tuple[Path, Pending]] = []
    unreadable: list[str] = []
    for file in sorted((workspace / RUNS).glob("*/pending.json")):
        try:
            data = _PendingFile.model_validate_json(file.read_bytes())
        except OSError as exc:
            unreadable.append(f"{file} cannot be read ({exc.strerror}); it is left as it is")
            continue
        except ValidationError as exc:
            unreadable.append(f"{file} is not a list of labels ({_first_error(exc)}); it is left as it is")
            continue
        found += [(file, entry) for entry in data.open]
    return found, unreadable


def open_purchases(workspace: Path) -> list[tuple[Path, Pending]]:
    return read_pending(workspace)[0]


def forget_purchase(file: Path, shipment_id: str) -> None:
    data = _PendingFile.model_validate_json(file.read_bytes())
    data.open = [entry for entry in data.open if entry.shipment_id != shipment_id]
    write_private(file, data.model_dump_json(indent=2).encode())
