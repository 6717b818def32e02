"""Hostile servers (``tests/hostile.py``) against the real CLI: whatever a server does, ``creds verify``
decides within seconds and ``certify`` gives up within a minute, each with the one line that names the
real cause, and a run that could not finish saved as incomplete."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.server import EmulatorServer
from onboard.spapi.limits import FAILING_SECONDS
from tests.cli import run_onboard
from tests.figures import Figure
from tests.hostile import HostileServer, hostile, hostile_server

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ff7e57"
CREDENTIALS = {
    "LWA_CLIENT_ID": CLIENT_ID,
    "LWA_CLIENT_SECRET": "hostile-secret-5e4d3c2b1a09",
    "LWA_REFRESH_TOKEN": "Atzr|hostile-refresh-0f1e2d3c",
}
#: the product's bounds are 5 s and 60 s; these leave room for a loaded 2-core machine
VERIFY_BOUND = 10.0
CERTIFY_BOUND = 90.0


def pointed_at(server: HostileServer) -> dict[str, str]:
    return {**CREDENTIALS, "ONBOARD_LWA_URL": f"{server.url}/auth/o2/token", "ONBOARD_SPAPI_URL": server.url}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    assert run_onboard(["init", "--shipper", "Acme", "--workspace", str(path)]).returncode == 0
    return path


def line_of(out: str, start: str) -> str:
    (line,) = [line for line in out.splitlines() if line.strip().startswith(start)]
    return line


# --- creds verify: a verdict within seconds, naming the cause ---------------------------------------------

TOKEN, ROLE = "✗ token exchange", "✗ role and authorization"
VERIFY_CASES = [
    # scenario, only the Shipping calls misbehave, the check that fails, what its line says, what its hint says
    ("502-forever", False, TOKEN, "HTTP502 (502)", "failed on its side (502, through every retry)"),
    ("drip", False, TOKEN, "no answer from 127.0.0.1: timeout (no whole answer within", "answers too slowly"),
    ("black-hole", False, TOKEN, "no answer from 127.0.0.1: timeout (no whole answer within", "without answering"),
    ("redirect", False, TOKEN, "onboard does not follow redirects", "set ONBOARD_LWA_URL to the endpoint itself"),
    ("expires-zero", False, TOKEN, "no token onboard can use: its expires_in is 0: the token has expired", "3600"),
    ("expires-negative", False, TOKEN, "no token onboard can use: its expires_in is -60", "ONBOARD_LWA_URL"),
    ("expires-missing", False, TOKEN, "no token onboard can use: it has no expires_in", "ONBOARD_LWA_URL"),
    ("expires-huge", False, TOKEN, "no token onboard can use: its expires_in is 100000000000… (401 digits)", "3600"),
    ("huge-body", False, TOKEN, "127.0.0.1 answered more than 20 MB; onboard stopped reading", "not behaving"),
    ("hang-up", False, TOKEN, "connection lost (RemoteProtocolError)", "closed the connection before its answer"),
    ("refused", False, TOKEN, "connection refused (ConnectError)", "nothing answers there"),
    ("502-forever", True, ROLE, "getRates answered 502 HTTP502", "the API failed on its side"),
    ("drip", True, ROLE, "getRates: no answer from 127.0.0.1: timeout", "answers too slowly"),
    ("black-hole", True, ROLE, "getRates: no answer from 127.0.0.1: timeout", "without answering"),
    ("redirect", True, ROLE, "getRates: 127.0.0.1 answered 301, a redirect to", "set ONBOARD_SPAPI_URL"),
    ("huge-body", True, ROLE, "127.0.0.1 answered more than 20 MB; onboard stopped reading", "not behaving"),
    ("hang-up", True, ROLE, "getRates: no answer from 127.0.0.1: connection lost", "closed the connection"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "token_ok", "check", "said", "hint"),
    VERIFY_CASES,
    ids=[f"{case[0]}{'-api' if case[1] else ''}" for case in VERIFY_CASES],
)
def test_verify_decides_within_seconds_and_names_the_cause(
    workspace: Path, figure: Figure, scenario: str, token_ok: bool, check: str, said: str, hint: str
) -> None:
    with hostile(scenario, token_ok=token_ok) as server:
        started = time.perf_counter()
        result = run_onboard(["creds", "verify", "--workspace", str(workspace)], {**os.environ, **pointed_at(server)})
        seconds = time.perf_counter() - started
        requests = list(server.requests)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "internal error" not in out
    line = line_of(result.stdout, check)
    assert said in line, line
    lines = result.stdout.splitlines()
    assert hint in lines[lines.index(line) + 1], out  # the hint, on the line under it
    if scenario == "redirect":
        assert "throttl" not in out  # a 301 was once explained as throttling
        assert not any(" /elsewhere" in request for request in requests), requests  # and it was not followed
    assert seconds < VERIFY_BOUND, f"{seconds:.1f} s"
    figure(
        f"creds verify against {scenario}{' (Shipping calls only)' if token_ok else ''}: a verdict in {seconds:.1f} s"
    )


# --- certify: given up within a minute, saved as incomplete ------------------------------------------------


@dataclass
class Run:
    scenario: str
    token_ok: bool
    result: subprocess.CompletedProcess[str]
    seconds: float
    record: dict[str, Any]


def certify_all(tmp_path: Path, cases: list[tuple[str, bool]]) -> list[Run]:
    """``onboard certify`` as a real process against each hostile server, all at once: each spends its
    time waiting on a server that never answers well, and the product's own bounds are waited out."""

    def wait(process: subprocess.Popen[str], at: float) -> tuple[subprocess.CompletedProcess[str], float]:
        out, err = process.communicate(timeout=CERTIFY_BOUND * 2)
        ended = time.perf_counter()
        return subprocess.CompletedProcess(process.args, process.returncode, out, err), ended - at

    runs = []
    with ExitStack() as stack, ThreadPoolExecutor(len(cases)) as pool:
        started = []
        for scenario, token_ok in cases:
            server = stack.enter_context(hostile(scenario, token_ok=token_ok))
            path = tmp_path / f"{scenario}-{token_ok}"
            assert run_onboard(["init", "--shipper", "Acme", "--workspace", str(path)]).returncode == 0
            process = subprocess.Popen(
                [sys.executable, "-m", "onboard", "certify", "--workspace", str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **pointed_at(server)},
            )
            started.append((scenario, token_ok, path, pool.submit(wait, process, time.perf_counter())))
        for scenario, token_ok, path, waited in started:
            result, seconds = waited.result()
            (run_json,) = path.glob("runs/*/run.json")
            runs.append(Run(scenario, token_ok, result, seconds, json.loads(run_json.read_text())))
    return runs


