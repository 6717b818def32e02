"""What a sign-off pack reports, gathered once from the workspace and its run, for the PDF and the HTML.

Everything here is already redacted: the run record was written without personal data or secrets,
the client id is shown as ``amzn1.application-oa2-client.…3f9a``, and evidence never holds a secret.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from onboard import __version__
from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.credentials.store import default_store, resolve
from onboard.pack import NOT_FROM_AMAZON
from onboard.redact import redact
from onboard.settings import Settings
from onboard.workspace.workspace import Workspace


def made_against_amazon(run: dict[str, Any]) -> bool:
    endpoints = run.get("endpoints") or {}
    return run.get("environment") in ("sandbox", "production") and str(endpoints.get("custom")) != "true"


def _client_id(workspace: Workspace, settings: Settings) -> str:
    try:
        credentials = resolve(settings, workspace.state.workspace_id, default_store())
    except Exception:  # the pack is still made; the cover says the id is unknown
        credentials = None
    if credentials is None:
        return "demo credentials (emulator)" if workspace.state.profile.environment == "emulator" else "not set"
    return redact(credentials.client_id)


def gather(workspace: Workspace, run: dict[str, Any], settings: Settings, today: date | None = None) -> dict[str, Any]:
    state = workspace.state
    profile = state.profile
    now = datetime.now(UTC)
    amazon = made_against_amazon(run)
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
    for call in run.get("calls", []):
        if call.get("request_id") and call.get("case"):
            calls_by_case.setdefault(call["case"], []).append(call["request_id"])
    cases = [
        {
            "id": case["id"],
            "title": case["title"],
            "source": case.get("source", ""),
            "status": case["status"],
            "detail": case.get("detail", ""),
            "seconds": round(case.get("elapsed_ms", 0) / 1000, 2),
            "request_ids": calls_by_case.get(case["id"], []),
        }
        for case in run.get("cases", [])
    ]
    labels = [label for case in run.get("cases", []) for label in case.get("labels", [])]

    open_items = [f"case {c['id']} {c['status']}: {c['detail']}" for c in cases if c["status"] in ("failed", "error")]
    if run.get("complete") is False:
        open_items.insert(0, f"the run stopped early and is incomplete: {run.get('stopped') or 'no reason recorded'}")
    open_items += [f"label left uncancelled: {s}" for s in run.get("left_open", [])]
    open_items += [f"cancel failed: {s}" for s in run.get("cancel_failures", [])]
    open_items += [
        f"label {label.get('file') or label['tracking_id']}: {label.get('status')}"
        for label in labels
        if not label.get("passed")
    ]
    if not amazon:
        open_items.insert(
            0, f"{NOT_FROM_AMAZON}: made against {run.get('environment')} ({run['endpoints'].get('api')})"
        )

    return {
        "title": "Amazon Shipping integration: sign-off pack",
        "warning": None if amazon else NOT_FROM_AMAZON,
        "made_against_amazon": amazon,
        "shipper": profile.shipper_name,
        "business_id": profile.business_id,
        "region": profile.region,
        "environment": run.get("environment"),
        "endpoints": run.get("endpoints", {}),
        "client_id": _client_id(workspace, settings),
        "tool_version": __version__,
        "created": now.strftime("%Y-%m-%d %H:%M UTC"),
        "run": {
            "id": run["run_id"],
            "started": run.get("started", ""),
            "finished": run.get("finished", ""),
            "ok": bool(run.get("ok")),
            "calls": len(run.get("calls", [])),
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
        "open_items": open_items,
    }
