"""Fixtures shared by every test: loopback only, a live emulator, and the official model when present."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.server import EmulatorServer
from tests.figures import Figure
from tests.plain_client import Plain

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
SHIPPING_V2 = REFERENCE / "shippingV2.json"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_loopback(address: Any) -> None:
    if isinstance(address, tuple):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the tests may reach Amazon, or anything else off this machine."""

    def connect(self: socket.socket, address: Any) -> None:
        _check_loopback(address)
        _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_loopback(address)
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own: no real keyring, config or data directory is read or written, and no
    LWA_ or ONBOARD_ variable of the machine leaks in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in list(os.environ):
        if name.startswith(("LWA_", "ONBOARD_")):
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def figure(record_property: Callable[[str, object], None]) -> Figure:
    """A suite's figure ("200 kills, 0 torn"), printed under "figures" at the end of the run. It travels
    as a user property, so it reaches the summary from xdist workers too."""
    return lambda text: record_property("figure", text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        f"{report.nodeid.split('::')[-1]}: {value}"
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "figure"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def emulator_settings() -> EmulatorSettings:
    """Override in a test module to start the emulator with other credentials, faults or role."""
    return EmulatorSettings()


@pytest.fixture
def emulator(emulator_settings: EmulatorSettings) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator_settings) as server:
        yield server


@pytest.fixture
def plain() -> Iterator[Callable[..., Plain]]:
    """Makes plain raw-httpx clients (an integrator's own script) and closes them after the test."""
    made: list[Plain] = []

    def make(url: str, business_id: str | None = "AmazonShipping_US") -> Plain:
        made.append(Plain(url, business_id))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture(scope="session")
def shipping_model() -> dict[str, Any]:
    """Amazon's Shipping v2 Swagger model from ../shared/reference; tests that need it skip without it."""
    if not SHIPPING_V2.is_file():
        pytest.skip(f"Amazon's model is not at {SHIPPING_V2}")
    model: dict[str, Any] = json.loads(SHIPPING_V2.read_text(encoding="utf-8"))
    return model
