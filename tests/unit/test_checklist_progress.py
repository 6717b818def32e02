"""A shipper's way through the checklist, in memory: what is next, when Amazon should answer, what is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from onboard.checklist.load import checklist
from onboard.checklist.progress import progress
from onboard.checklist.record import Change, apply_change
from onboard.errors import UsageError
from onboard.workspace.state import WorkspaceState
from tests.workspaces import new_state

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def record(state: WorkspaceState, step: str, status: str | None = None, **evidence: str) -> list[str]:
    applied = apply_change(checklist(), state, step, Change(status=status, evidence=evidence), NOW)  # type: ignore[arg-type]
    return list(applied.warnings)


def submitted(on: str = "2026-11-18") -> WorkspaceState:
    """A UK shipper who registered on ``on`` (a Wednesday by default) and sent the case number."""
    state = new_state("AmazonShipping_UK")
    record(state, "registration-submitted", "done", case_number="12345678901", submitted_on=on)
    return state


def test_a_new_shipper_starts_with_the_river_invitation() -> None:
    where = progress(checklist(), new_state(), date(2026, 6, 1))
    assert where.next is not None
    assert where.next.id == "river-account"
    assert "--evidence contact_email=EMAIL" in where.next.commands[-1]
    assert where.view("aws-iam").status == "skipped"
    assert {v.status for v in where.steps if v.id != "aws-iam"} == {"todo"}
    assert all(v.due is None for v in where.steps)


def test_the_review_waits_five_business_days_then_asks_for_a_follow_up() -> None:
    state = submitted("2026-11-18")

    before = progress(checklist(), state, date(2026, 11, 25))
    review = before.view("registration-review")
    assert (review.status, review.due, review.overdue) == ("waiting", date(2026, 11, 25), False)
    assert "Expected by Wed 2026-11-25" in review.action

    after = progress(checklist(), state, date(2026, 11, 26))
    review = after.view("registration-review")
    assert review.overdue
    assert "follow up on your RIVER case, citing case number 12345678901" in review.action
    assert review.commands == (
        "onboard message registration-review",
        "onboard step registration-review --status done --evidence decision=approved",
    )


def test_an_overdue_review_comes_before_anything_else_left_to_do() -> None:
    state = submitted("2026-11-18")
    # the shipper still has earlier steps open, but chasing Amazon is the most urgent
    assert progress(checklist(), state, date(2026, 12, 1)).next.id == "registration-review"  # type: ignore[union-attr]
    assert progress(checklist(), state, date(2026, 11, 20)).next.id == "river-account"  # type: ignore[union-attr]


def test_a_rejection_says_how_to_resubmit_and_the_resubmission_is_counted() -> None:
    state = submitted("2026-11-18")
    record(state, "registration-review", "blocked", decision="rejected", decided_on="2026-11-24")
    review = progress(checklist(), state, date(2026, 12, 1)).view("registration-review")
    assert not review.overdue
    assert review.action.startswith("Rejected: read the reason")

    record(state, "registration-submitted", submitted_on="2026-11-26", case_number="12345678999")

    assert state.steps["registration-submitted"].resubmissions == 1
    assert state.steps["registration-review"].evidence == {}
    review = progress(checklist(), state, date(2026, 11, 27)).view("registration-review")
    assert (review.status, review.due) == ("waiting", date(2026, 12, 3))
    trail = [(e.step, e.field, e.old, e.new) for e in state.audit[-6:]]
    assert ("registration-review", "evidence.decision", "rejected", None) in trail
    assert ("registration-review", "status", "blocked", "todo") in trail
    assert ("registration-submitted", "resubmissions", "0", "1") in trail


def test_correcting_the_date_before_a_decision_is_not_a_resubmission() -> None:
    state = submitted("2026-11-18")
    record(state, "registration-submitted", submitted_on="2026-11-17")
    assert state.steps["registration-submitted"].resubmissions == 0
    assert progress(checklist(), state, date(2026, 11, 20)).view("registration-review").due == date(2026, 11, 24)


def test_approval_needs_the_decision_recorded_as_approved() -> None:
    state = submitted()
    with pytest.raises(UsageError) as caught:
        record(state, "registration-review", "done")
    assert "add --evidence decision=approved" in caught.value.one_line()
    with pytest.raises(UsageError, match="while decision is 'rejected'"):
        record(state, "registration-review", "done", decision="rejected")
    record(state, "registration-review", "done", decision="approved")
    assert progress(checklist(), state, date(2026, 12, 1)).view("registration-review").status == "done"


@pytest.mark.parametrize(
    ("step", "evidence", "says"),
    [
        ("directed-id", {"directed_id": "the id"}, "evidence directed_id: 'the id' is not a DirectedId — expected"),
        # one good value does not carry a bad one through
        ("directed-id", {"directed_id": "A123456789", "sent_on": "1 June"}, "evidence sent_on: '1 June' is not a date"),
        (
            "directed-id",
            {"directedid": "A123456789"},
            "step directed-id has no evidence 'directedid' — it takes directed_id",
        ),
        ("registration-review", {"decision": "maybe"}, "evidence decision: 'maybe' is not accepted — expected one of"),
        (
            "app-created",
            {"client_id": "amzn1.oa2-cs.v1.0123456789abcdef"},
            "evidence client_id looks like an LWA secret",
        ),
        ("river-account", {"river_case": "Atzr|IwEBIA"}, "evidence river_case looks like an LWA secret or token"),
        ("nope", {}, "there is no step 'nope'"),
    ],
)
def test_a_bad_value_is_refused_whole_and_nothing_changes(step: str, evidence: dict[str, str], says: str) -> None:
    state = submitted()
    before = state.model_dump()
    with pytest.raises(UsageError) as caught:
        apply_change(checklist(), state, step, Change(status="done", evidence=evidence), NOW)
    assert says in caught.value.one_line()
    assert state.model_dump() == before


def test_a_note_that_holds_a_secret_is_refused() -> None:
    state = new_state()
    with pytest.raises(UsageError, match="the note looks like an LWA secret"):
        apply_change(checklist(), state, "app-created", Change(note="secret is amzn1.oa2-cs.v1.0123"), NOW)
    assert state.audit == []


def test_every_change_is_in_the_audit_trail_with_when_and_from_what() -> None:
    state = new_state()
    record(state, "river-account", "in_progress")
    record(state, "river-account", "done", contact_email="ops@acme.example")
    apply_change(checklist(), state, "river-account", Change(note="invited by Sam"), NOW)
    record(state, "river-account", contact_email="team@acme.example")
    trail = [(e.field, e.old, e.new) for e in state.audit]
    assert trail == [
        ("status", "todo", "in_progress"),
        ("status", "in_progress", "done"),
        ("evidence.contact_email", None, "ops@acme.example"),
        ("note", None, "invited by Sam"),
        ("evidence.contact_email", "ops@acme.example", "team@acme.example"),
    ]
    assert {e.at for e in state.audit} == {NOW}
    assert {e.via for e in state.audit} == {"onboard step"}
    assert state.steps["river-account"].notes[0].text == "invited by Sam"


def test_an_empty_value_removes_evidence_but_not_what_done_needs() -> None:
    state = new_state()
    record(state, "river-account", "done", contact_email="ops@acme.example", river_case="RIV-1234")
    record(state, "river-account", river_case="")
    assert state.steps["river-account"].evidence == {"contact_email": "ops@acme.example"}
    with pytest.raises(UsageError, match="cannot be done without"):
        record(state, "river-account", contact_email="")


def test_recording_the_same_again_changes_nothing() -> None:
    state = new_state()
    record(state, "river-account", "done", contact_email="ops@acme.example")
    entries = len(state.audit)
    applied = apply_change(
        checklist(), state, "river-account", Change(status="done", evidence={"contact_email": "ops@acme.example"}), NOW
    )
    assert applied.entries == ()
    assert len(state.audit) == entries


def test_a_step_out_of_order_is_recorded_with_a_warning() -> None:
    state = new_state()
    warnings = record(state, "directed-id", "done", directed_id="A123456789", sent_on="2026-06-01")
    assert warnings == ["directed-id normally comes after river-account, amazon-account, not done yet; recorded anyway"]
    assert state.steps["directed-id"].status == "done"
    assert record(state, "directed-id", "todo") == []


def test_when_every_step_is_done_nothing_is_next() -> None:
    state = new_state()
    typed = {"email": "ops@acme.example", "date": "2026-06-01", "directed_id": "A123456789", "case_number": "123456"}
    typed |= {"name": "Acme Ltd", "app_id": "amzn1.sp.solution.0a1b2c3d-4e5f-6789-abcd-ef0123456789"}
    for step in checklist().steps:
        if step.initial_status == "skipped":
            continue
        needed = {f.key: f.done_value or typed[f.kind or ""] for f in step.evidence if f.required}
        record(state, step.id, "done", **needed)
    where = progress(checklist(), state, date(2026, 6, 1))
    assert where.next is None
    assert where.done == len(checklist().steps)
