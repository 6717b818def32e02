"""The filter on notes, evidence and TUI drafts: a value that holds an LWA secret or token is refused, in any
letter case or encoding, and so is a stored credential's own value, whatever it looks like."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

import pytest
from pydantic import SecretStr

from onboard import masking
from onboard.checklist.load import checklist
from onboard.checklist.record import Change, apply_change, looks_like_secret
from onboard.credentials.model import Credentials
from onboard.errors import UsageError
from onboard.tui.session import keepable
from tests.workspaces import new_state

#: a real client secret need not start with anything: this one looks like any other word
STORED = "k7Qw2mZp9xLr4TfB"
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    masking.reset()
    yield
    masking.reset()


@pytest.mark.parametrize(
    "value",
    [
        "Atzr|IwEBIA",
        "atzr|iwebia",  # lower case
        "ATZA|IWEBIA",
        "Atzr%7CIwEBIA",  # URL-encoded
        "Atzr%7cIwEBIA",
        "Atzr%257CIwEBIA",  # twice
        "Atzr\\u007cIwEBIA",  # JSON-escaped
        "Atzr&#124;IwEBIA",  # HTML
        "Ａｔｚｒ｜IwEBIA",  # fullwidth
        "At\u200bzr|IwEBIA",  # a zero-width space inside
        "note: token=Atza%7Cq1w2e3r4t5 was refused",
        "amzn1.oa2-cs.v1.abcdef",
        "AMZN1.OA2-CS.V1.ABCDEF",
        "amzn1%2Eoa2-cs.v1.abcdef",
    ],
)
def test_an_lwa_secret_is_recognised_in_any_case_and_encoding(value: str) -> None:
    assert looks_like_secret(value)
    assert not keepable(value)


@pytest.mark.parametrize(
    "value",
    ["ops@acme.example", "A1B2C3D4E5", "the Atza token expired", "2026-06-01", "Atzr", "https://acme.example/a|b"],
)
def test_ordinary_evidence_is_not_taken_for_a_secret(value: str) -> None:
    assert not looks_like_secret(value)


def test_the_stored_credentials_own_values_are_refused_however_written() -> None:
    assert not looks_like_secret(STORED)  # nothing says it is a secret until the credentials are known
    Credentials("amzn1.application-oa2-client.x", SecretStr(STORED), SecretStr("Atzr|r-0000000"), "file")
    for value in (STORED, STORED.lower(), f"pasted {STORED} here", quote(STORED), quote_plus(f"x {STORED}")):
        assert looks_like_secret(value), value
    assert not keepable(STORED)


def test_a_note_or_evidence_holding_one_is_refused_and_nothing_recorded() -> None:
    state = new_state()
    before = state.model_dump_json()
    steps = checklist()
    with pytest.raises(UsageError, match="the note looks like an LWA secret or token"):
        apply_change(steps, state, "river-account", Change(note="refresh_token=atzr%7Cabc"), NOW)
    with pytest.raises(UsageError, match="evidence river_case looks like an LWA secret or token"):
        apply_change(steps, state, "river-account", Change(evidence={"river_case": "ATZA|X"}), NOW)
    assert state.model_dump_json() == before
