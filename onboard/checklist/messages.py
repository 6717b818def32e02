"""Ready-to-send RIVER messages: ``templates/messages/*.txt.j2`` filled with the recorded evidence.

A template sees the shipper's profile (name, business id, region), each piece of evidence its step
names under ``needs`` and ``uses`` (by key, ``None`` when a used one is not recorded), the step's
expected date and resubmission count; a message about the sign-off pack (``pack = true``) also sees
``pack``: the workspace's latest pack as ``onboard review`` reads it (its file name, its manifest's
SHA-256, its run, what only Amazon can confirm), and is written only when that review passes, so no
account manager is sent a pack that fails theirs. Nothing else: no credential is ever within its reach,
and evidence that looks like a secret is refused when it is recorded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from onboard.checklist.progress import evidence_lookup, progress
from onboard.checklist.record import find_step
from onboard.checklist.schema import Checklist
from onboard.errors import ConfigError, UsageError
from onboard.locations import templates_dir
from onboard.workspace.state import WorkspaceState


def _environment() -> jinja2.Environment:
    return jinja2.Environment(  # noqa: S701 - plain text pasted into RIVER, not HTML: nothing to escape
        loader=jinja2.FileSystemLoader(templates_dir() / "messages"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def latest_pack(workspace: Path) -> Path | None:
    """The newest zip in the workspace's packs/ folder (where 'onboard pack' writes), or None."""
    from onboard.pack.build import PACKS  # noqa: PLC0415 - the pack's modules load only for its message

    try:
        packs = [path for path in (workspace / PACKS).glob("*.zip") if not path.name.startswith(".")]
    except OSError:
        return None
    return max(packs, key=lambda path: (path.stat().st_mtime, path.name), default=None)


def _pack(step_id: str, workspace: Path | None) -> dict[str, Any]:
    """What a message about the latest pack says of it; UsageError when there is none that may be sent."""
    from onboard.certify.catalog import required_by_onboard  # noqa: PLC0415
    from onboard.pack.review import review_pack  # noqa: PLC0415

    if workspace is None:
        raise UsageError(
            f"the message for {step_id} is about the workspace's sign-off pack, and no workspace was given",
            f"onboard message {step_id} --workspace DIR",
        )
    path = latest_pack(workspace)
    if path is None:
        raise UsageError(
            f"the message for {step_id} names the sign-off pack, and {workspace / 'packs'} holds none",
            "build it with 'onboard pack' (a pack written elsewhere with --out is not looked for)",
        )
    review = review_pack(path)
    if not review.ok or review.run is None:
        why = review.problems[0] if review.problems else "its review did not pass"
        raise UsageError(
            f"the latest pack {path.name} is not one to send: {why}",
            f"'onboard review {path}' says everything it finds; send a pack whose review passes",
        )
    run = review.run
    confirm = run.confirm_with_amazon()
    return {
        "name": path.name,
        "manifest_sha256": review.manifest_sha256,
        "run_id": run.run_id,
        "environment": run.environment,
        "against": "Amazon's sandbox" if run.environment == "sandbox" else f"Amazon's {run.environment} API",
        "finished": run.finished.strftime("%Y-%m-%d %H:%M UTC") if run.finished else "",
        "coverage": [
            {"requirement": row.requirement, "case": row.case or "", "request_ids": list(row.request_ids)}
            for row in run.coverage(required_by_onboard())
        ],
        "request_ids": confirm["request_ids"],
        "shipment_ids": confirm["shipment_ids"],
        "tracking_ids": confirm["tracking_ids"],
    }


def render_message(
    checklist: Checklist, state: WorkspaceState, step_id: str, today: date, workspace: Path | None = None
) -> str:
    """The step's message; ``workspace`` is the workspace's folder, for a message about its latest pack."""
    step = find_step(checklist, step_id)
    if step.message is None:
        having = ", ".join(s.id for s in checklist.steps if s.message)
        raise UsageError(f"step {step.id} has no message to send", f"messages exist for {having}")
    lookup = evidence_lookup(checklist, state)
    for ref in step.message.needs:
        if ref not in lookup:
            owner_id, _, key = ref.partition(".")
            owner = checklist.by_id[owner_id]
            field = owner.field(key)
            kind = checklist.kind_of(field) if field else None
            raise UsageError(
                f"the message for {step.id} needs {field.label if field else key} ({ref}); record it first",
                f"onboard step {owner_id} --evidence {key}={kind.placeholder if kind else '…'}",
            )
    view = progress(checklist, state, today).view(step.id)
    profile = state.profile
    context: dict[str, object] = {
        ref.partition(".")[2]: lookup.get(ref) for ref in (*step.message.needs, *step.message.uses)
    }
    context |= {
        "shipper": profile.shipper_name,
        "business_id": profile.business_id,
        "region": profile.region,
        "due": view.due,
        "resubmissions": view.resubmissions,
        "today": today,
    }
    if step.message.pack:
        context["pack"] = _pack(step.id, workspace)
    try:
        return _environment().get_template(step.message.template).render(context)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"the message template {step.message.template} is missing from {templates_dir()}") from None
    except jinja2.TemplateError as exc:
        raise ConfigError(f"the message template {step.message.template} is broken: {exc}") from None