CERTIFY_CASES = [
    # scenario, only the Shipping calls misbehave, why the run says it stopped
    ("502-forever", False, "the token exchange answered 502 through a whole backoff"),
    ("drip", False, f"every call failed for {FAILING_SECONDS:g} s; the last: token exchange: no answer"),
    ("black-hole", False, f"every call failed for {FAILING_SECONDS:g} s; the last: token exchange: no answer"),
    ("hang-up", False, "token exchange: no answer from 127.0.0.1: connection lost"),
    ("502-forever", True, "; the last: getRates answered 502"),  # "every call failed for 40 s", or "(36 attempts)"
    ("black-hole", True, f"every call failed for {FAILING_SECONDS:g} s; the last: getRates: no answer"),
    # a token answered every second once reopened the window at each exchange, and the run never ended
    ("black-hole-short-token", True, f"every call failed for {FAILING_SECONDS:g} s; the last: getRates: no answer"),
]


@pytest.mark.slow
def test_certify_gives_up_within_a_minute_when_every_call_fails_and_saves_the_run_as_incomplete(
    tmp_path: Path, figure: Figure
) -> None:
    reasons = {(scenario, token_ok): reason for scenario, token_ok, reason in CERTIFY_CASES}
    times = []
    for run in certify_all(tmp_path, list(reasons)):
        name = f"{run.scenario}{' (Shipping calls only)' if run.token_ok else ''}"
        out = run.result.stdout + run.result.stderr
        assert run.result.returncode == 1, f"{name}: {out}"
        assert "Traceback" not in out and "internal error" not in out, name
        # every case is in the record: the ones the run reached failed, the others were not run
        assert line_of(run.result.stdout, "INCOMPLETE: "), name
        assert len(run.record["cases"]) == 14, name
        stopped = line_of(run.result.stdout, "! the run stopped:")
        assert reasons[(run.scenario, run.token_ok)] in stopped, f"{name}: {stopped}"
        assert stopped.endswith("it is saved as incomplete"), stopped
        assert (run.record["complete"], run.record["ok"]) == (False, False), name
        assert reasons[(run.scenario, run.token_ok)] in str(run.record["stopped"]), name
        assert run.record["left_open"] == [], name  # nothing was bought, so nothing is left to cancel
        assert run.seconds < CERTIFY_BOUND, f"{name}: {run.seconds:.1f} s"
        times.append(f"{name} {run.seconds:.0f} s")
    figure(f"certify gave up on every hostile server, each run saved as incomplete: {', '.join(times)}")


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("redirect", "token exchange: 127.0.0.1 answered 301, a redirect to http://127.0.0.1:"),
        ("expires-zero", "the token URL answered 200 with no token onboard can use: its expires_in is 0"),
    ],
    ids=["redirect", "expires-zero"],
)
def test_certify_names_a_redirect_and_a_token_that_expires_at_once(
    workspace: Path, figure: Figure, scenario: str, said: str
) -> None:
    with hostile(scenario) as server:
        started = time.perf_counter()
        result = run_onboard(
            ["certify", "--case", "TC01", "--workspace", str(workspace)], {**os.environ, **pointed_at(server)}
        )
        seconds = time.perf_counter() - started
        requests = list(server.requests)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    detail = result.stdout.splitlines()[result.stdout.splitlines().index(line_of(result.stdout, "! TC01")) + 1]
    assert said in detail, detail
    assert "answered 200 without an access token" not in result.stdout and "throttl" not in result.stdout
    assert not any(" /elsewhere" in request for request in requests)
    figure(f"certify against {scenario}: a verdict in {seconds:.1f} s")


