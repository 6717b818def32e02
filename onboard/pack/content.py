"""What a sign-off pack reports, gathered once from the workspace and its run, for the PDF and the HTML.

Both reports say the same words: every sentence, caption, verdict and row label they show is written
here once (``cover``, ``sign_off``, ``notes``, each label's ``caption``, each row's ``verdict``), and the
PDF (``pdf_report``) and the HTML (``html_report`` with ``templates/report.html.j2``) only lay them out.

Everything here is already redacted: the run record was written without personal data or secrets,
the client id is shown as ``amzn1.application-oa2-client.…3f9a``, and evidence never holds a secret.
Known secrets are masked by value once more, and control characters made visible, as they are gathered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from onboard import __version__
from onboard.certify.catalog import required_by_onboard
from onboard.certify.record import RunRecord
from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.credentials.store import default_store, resolve
from onboard.display import counted, shown
from onboard.pack import NOT_FROM_AMAZON
from onboard.printing.evidence import STEP as TEST_LABEL
from onboard.printing.evidence import summary
from onboard.redact import redact
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace


def statement(run: RunRecord) -> dict[str, Any]:
    """What the reports state about the run, embedded in both (HTML and PDF) in a form ``review`` reads
    back and compares with the run record: a report edited apart from its run no longer agrees with it."""
    return {
        "run_id": run.run_id,
        "environment": run.environment,
        "business_id": run.business_id,
        "made_against_amazon": run.made_against_amazon(),
        "ok": run.ok,
        "complete": run.complete,
        "results": {case.id: case.status for case in run.cases},
    }


#: how the reports write a status, in every table and heading
VERDICTS = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIPPED", "error": "ERROR", "placeholder": "PLACEHOLDER"}
#: the sign-off block: what the account manager fills in (label, what is printed in the field)
SIGN_OFF = (
    ("Test label checked by", ""),
    ("Date", ""),
    ("Decision", "approved  /  changes needed (see notes)"),
    ("First ship date agreed", ""),
    ("Signature", ""),
    ("Notes", ""),
)


def verdict(status: object) -> str:
    return VERDICTS.get(str(status), str(status).upper())


def caption(label: dict[str, Any], number: int = 1, of: int = 1) -> str:
    """What a label page is called, in the PDF's outline, on the page and in the HTML:
    ``P-02 · PDF · 203 dpi · TBA075078433563`` (a reprint says so; one of several labels in a file, which)."""
    case = label["case"] if label.get("kind", "label") == "label" else f"{label['case']} {label['kind']}"
    words = [case, label["format"], f"{label['dpi']} dpi", label.get("tracking_id") or "no tracking ID"]
    if of > 1:
        words.append(f"label {number} of {of}")
    return " · ".join(str(word) for word in words)


def _run_verdict(run: RunRecord) -> str:
    words = ["passed" if run.ok else "NOT passed"]
    if not run.complete:
        words.append("INCOMPLETE")
    if run.partial:
        words.append("PARTIAL")
    return ", ".join(words)


def test_label(workspace: Workspace, run: RunRecord) -> str:
    """The cover's line on the label printed and scanned from paper: the step's evidence, and whether the
    label scanned is one this run bought (an account manager trusts a scan only of the labels in front of them)."""
    record = workspace.state.steps.get(TEST_LABEL)
    evidence = record.evidence if record is not None else {}
    said = summary(evidence)
    if said is None:
        return "not printed and scanned yet ('onboard label print FILE', then 'onboard label scan')"
    if not evidence.get("scanned_at"):
        return f"{said}; not scanned yet ('onboard label scan')"
    tracking = evidence.get("tracking_id", "")
    bought = {label.tracking_id for label in run.labels() if label.tracking_id}
    if tracking and tracking not in bought:
        return f"{said}; not a label of this run (an earlier one): print and scan one of these labels"
    return f"{said}; a label of this run"


def _client_id(workspace: Workspace, settings: Settings) -> str:
    try:
        credentials = resolve(settings, workspace.state.workspace_id, default_store())
    except Exception:  # the pack is still made; the cover says the id is unknown
        credentials = None
    if credentials is None:
        return "demo credentials (emulator)" if workspace.state.profile.environment == "emulator" else "not set"
    return redact(credentials.client_id)


def gather(workspace: Workspace, run: RunRecord, settings: Settings, today: date | None = None) -> dict[str, Any]:
    state = workspace.state
    profile = state.profile
    now = datetime.now(UTC)
    amazon = run.made_against_amazon()
    steps = checklist()
    view = progress(steps, state, today or now.date())
    phases = []
    for phase in steps.phases:
        rows = []
        for item in view.steps:
            if item.step.phase != phase.id:
                continue
            names = {field.key: field.label for field in item.step.evidence}
            rows.append(
                {
                    "id": item.id,
                    "title": item.step.title,
                    "status": item.status,
                    "due": item.due.isoformat() if item.due else "",
                    "overdue": item.overdue,
                    "evidence": [(names.get(k, k), v) for k, v in sorted(item.evidence.items()) if v],
                }
            )
        phases.append({"title": phase.title, "steps": rows})

    calls_by_case: dict[str, list[str]] = {}
    for call in run.calls:
        if call.request_id and call.case:
            calls_by_case.setdefault(call.case, []).append(call.request_id)
    cases = [
        {
            "id": case.id,
            "title": case.title,
            "source": case.source,
            "status": case.status,
            "detail": case.detail,
            "seconds": round(case.elapsed_ms / 1000, 2),
            "time": f"{case.elapsed_ms / 1000:.2f}\u00a0s",  # a no-break space: never "0.01" above "s"
            "verdict": verdict(case.status),
            "request_ids": calls_by_case.get(case.id, []),
        }
        for case in run.cases
    ]
    labels = []
    for label in run.labels():
        dumped = label.model_dump(mode="json")
        checks = [
            {
                "name": check["name"],
                "verdict": "PASS" if check["ok"] else "FAIL",
                "ok": check["ok"],
                "detail": check["detail"],
            }
            for check in dumped["report"]["checks"]
        ]
        barcodes = [
            {"name": f"barcode {barcode['symbology']}", "text": barcode["text"] or barcode["error"]}
            for barcode in dumped["report"]["barcodes"]
        ]
        labels.append(
            dumped
            | {
                "caption": caption(dumped),
                "verdict": verdict(label.status),
                "checks": checks,
                "barcodes": barcodes,
                "file_line": f"file {label.file or '(none)'} · {counted(label.size, 'byte')}",
            }
        )
    coverage = []
    for row in run.coverage(required_by_onboard()):
        note = "" if row.ok else "; ".join(part for part in (row.result, row.why) if part)
        coverage.append(
            {"requirement": row.requirement, "case": row.case or "—", "result": row.result, "ok": row.ok}
            | {"why": row.why, "verdict": "PASS" if row.ok else "NOT MET", "note": note}
            | {"request_ids": list(row.request_ids)}
        )

    # the run's own account of what keeps it from sign-off, the same lines review shows
    open_items = run.problems(required_by_onboard())

    doubts = run.amazon_doubts()
    warning = None if amazon else NOT_FROM_AMAZON
    api = run.endpoints.api
    cover = [
        ("Shipper", [(run.shipper or profile.shipper_name, "")]),
        ("Business id", [(profile.business_id, "")]),
        ("Region", [(profile.region, "")]),
        ("Environment", [(f"{run.environment} — API ", ""), (api, "id")] if api else [(run.environment, "")]),
        ("LWA client id", [(_client_id(workspace, settings), "id")]),
        (
            "Certification run",
            [(run.run_id, "id"), (f" ({_run_verdict(run)}), {counted(len(run.calls), 'call')}", "")],
        ),
        (
            "Run started / finished",
            [(f"{run.started.isoformat()} / {run.finished.isoformat() if run.finished else 'not ended'}", "")],
        ),
        ("Pack made", [(f"{now.strftime('%Y-%m-%d %H:%M UTC')} with onboard {__version__}", "")]),
        ("Checklist", [(f"{view.done} of {counted(len(view.steps), 'step')} done", "")]),
        ("Test label on paper", [(test_label(workspace, run), "")]),
    ]
    notes = {
        # the first reason the run is not Amazon's, in a sentence: "… this pack was made against the emulator at …"
        "not_from_amazon": f"{warning}: this pack was {doubts[0]}, not against Amazon." if warning and doubts else "",
        "coverage": (
            "Each requirement sign-off needs, the case that proves it, its result and the x-amzn-RequestIds of the "
            "answers that prove it: look them up in Amazon's own systems."
        ),
        "label_pages": (
            "The label pages follow: each label at its true size (4 x 6 in), exactly as the API returned it, "
            "with nothing drawn over it. Print them at 100% (actual size), not 'fit to page', and cut at the marks."
        ),
        "no_audit": "No change recorded yet.",
        # on every label page, under its caption
        "label_page": "true size, exactly as the API returned it",
        "print": "Print at 100% (actual size), not 'fit to page'; cut at the marks.",
    }

    content = {
        "title": "Amazon Shipping integration: sign-off pack",
        "warning": warning,
        "made_against_amazon": amazon,
        "shipper": run.shipper or profile.shipper_name,
        "business_id": profile.business_id,
        "region": profile.region,
        "environment": run.environment,
        "endpoints": run.endpoints.model_dump(),
        "client_id": _client_id(workspace, settings),
        "tool_version": __version__,
        "created": now.strftime("%Y-%m-%d %H:%M UTC"),
        "run": {
            "id": run.run_id,
            "started": run.started.isoformat(),
            "finished": run.finished.isoformat() if run.finished else "not ended",
            "ok": run.ok,
            "complete": run.complete,
            "partial": run.partial,
            "calls": len(run.calls),
        },
        "checklist": {"done": view.done, "total": len(view.steps), "phases": phases},
        "audit": [
            {
                "at": entry.at.strftime("%Y-%m-%d\u00a0%H:%M"),  # a no-break space: the time stays by its date
                "step": entry.step,
                "field": entry.field,
                "old": entry.old or "",
                "new": entry.new or "",
                "via": entry.via,
            }
            for entry in state.audit
        ],
        "cases": cases,
        "labels": labels,
        "coverage": coverage,
        "open_items": open_items,
        "cover": [{"label": label, "parts": parts} for label, parts in cover],
        "sign_off": [list(row) for row in SIGN_OFF],
        "notes": notes,
    }
    # the workspace's fields and the run's texts came from people and servers: known secrets masked by
    # value, control characters (a bidi override that reorders "failed") written as their escapes
    return {**_shown(content), "statement": statement(run)}


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return shown(value, None, lines=True)
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(item) for item in value]
    return value
