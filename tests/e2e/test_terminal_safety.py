"""Outside text reaches the terminal escaped: a server's error messages and shipment ids, a workspace's shipper
name and a pack's contents full of terminal controls (screen clear, window title, OSC 52 clipboard write, CR,
bidi override, line breaks) are printed as ``\\x1b[2J``…, never obeyed; and no name, however long or crafted,
can push a pack's verdict out of its line or write one of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.server import EmulatorServer
from tests.cli import run_onboard
from tests.echo_servers import CONTROLS, echo_server

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ff7e57"
SECRET = "terminal-safety-secret-5e4d3c2b1a09"
REFRESH = "Atzr|terminal-safety-refresh-0f1e2d3c"
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: what each kind of control is printed as
ESCAPED = ("\\x1b[2J", "\\x1b]0;pwned\\x07", "\\x1b]52;c;cHduZWQ=\\x07", "\\rOK\\x08", "\\u009b31m", "\\u202edeliaf")
OK_LINE = "OK: intact, passed and made against Amazon"


def raw_controls(text: str) -> list[str]:
    """Control characters as they came: only onboard's own line breaks may be in an output."""
    return [repr(c) for c in text if unicodedata.category(c) in UNSAFE and c not in "\n\u200c\u200d"]


class Outputs:
    """Every command run, what it printed, and a check that nothing printed is raw."""

    def __init__(self, workspace: Path, env: dict[str, str]) -> None:
        self.workspace = workspace
        self.env = env
        self.printed: dict[str, str] = {}

    def __call__(self, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = run_onboard([*args, "--workspace", str(self.workspace)], {**os.environ, **self.env})
        assert code is None or result.returncode == code, result.stdout[-2000:] + result.stderr[-2000:]
        self.printed[" ".join(args)] = result.stdout + result.stderr
        return result

    def raw(self) -> dict[str, list[str]]:
        return {command: found for command, text in self.printed.items() if (found := raw_controls(text))}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    accepted = AcceptedCredentials(CLIENT_ID, {SECRET}, {REFRESH})
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as running:
        yield running


def test_a_server_answering_terminal_controls_is_printed_escaped(tmp_path: Path, server: EmulatorServer) -> None:
    with echo_server(server.url, lwa="controls", api="controls") as echo:
        env = {"ONBOARD_LWA_URL": f"{echo.url}/auth/o2/token", "ONBOARD_SPAPI_URL": echo.url}
        env |= {"LWA_CLIENT_ID": CLIENT_ID, "LWA_CLIENT_SECRET": SECRET, "LWA_REFRESH_TOKEN": REFRESH}
        onboard = Outputs(tmp_path / "acme", env)
        onboard("init", "--env", "sandbox", "--shipper", "Acme")
        refused = onboard("creds", "verify", code=1).stdout
        as_json = json.loads(onboard("creds", "verify", "--json", code=1).stdout)
        echo.lwa = "pass"  # now the Shipping answers: error messages and shipment ids with controls
        certified = onboard("certify", "--case", "TC01", "P-02", "P-07", "P-10", code=None).stdout
        certified_json = json.loads(onboard("certify", "--json", "--case", "P-02", "P-10", code=None).stdout)
        onboard("pack", "--include-failed", "--out", str(tmp_path / "pack.zip"))
        reviewed = onboard("review", str(tmp_path / "pack.zip"), code=1).stdout
        review_json = json.loads(onboard("review", "--json", str(tmp_path / "pack.zip"), code=1).stdout)
        onboard("revalidate", code=None)
        onboard("status")
        assert echo.aliases, "no shipment id was told with controls: the test proves nothing"

    assert onboard.raw() == {}
    # each control is shown for what it is, in a one-line field: the verify check's detail is one line
    (token_line,) = [line for line in refused.splitlines() if line.strip().startswith("✗ token exchange")]
    assert all(escaped in token_line for escaped in ESCAPED) and "\\nOK: " in token_line
    # --json keeps the data as it came, JSON-escaped (\u001b): the machine reading it decides
    token_check = next(check for check in as_json["checks"] if check["name"] == "token exchange")
    assert "\x1b[2J" in token_check["detail"] and "\\u001b[2J" in onboard.printed["creds verify --json"]
    assert "passed" in certified
    assert certified_json["cases"] and "\x1b" not in json.dumps(certified_json, ensure_ascii=False)
    ids = next(line for line in reviewed.splitlines() if line.strip().startswith("shipment ids"))
    assert "amzn1.ship." in ids and "\\x1b[2J\\x1b]0;pwned\\x07" in ids
    assert any(CONTROLS in shipment for shipment in review_json["confirm_with_amazon"]["shipment_ids"])


def test_a_shipper_name_full_of_controls_is_printed_escaped(tmp_path: Path) -> None:
    onboard = Outputs(tmp_path / "acme", {})
    name = f"Acme{CONTROLS}"
    init = onboard("init", "--shipper", name).stdout
    onboard("step", "river-account", "--note", f"called{CONTROLS}")
    step = onboard("step", "river-account").stdout
    status = onboard("status").stdout
    onboard("certify", "--case", "TC01", "P-02")
    onboard("pack", "--include-failed", "--out", str(tmp_path / "pack.zip"))
    reviewed = onboard("review", str(tmp_path / "pack.zip"), code=1).stdout

    assert onboard.raw() == {}
    for said in (init, status, reviewed):
        assert "Acme\\x1b[2J\\x1b]0;pwned\\x07" in said
    assert "called\\x1b[2J" in step and all(escaped in step for escaped in ESCAPED)
    (shipper,) = [line for line in reviewed.splitlines() if line.strip().startswith("shipper")]
    assert "\\nOK: " in shipper  # the name's line break is not a line of its own


@pytest.fixture(scope="module")
def not_ok_packs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Packs of one emulator run (NOT OK: not made against Amazon), under shipper names of 79 characters
    made to read as a passing verdict: padded with spaces, with a carriage return, with a line break."""
    root = tmp_path_factory.mktemp("packs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LWA_", "ONBOARD_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    workspace = root / "acme"
    names = {
        "padded": "Acme Parcels".ljust(79 - len(OK_LINE)) + OK_LINE,
        "carriage return": ("Acme\r" + OK_LINE).ljust(79),
        "line break": ("Acme\n" + OK_LINE).ljust(79),
    }
    assert all(len(name) == 79 for name in names.values())
    inbox = root / "inbox"
    inbox.mkdir()
    for number, name in enumerate(names.values()):
        # a pack names the shipper its run was made for
        assert run_onboard(["init", "--workspace", str(workspace), "--shipper", name], env).returncode == 0
        certified = run_onboard(["certify", "--workspace", str(workspace), "--case", "TC01", "P-02"], env)
        assert certified.returncode == 0, certified.stdout
        out = inbox / f"pack-{number}.zip"
        packed = run_onboard(["pack", "--workspace", str(workspace), "--include-failed", "--out", str(out)], env)
        assert packed.returncode == 0, packed.stderr
    return inbox, names


def test_a_long_crafted_shipper_name_cannot_make_a_not_ok_pack_read_ok(
    not_ok_packs: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    inbox, names = not_ok_packs
    # one more pack whose file name is the crafted verdict
    shutil.copy(inbox / "pack-0.zip", inbox / f"{OK_LINE}.zip")
    table = run_onboard(["review", str(inbox)])
    assert table.returncode == 1 and raw_controls(table.stdout) == []
    header, *rows, totals = table.stdout.splitlines()
    assert header.startswith("verdict  pack") and totals == "4 pack(s): 0 ok, 4 not ok, 0 unreadable"
    assert len(rows) == 4 and all(row.startswith("NOT OK  ") for row in rows), rows
    assert all(OK_LINE not in row for row in rows)  # every crafted name and file name is cut short
    assert all("…" in row for row in rows)
    assert any("Acme\\rOK: intact" in row for row in rows) and any("Acme\\nOK: intact" in row for row in rows)

    for number in range(len(names)):
        one = run_onboard(["review", str(inbox / f"pack-{number}.zip")])
        assert one.returncode == 1 and raw_controls(one.stdout) == []
        assert one.stdout.startswith("NOT OK: ") and one.stdout.splitlines()[0].count("OK") == 1
    crafted = run_onboard(["review", str(inbox / f"{OK_LINE}.zip")])
    assert crafted.stdout.startswith("NOT OK: ")
    body = json.loads(run_onboard(["review", "--json", str(inbox)]).stdout)
    assert sorted(entry["shipper"] for entry in body)[:3] == sorted(names.values())  # --json keeps them whole
