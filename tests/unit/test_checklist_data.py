"""checks/onboarding.toml: the whole process, the exact answers, and a clear error for a broken file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from onboard.checklist.load import FILE, checklist, load_checklist
from onboard.checklist.messages import render_message
from onboard.checklist.schema import Checklist
from onboard.errors import ConfigError
from onboard.locations import checks_dir, templates_dir
from onboard.workspace.state import StepRecord
from tests.workspaces import new_state

SHIPPED = (checks_dir() / FILE).read_text(encoding="utf-8")

#: a value of each kind that a shipper would really type
GOOD = {
    "directed_id": "amzn1.account.AEXAMPLE1234567890",
    "case_number": "12345678901",
    "river_case": "RIV-20931",
    "lwa_client_id": "amzn1.application-oa2-client.0nb0a4dde70000000000000000000000",
    "app_id": "amzn1.sp.solution.0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "date": "2026-06-01",
    "name": "Acme Ltd",
    "url": "https://www.acme.example/shipping",
    "email": "shipping-api@acme.example",
    "moment": "2026-06-01T09:30:00Z",
    "tracking_id": "TBA304719826511",
}


def test_the_shipped_checklist_covers_the_whole_process() -> None:
    steps = checklist().by_id
    # the exact answers a shipper has to give, word for word
    assert (
        "My organization participates in Amazon services, and I want to integrate to manage my own business only"
        in steps["data-access"].guidance.replace("\n", " ")
    )
    assert "'Amazon Logistics'" in steps["roles"].guidance
    assert "Answer No" in steps["rdt-answer"].guidance
    assert '"Shipping" as the business entity' in steps["app-created"].guidance.replace("\n", " ")
    # the IAM step is kept to say why it is skipped
    assert steps["aws-iam"].initial_status == "skipped"
    assert "2 October 2023" in steps["aws-iam"].guidance
    # the review is expected 5 business days after the submission, and is followed up citing the case
    review = steps["registration-review"]
    assert review.due is not None
    assert (review.due.after, review.due.business_days) == ("registration-submitted.submitted_on", 5)
    assert "{registration-submitted.case_number}" in (review.overdue or "")
    # the steps the tool checks itself say so
    assert steps["credentials-verified"].verified_by == "creds verify"
    assert {s.id for s in checklist().steps if s.verified_by} == {
        "credentials-verified",
        "sandbox-flows",
        "test-label",
        "pack-built",
    }
    security = steps["security-controls"].guidance
    for topic in ("network", "access management", "least privilege", "credential", "in transit", "at rest", "24 hours"):
        assert topic in security


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_every_kind_accepts_a_real_value(kind: str) -> None:
    assert checklist().kinds[kind].problem(GOOD[kind]) is None


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        ("directed_id", "my-directed-id"),
        ("case_number", "12 34"),
        ("lwa_client_id", "amzn1.application-oa2-client.short"),
        ("lwa_client_id", "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"),
        ("app_id", "amzn1.sp.solution.not-a-uuid"),
        ("date", "01/06/2026"),
        ("date", "2026-02-30"),
        ("url", "www.acme.example"),
        ("email", "shipping-api"),
        ("name", "x" * 121),
    ],
)
def test_every_kind_refuses_a_typo(kind: str, bad: str) -> None:
    assert checklist().kinds[kind].problem(bad)


def test_every_message_renders_with_the_evidence_it_names() -> None:
    steps = checklist()
    state = new_state("AmazonShipping_UK", shipper="Acme Ltd")
    for step in steps.steps:
        for field in step.evidence:
            value = GOOD[field.kind] if field.kind else field.choices[0]
            state.steps.setdefault(step.id, StepRecord(status="done")).evidence[field.key] = value
    with_message = [step for step in steps.steps if step.message]
    assert {s.id for s in with_message} >= {"directed-id", "registration-submitted", "logistics-role"}
    for step in with_message:
        assert step.message is not None
        if step.message.pack:
            continue  # about a real pack: tests/e2e/test_pack_sent_message.py
        text = render_message(steps, state, step.id, date(2026, 6, 1))
        assert "Acme Ltd" in text
        for ref in (*step.message.needs, *step.message.uses):
            owner, _, key = ref.partition(".")
            assert state.steps[owner].evidence[key] in text, f"{step.message.template} leaves out {ref}"
        assert "{{" not in text and "{%" not in text
    assert sorted(p.name for p in (templates_dir() / "messages").iterdir()) == sorted(
        step.message.template for step in with_message if step.message
    )


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED
    path = tmp_path / FILE
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('id = "amazon-account"', 'id = "river-account"', "step id 'river-account' is used twice"),
        (
            'depends_on = ["developer-profile"]',
            'depends_on = ["roles"]',
            "depends on 'roles', not a step listed before",
        ),
        ('phase = "app"', 'phase = "apps"', "phase 'apps' is not one of"),
        ('kind = "directed_id"', 'kind = "directedid"', "unknown kind 'directedid'"),
        ("pattern = '[0-9]{6,15}'", "pattern = '([0-9]{6,15}'", "is not a regular expression"),
        ("{registration-submitted.case_number}.", "{registration-submitted.case_no}.", "refers to 'registration-sub"),
        ('done_value = "approved"', 'done_value = "accepted"', "'accepted' is not one of its choices"),
        ('title = "Sign-off received"', "title = 42", "steps.21.title: Input should be a valid string"),
        ('guidance = "Your account manager reviews', 'guidance = "Your account manager reviews\n', "cannot be read"),
    ],
)
def test_a_broken_checklist_is_one_clear_error(tmp_path: Path, old: str, new: str, error: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_checklist(path)
    assert str(path) in caught.value.one_line()
    assert error in caught.value.one_line()


def test_the_loader_reads_the_shipped_file_once() -> None:
    assert checklist() is checklist()
    assert isinstance(checklist(), Checklist)
    assert re.fullmatch(r"[a-z-]+", checklist().steps[0].id)


def test_guidance_after_a_list_is_its_own_paragraph() -> None:
    """Markdown runs an unindented line straight after a list item into that item (a lazy continuation):
    the closing advice of a guidance would read as part of its last bullet, in the TUI and the report."""
    for step in checklist().steps:
        lines = step.guidance.splitlines()
        in_list = False
        for line in lines:
            if line.startswith("- "):
                in_list = True
            elif not line.strip():
                in_list = False
            elif in_list and not line.startswith(" "):
                pytest.fail(f"{step.id}: {line!r} follows a list item without a blank line")


def test_guidance_keeps_to_what_the_tui_draws() -> None:
    """Paragraphs and '- ' lists only (onboard/tui/widgets/guidance.py): other Markdown would show raw."""
    markup = re.compile(r"\*\*|__|`|\]\(|^#|^\s*\d+[.)] |^\s*[*+] ", re.MULTILINE)
    for step in checklist().steps:
        assert not markup.search(step.guidance), f"{step.id}: {markup.search(step.guidance)!r}"
