"""What a sign-off pack reports, gathered once from the workspace and its run, for the PDF and the HTML.

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
from onboard.display import shown
from onboard.pack import NOT_FROM_AMAZON
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
            "request_ids": calls_by_case.get(case.id, []),
        }
        for case in run.cases
    ]
    labels = [label.model_dump(mode="json") for label in run.labels()]
    coverage = [
        {"requirement": row.requirement, "case": row.case or "—", "result": row.result, "ok": row.ok, "why": row.why}
        | {"request_ids": list(row.request_ids)}
        for row in run.coverage(required_by_onboard())
    ]

    # the run's own account of what keeps it from sign-off, the same lines review shows
    open_items = run.problems(required_by_onboard())

    content = {
        "title": "Amazon Shipping integration: sign-off pack",
        "warning": None if amazon else NOT_FROM_AMAZON,
        "made_against_amazon": amazon,
        "shipper": profile.shipper_name,
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
                "at": entry.at.strftime("%Y-%m-%d %H:%M"),
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