# --- a getAdditionalInputs schema nested beyond reason: one line, the rest of the run goes on --------------

INPUTS_PATH = "/shipping/v2/shipments/additionalInputs/schema"
DEEP_SCHEMAS = {
    # the whole answer a hundred thousand '[' deep, and the same inside the payload wrapper
    "bare": b"[" * 100_000,
    "wrapped": b'{"payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    # whole JSON, shallow enough for the parser, deeper than any schema Amazon answers: unwrapped, the way
    # Amazon's own examples come (the payload wrapper left out)
    "150 deep": b'{"type": "object", "properties": ' + b'{"a": ' * 150 + b"{}" + b"}" * 150 + b"}",
}


@pytest.mark.parametrize("shape", list(DEEP_SCHEMAS))
def test_a_schema_nested_beyond_reason_fails_its_case_in_one_line(workspace: Path, shape: str) -> None:
    accepted = AcceptedCredentials(CLIENT_ID, {CREDENTIALS["LWA_CLIENT_SECRET"]}, {CREDENTIALS["LWA_REFRESH_TOKEN"]})
    with (
        EmulatorServer(EmulatorSettings(credentials=accepted)) as emulator,
        hostile_server(emulator.url, lambda payload: None, replace={INPUTS_PATH: DEEP_SCHEMAS[shape]}) as proxy,
    ):
        env = {**CREDENTIALS, "ONBOARD_LWA_URL": f"{proxy.url}/auth/o2/token", "ONBOARD_SPAPI_URL": proxy.url}
        result = run_onboard(
            ["certify", "--case", "TC01", "P-12", "--workspace", str(workspace)], {**os.environ, **env}
        )
        open_after = emulator.emulator.store.open_shipments()
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out and "RecursionError" not in out and "internal error" not in out
    lines = result.stdout.splitlines()
    case_line = line_of(result.stdout, "! P-12")
    detail = lines[lines.index(case_line) + 1].strip()
    assert detail.startswith("getAdditionalInputs answered success with a body onboard cannot read: body: "), detail
    assert "body: nested deeper than 100 levels — the server may not be Amazon Shipping v2" in detail, detail
    assert line_of(result.stdout, "✓ TC01")  # the other case is not taken down with it
    # P-12 had not bought yet: nothing was left open, and the run that saw it is complete
    assert open_after == []
    (run_json,) = workspace.glob("runs/*/run.json")
    record = json.loads(run_json.read_text())
    assert (record["complete"], record["ok"], record["left_open"]) == (True, False, [])


