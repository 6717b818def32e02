"""Steps onboard checks itself are marked done by the command that checked them, and only against Amazon."""

from __future__ import annotations

from pathlib import Path

from onboard.checklist.verified import counts_for_amazon, record_verified
from onboard.spapi.endpoints import Endpoints, amazon
from onboard.workspace.workspace import Workspace
from tests.workspaces import new_workspace


def test_only_amazon_hosts_count() -> None:
    assert counts_for_amazon(amazon("na", "sandbox"))
    assert counts_for_amazon(amazon("eu", "production"))
    assert not counts_for_amazon(Endpoints("http://127.0.0.1:1/auth/o2/token", "http://127.0.0.1:1", "emulator", "na"))
    custom = Endpoints("https://proxy.example/token", "https://proxy.example", "sandbox", "na", custom=True)
    assert not counts_for_amazon(custom)


def test_a_checked_step_is_marked_done_once_with_its_proof(tmp_path: Path) -> None:
    new_workspace(tmp_path)
    assert record_verified(tmp_path, "sandbox-flows", "certify", "certification run R1 passed") is True
    state = Workspace.open(tmp_path).state
    assert state.steps["sandbox-flows"].status == "done"
    assert state.steps["sandbox-flows"].notes[-1].text == "certification run R1 passed"
    assert any(e.step == "sandbox-flows" and e.via == "certify" for e in state.audit)
    assert record_verified(tmp_path, "sandbox-flows", "certify", "run R2 passed") is False
    assert record_verified(tmp_path, "no-such-step", "certify", "x") is False
