"""`onboard sandbox serve` as an integrator runs it: a real process, a real port, Ctrl+C to stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.plain_client import Plain, spec

ONBOARD = [sys.executable, "-m", "onboard"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ONBOARD, *args], capture_output=True, text=True, timeout=30, check=False)


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    process = subprocess.Popen(
        [*ONBOARD, "sandbox", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    banner: list[str] = []
    deadline = time.monotonic() + 20
    url = ""
    while time.monotonic() < deadline and not url:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line.rstrip())
        found = re.search(r"base URL\s+(http://\S+)", line)
        url = found.group(1) if found else ""
    if not url:
        process.kill()
        raise AssertionError(f"no base URL printed: {banner} {process.stderr.read() if process.stderr else ''}")
    # the banner ends with the Ctrl+C line; read it all before the test goes on
    while banner and not banner[-1].startswith("Ctrl+C"):
        banner.append(process.stdout.readline().rstrip())
    try:
        yield process, url, banner
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.mark.slow
def test_serve_prints_its_url_and_demo_credentials_then_stops_cleanly_on_ctrl_c(plain: Callable[..., Plain]) -> None:
    with serving() as (process, url, banner):
        text = "\n".join(banner)
        assert "LWA_CLIENT_SECRET=onboard-demo-client-secret" in text
        assert f"ONBOARD_SPAPI_URL={url}" in text
        client = plain(url).login()
        _, bought = client.quote_and_buy(spec("ZPL", 203))
        assert client.cancel(bought["shipmentId"]).status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0
        assert "emulator stopped" in out
        assert "Traceback" not in err
        # every request was logged, with its business id, and no token in the log
        assert "POST /shipping/v2/shipments 200" in err
        assert "AmazonShipping_US" in err
        assert client.token not in err and "onboard-demo-client-secret" not in err


@pytest.mark.slow
def test_custom_credentials_are_never_printed(plain: Callable[..., Plain]) -> None:
    secret, refresh = "canary-secret-7f3a9b", "Atzr|canary-refresh-5e1d"
    client_id = "amzn1.application-oa2-client.canary0000000000000000000001234"
    with serving("--client-id", client_id, "--client-secret", secret, "--refresh-token", refresh, "--no-role") as (
        process,
        url,
        banner,
    ):
        client = plain(url)
        assert client.token_response().status_code == 401  # the demo set is no longer accepted
        good = client.token_response(client_id=client_id, client_secret=secret, refresh_token=refresh)
        assert good.status_code == 200
        client.token = good.json()["access_token"]
        assert client.rates().status_code == 403  # --no-role
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0
        assert "emulator stopped" in out
    everything = "\n".join(banner) + out + err
    assert "amzn1.application-oa2-client.…1234" in everything
    for canary in (secret, refresh, client_id, good.json()["access_token"]):
        assert canary not in everything
    assert "MISSING" in everything


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("sandbox", "serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in lines[0]
    assert "another --port" in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "eighty"], "invalid int value: 'eighty'"),
        (["--port", "70000"], "not a port number"),
        (["--faults", "429=2"], "--faults: fault '429' must be between 0 and 1"),
        (["--faults", "chaos=1"], "unknown fault 'chaos'"),
        (["--client-secret", ""], "--client-secret must not be empty"),
        (["--colour"], "unrecognized arguments: --colour"),
        (["--token-ttl", "0"], "--token-ttl must be at least 1 second"),
    ],
)
def test_bad_flags_are_one_clear_line_and_exit_2(args: list[str], message: str) -> None:
    result = run("sandbox", "serve", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("onboard: error:")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("onboard ")
    helped = run("sandbox", "serve", "--help")
    assert helped.returncode == 0
    for flag in ("--host", "--port", "--client-id", "--client-secret", "--refresh-token", "--faults", "--no-role"):
        assert flag in helped.stdout