# --- a server that writes the credentials onto the label ---------------------------------------------------


def _write_onto_label(payload: dict[str, Any]) -> None:
    """A ZPL label with the refresh token and the client secret printed on it, as a proxy that learnt them
    from the token exchange could (the label is evidence a pack carries to someone else)."""
    for detail in payload.get("packageDocumentDetails", []):
        for document in detail["packageDocuments"]:
            zpl = base64.b64decode(document["contents"])
            echo = f"^FO20,20^A0N,20,20^FD{CREDENTIALS['LWA_REFRESH_TOKEN']} {CREDENTIALS['LWA_CLIENT_SECRET']}^FS"
            document["contents"] = base64.b64encode(zpl.replace(b"^XZ", echo.encode() + b"^XZ")).decode()


def test_a_label_that_carries_a_credential_is_never_kept_nor_packed(workspace: Path, tmp_path: Path) -> None:
    accepted = AcceptedCredentials(CLIENT_ID, {CREDENTIALS["LWA_CLIENT_SECRET"]}, {CREDENTIALS["LWA_REFRESH_TOKEN"]})
    with (
        EmulatorServer(EmulatorSettings(credentials=accepted)) as emulator,
        hostile_server(emulator.url, _write_onto_label) as proxy,
    ):
        env = {**CREDENTIALS, "ONBOARD_LWA_URL": f"{proxy.url}/auth/o2/token", "ONBOARD_SPAPI_URL": proxy.url}
        result = run_onboard(
            ["certify", "--case", "P-02", "--formats", "ZPL", "--dpi", "203", "--workspace", str(workspace)],
            {**os.environ, **env},
        )
        packed = run_onboard(
            ["pack", "--include-failed", "--out", str(tmp_path / "p.zip"), "--workspace", str(workspace)],
            {**os.environ, **env},
        )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "the label's text holds a credential onboard knows" in out
    (run_json,) = workspace.glob("runs/*/run.json")
    (label,) = [label for case in json.loads(run_json.read_text())["cases"] for label in case["labels"]]
    assert (label["passed"], label["file"]) == (False, None)
    assert list(run_json.parent.glob("labels/*")) == []  # the file is gone from the shipper's disk too
    assert packed.returncode == 0, packed.stderr
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
        report = pypdf.PdfReader(io.BytesIO(archive.read("report.pdf")))
        everything += "".join(page.extract_text() for page in report.pages).encode()
    secret, refresh = CREDENTIALS["LWA_CLIENT_SECRET"].encode(), CREDENTIALS["LWA_REFRESH_TOKEN"].encode()
    assert secret not in everything and refresh not in everything
    assert not [name for name in zipfile.ZipFile(tmp_path / "p.zip").namelist() if name.startswith("labels/")]


# --- creds rotate: a server that cannot judge the new secret does not condemn it -----------------------------


@pytest.mark.parametrize("scenario", ["502-forever", "refused"])
def test_rotate_against_a_failing_lwa_says_the_secret_went_unchecked(workspace: Path, scenario: str) -> None:
    with hostile(scenario) as server:
        environment = {**os.environ, **pointed_at(server), "LWA_NEW_CLIENT_SECRET": "hostile-new-secret-9a8b7c6d"}
        result = run_onboard(["creds", "rotate", "--workspace", str(workspace)], environment)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("onboard: the new secret could not be checked: "), result.stderr
    assert "does not work" not in result.stderr
    assert "unchanged and still in use; rotate again later" in lines[1]
    assert "hostile-new-secret-9a8b7c6d" not in result.stdout + result.stderr


def test_a_redirect_to_the_same_host_is_not_said_to_go_elsewhere(workspace: Path) -> None:
    with hostile("redirect") as server:
        result = run_onboard(["creds", "verify", "--workspace", str(workspace)], {**os.environ, **pointed_at(server)})
    out = result.stdout
    assert "to another path of the same host" in out, out
    assert "another host" not in out.replace("another path of the same host", "")
