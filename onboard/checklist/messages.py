"""Ready-to-send RIVER messages: ``templates/messages/*.txt.j2`` filled with the recorded evidence.

A template sees the shipper's profile (name, business id, region), each piece of evidence its step
names under ``needs`` and ``uses`` (by key, ``None`` when a used one is not recorded), the step's
expected date and resubmission count. Nothing else: no credential is ever within its reach, and
evidence that looks like a secret is refused when it is recorded.
"""

from __future__ import annotations

from datetime import date

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


def render_message(checklist: Checklist, state: WorkspaceState, step_id: str, today: date) -> str:
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
    try:
        return _environment().get_template(step.message.template).render(context)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"the message template {step.message.template} is missing from {templates_dir()}") from None
    except jinja2.TemplateError as exc:
        raise ConfigError(f"the message template {step.message.template} is broken: {exc}") from None
