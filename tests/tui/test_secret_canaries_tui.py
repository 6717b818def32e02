"""The TUI part of the secret-canary suite: a shipper's whole story on screen, with canary secrets.

Acme's first run makes the workspace through the form; on the Credentials screen they paste the client id,
type a canary client secret and paste a canary refresh token into the masked fields, save them and press
Verify, against an emulator that accepts those canaries and nothing else; on the Certification screen they
run the catalog and open the drill-downs that show every kind of call the run made; on Sign-off they build
the pack. At every step we keep what the user could see (the SVG screenshot, its text, the text of every
widget) and every notification; then everything the run left: every file under the home and the scratch
directories (the pack's entries and its PDF's streams included), the captured stdout and stderr and every
log record. The run asks for Textual's own log too (``TEXTUAL_LOG``), which onboard must refuse to write.
No canary, and no access token the emulator issued, may be in any of it. The one place the secrets may
live is the credential store's file: it is left out by name, and the search must find them there, so a
search that finds nothing is a search that works.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from pydantic import SecretStr
from textual import events
from textual.app import App
from textual.widgets import DataTable, Input

from onboard.credentials.model import Credentials
from onboard.emulator.app import EmulatorSettings
from onboard.emulator.credentials import AcceptedCredentials
from onboard.emulator.server import EmulatorServer
from onboard.locations import credentials_dir
from onboard.redact import redact
from onboard.tui.app import TEXTUAL_LOG_REFUSED, OnboardApp
from onboard.tui.runs import CaseView, RunView
from onboard.tui.screens.case import CaseScreen
from onboard.tui.screens.certification import CertificationScreen
from onboard.tui.screens.credentials import CredentialsScreen
from onboard.tui.screens.first_run import FirstRunScreen
from onboard.tui.screens.journey import JourneyScreen
from onboard.tui.screens.signoff import SignoffScreen
from onboard.workspace.workspace import Workspace
from tests import canaries
from tests.canaries import echo_canaries, token_needles
from tests.echo_servers import echo_server
from tests.figures import Figure
from tests.tui.helpers import settle, shown, svg_text, widget_texts

pytestmark = pytest.mark.anyio
AppFor = Callable[..., OnboardApp]

CLIENT_ID = "amzn1.application-oa2-client.c0ffee00c0ffee00c0ffee00c0ffee00"  # not a secret: shown redacted
SECRET_BODY = "CANARYSECRET"
REFRESH_BODY = "CANARYREFRESH"
SECRET = f"amzn1.oa2-cs.v1.{SECRET_BODY}-7b1e"  # typed key by key: kept short
REFRESH = f"Atzr|{REFRESH_BODY}-IwEBIL4d6f8a2c9e0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8"
#: the whole values, and what only they contain: a cut, URL-encoded or re-quoted copy is still found
CANARIES = (SECRET, REFRESH, SECRET_BODY, REFRESH_BODY)


# --- where a canary may hide, and the search ---------------------------------------------------------------


class Evidence(canaries.Evidence):
    """The search, and what the user could see on screen at a moment."""

    def screen(self, app: App[Any], moment: str) -> None:
        """What the user sees at this moment: the screenshot, its text, and the text of every widget."""
        svg = app.export_screenshot(simplify=True)
        self.add(f"{moment}: the screenshot", svg)
        self.add(f"{moment}: the screenshot's text", svg_text(svg))
        for name, text in widget_texts(app):
            self.add(f"{moment}: {name}", text)


# --- the search can fail -------------------------------------------------------------------------------------


def test_the_search_finds_a_canary_wherever_it_hides(tmp_path: Path) -> None:
    page = base64.a85encode(zlib.compress(b"BT (" + SECRET.encode() + b") Tj ET"), adobe=True)
    pdf = b"%PDF-1.4\n1 0 obj<</Filter[/ASCII85Decode/FlateDecode]>>stream\n" + page
    pack = io.BytesIO()
    with zipfile.ZipFile(pack, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.pdf", pdf + b"\nendstream\nendobj\n")
        archive.writestr("calls/getRates.json", '{"note": "clean"}')
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "pack.zip").write_bytes(pack.getvalue())
    (tmp_path / "store.json").write_text(SECRET)
    svg = f'<svg><text x="0">{html.escape("in force: " + REFRESH[:20])}</text><text x="9">{REFRESH[20:]}</text></svg>'

    evidence = Evidence()
    evidence.add("a log line", f"token refused for refresh_token=Atzr%7C{REFRESH_BODY}-IwEBIL")
    evidence.add("a screenshot's text", svg_text(svg))
    evidence.add("an access token in a header", "x-amz-access-token: Atza%7Cq1w2e3r4t5y6u7i8o9p0")
    evidence.files(tmp_path, but=tmp_path / "store.json")

    in_the_pdf = f"{tmp_path}/deep/er/pack.zip → report.pdf, stream 0"
    assert set(evidence.hits(CANARIES)) == {
        f"{REFRESH_BODY!r} in a log line",  # URL-encoded: only the body is whole
        f"{REFRESH!r} in a screenshot's text",  # drawn in two runs of text
        f"{REFRESH_BODY!r} in a screenshot's text",
        f"{SECRET!r} in {in_the_pdf}",  # in a zip, in a PDF, in an ASCII85 and Flate stream
        f"{SECRET_BODY!r} in {in_the_pdf}",
    }
    assert evidence.hits(token_needles(["Atza|q1w2e3r4t5y6u7i8o9p0"])) == [
        "'q1w2e3r4t5y6u7i8o9p0' in an access token in a header"
    ]


def test_what_may_be_shown_of_the_canaries_is_no_hit() -> None:
    """The redacted id and the secrets' fingerprints are shown on purpose: the search does not mistake them."""
    described = Credentials(CLIENT_ID, SecretStr(SECRET), SecretStr(REFRESH), "file", date(2026, 5, 1)).describe()
    shown_of_them = Evidence()
    shown_of_them.add("describe()", repr(described))
    shown_of_them.add("redacted", f"{redact(SECRET)} {redact(REFRESH)}")
    assert shown_of_them.hits(CANARIES) == []


# --- the story -----------------------------------------------------------------------------------------------


@dataclass
class Amazon:
    server: EmulatorServer
    #: every access token the emulator handed out during the story
    issued: list[str]


@pytest.fixture
def amazon(monkeypatch: pytest.MonkeyPatch) -> Iterator[Amazon]:
    """An emulator that accepts the canaries and nothing else, found through the ONBOARD_ URL settings."""
    accepted = AcceptedCredentials(CLIENT_ID, {SECRET}, {REFRESH})
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as server:
        issued: list[str] = []
        issuer = server.emulator.tokens
        issue = issuer.issue

        def recording(client_id: str, grant: str = "") -> str:
            token = issue(client_id, grant)
            issued.append(token)
            return token

        monkeypatch.setattr(issuer, "issue", recording)
        monkeypatch.setenv("ONBOARD_LWA_URL", f"{server.url}/auth/o2/token")
        monkeypatch.setenv("ONBOARD_SPAPI_URL", server.url)
        yield Amazon(server, issued)


def operations(run: RunView) -> set[str]:
    return {call.operation for case in run.cases for call in case.calls} | {c.operation for c in run.unattributed}


def showing_every_operation(run: RunView) -> list[CaseView]:
    """The fewest cases (greedily) whose drill-downs show every kind of call the run made: each draws its
    recorded bodies the same way, and the run's every call is searched in ``run.json`` besides."""
    chosen: list[CaseView] = []
    missing = operations(run)
    while missing:
        best = max(run.cases, key=lambda case: len(missing & {call.operation for call in case.calls}))
        new = missing & {call.operation for call in best.calls}
        assert new, f"no case shows {sorted(missing)}: the TUI cannot show every call"
        chosen.append(best)
        missing -= new
    return chosen


def listen(app: OnboardApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every notification the app raises, kept (a toast disappears after a few seconds)."""
    heard: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        heard.append(f"{options.get('title', '')}: {message}")
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return heard


@pytest.mark.slow
async def test_a_shippers_story_on_screen_leaves_no_secret_anywhere_but_the_store(
    private_home: Path,
    tmp_path: Path,
    app_for: AppFor,
    amazon: Amazon,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    figure: Figure,
) -> None:
    caplog.set_level(logging.DEBUG)
    textual_log = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(textual_log))  # as if run with TEXTUAL_LOG=<file>
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # any temporary file is written where we search
    workspace = private_home / "acme"
    seen = Evidence()
    app = app_for(workspace)
    heard = listen(app, monkeypatch)

    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        # first run: the form makes the workspace
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        seen.screen(app, "the first-run form")
        await pilot.press("ctrl+u")  # the suggested name goes
        app.post_message(events.Paste("Acme Parcels"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JourneyScreen)
        assert Workspace.open(workspace).state.profile.shipper_name == "Acme Parcels"
        seen.screen(app, "the journey")

        # Credentials: the canaries typed and pasted into the masked fields, stored, then Verify
        await pilot.press("2")
        await settle(app)
        assert isinstance(app.screen, CredentialsScreen)
        assert "file (readable only by you) in ~/" in shown(app, "#creds-store")
        seen.screen(app, "the credentials screen")
        await pilot.click("#client-id")
        app.post_message(events.Paste(CLIENT_ID))  # pasted, as the terminal delivers a paste
        await pilot.press("tab", *SECRET, "tab")  # the secret typed key by key into a masked field
        app.post_message(events.Paste(REFRESH))  # the refresh token pasted from Developer Central
        await pilot.pause()
        assert app.screen.query_one("#client-secret", Input).value == SECRET
        assert app.screen.query_one("#refresh-token", Input).value == REFRESH
        assert "ready to store" in shown(app, "#creds-problems")
        seen.screen(app, "the credentials typed, not yet stored")
        await pilot.press("ctrl+s")
        await settle(app)
        await pilot.pause()
        assert "stored in file (readable only by you) in ~/" in shown(app, "#creds-problems")
        assert "file credentials" in shown(app, "#creds-current")
        seen.screen(app, "the credentials stored")
        await pilot.press("v")
        await settle(app)
        await pilot.pause()
        assert "every check passed" in shown(app, "#verify-status"), shown(app, "#checks")
        # toasts still up on a fast machine (they last 5-10 s) would cover the client id drawn beneath them
        app.clear_notifications()
        await pilot.pause()
        seen.screen(app, "the credentials verified")

        # Certification: the whole catalog, then the drill-downs that show every kind of call the run made
        await pilot.press("3")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, CertificationScreen)
        await pilot.press("r")
        await settle(app)
        await pilot.pause()
        run = screen.latest
        assert run is not None, shown(app, "#certify-status")
        assert run.ok, shown(app, "#run-summary")
        seen.screen(app, "the certification run")
        shown_calls: set[str] = set()
        table: DataTable[object] = screen.query_one(DataTable)
        for case in showing_every_operation(run):
            table.move_cursor(row=table.get_row_index(case.id))
            await pilot.press("enter")
            await settle(app)
            await pilot.pause()
            assert isinstance(app.screen, CaseScreen)
            await pilot.press("c")  # its labels' checks are kept with the widgets' text below
            for number, call in enumerate(case.calls):
                if number:
                    await pilot.press("down")
                body = shown(app, "#call-body")
                assert f"{call.method} {call.path}" in body
                seen.add(f"case {case.id}: call {number + 1} ({call.operation})", body)
                shown_calls.add(call.operation)
            seen.screen(app, f"case {case.id}")
            await pilot.press("escape")
            assert app.screen is screen
        assert shown_calls == operations(run)
        assert {"getRates", "purchaseShipment", "cancelShipment"} <= shown_calls

        # Sign-off: the pack
        await pilot.press("4")
        await settle(app)
        assert isinstance(app.screen, SignoffScreen)
        seen.screen(app, "sign-off")
        await pilot.press("b")
        await settle(app)
        await pilot.pause()
        assert "Pack built" in shown(app, "#signoff-status")
        seen.screen(app, "the pack built")
        await pilot.press("ctrl+q")

    # the canaries reached Amazon (the emulator took them, and nothing else), and only the store keeps them
    assert amazon.issued, "Verify and certify exchanged no token: the canaries never left the app"
    (store,) = credentials_dir().glob("*.json")
    assert store.stem == Workspace.open(workspace).state.workspace_id
    assert Evidence({str(store): store.read_bytes()}).hits(CANARIES) == [
        f"{canary!r} in {store}" for canary in CANARIES
    ]

    seen.add("the notifications", "\n".join(heard))
    seen.files(private_home, but=store)  # the workspace, its runs and packs, the config and data directories
    seen.files(tmp_path)  # Textual's log, were it written, and any temporary file
    printed = capfd.readouterr()
    seen.add("stdout", printed.out)
    seen.add("stderr", printed.err)
    seen.add("the log records", "\n".join(f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records))
    seen.add("the log records' arguments", "\n".join(repr(r.args) for r in caplog.records))

    needles = CANARIES + token_needles(amazon.issued)
    hits = seen.hits(needles)
    assert hits == [], "a secret was found:\n" + "\n".join(hits)
    size = sum(len(data) for data in seen.places.values())
    figure(f"{len(needles)} patterns, {len(seen.places)} places ({size / 1e6:.1f} MB) searched: 0 hits")
    # and the search reads what the story made: what was typed and shown is found where it should be
    shipper = seen.where("Acme Parcels")
    assert f"{workspace}/workspace.json" in shipper
    assert any(".zip → report.pdf, stream " in place for place in shipper)  # the pack's PDF, read as text
    client_id_shown = seen.where(redact(CLIENT_ID))
    assert "the credentials verified: the screenshot's text" in client_id_shown
    assert "the credentials verified: Static#creds-current" in client_id_shown
    assert "the log records" in seen.where("/auth/o2/token")  # the worker threads' logging was captured
    assert "the notifications" in seen.where("Every case passed.")
    assert sum(place.endswith(": the screenshot") for place in seen.places) >= 10
    # Textual's own log writes every message with its fields, what is typed included: onboard turns it off
    assert not textual_log.exists()
    assert f"No Textual log: {TEXTUAL_LOG_REFUSED}" in heard


def test_textuals_devtools_console_is_switched_off_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_home: Path
) -> None:
    # textual-dev is not installed here: a stand-in shows what Textual would connect, and that onboard
    # lets go of it before anything is sent (the console receives the same messages as the log file)
    import sys  # noqa: PLC0415
    import types  # noqa: PLC0415

    from onboard.settings import Settings  # noqa: PLC0415
    from onboard.tui.app import make_app  # noqa: PLC0415

    connected: list[str] = []
    client_module = types.ModuleType("textual_dev.client")
    redirect_module = types.ModuleType("textual_dev.redirect_output")
    client_module.DevtoolsClient = lambda host: connected.append(host) or object()  # type: ignore[attr-defined]
    redirect_module.StdoutRedirector = lambda client: object()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "textual_dev", types.ModuleType("textual_dev"))
    monkeypatch.setitem(sys.modules, "textual_dev.client", client_module)
    monkeypatch.setitem(sys.modules, "textual_dev.redirect_output", redirect_module)
    monkeypatch.setenv("TEXTUAL", "devtools")
    app = make_app(tmp_path / "ws", Settings.from_env())
    assert connected, "Textual did not try the devtools: the stand-in is not what it imports"
    assert app.devtools is None


# --- servers that echo what they are sent ----------------------------------------------------------------------


async def test_servers_that_echo_the_request_show_no_secret_on_screen(
    workspace_dir: Path,
    app_for: AppFor,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    figure: Figure,
) -> None:
    """Verify against a token endpoint that echoes the request in its 401 and 500 bodies, then a run against a
    Shipping API that echoes the access token in every answer, and its drill-downs: the echoes are drawn
    (masked), the secrets never, nor the URL's proxy password."""
    caplog.set_level(logging.DEBUG)
    canary = echo_canaries()
    accepted = AcceptedCredentials(CLIENT_ID, {canary["secret"]}, {canary["refresh"]})
    seen = Evidence()
    with EmulatorServer(EmulatorSettings(credentials=accepted)) as emulator, echo_server(emulator.url) as echo:
        base = echo.url.replace("http://", f"http://proxy:{canary['proxy_password']}@")
        for name, value in (
            ("ONBOARD_LWA_URL", f"{base}/auth/o2/token"),
            ("ONBOARD_SPAPI_URL", base),
            ("LWA_CLIENT_ID", CLIENT_ID),
            ("LWA_CLIENT_SECRET", canary["secret"]),
            ("LWA_REFRESH_TOKEN", canary["refresh"]),
        ):
            monkeypatch.setenv(name, value)
        app = app_for(workspace_dir)
        heard = listen(app, monkeypatch)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.press("2")
            await settle(app)
            await pilot.press("escape")  # out of the client id field, where the screen opens
            echoed = []
            for scenario in ("echo-401", "echo-500"):
                echo.lwa = scenario
                await pilot.press("v")
                await settle(app)
                await pilot.pause()
                echoed.append(shown(app, "#checks"))
                seen.screen(app, f"verify against {scenario}")
            echo.lwa = "pass"
            await pilot.press("3")
            await settle(app)
            screen = app.screen
            assert isinstance(screen, CertificationScreen)
            await pilot.press("r")
            await settle(app)
            await pilot.pause()
            run = screen.latest
            assert run is not None and run.cases, shown(app, "#certify-status")
            seen.screen(app, "the run")
            table: DataTable[object] = screen.query_one(DataTable)
            for case in showing_every_operation(run):
                table.move_cursor(row=table.get_row_index(case.id))
                await pilot.press("enter")
                await settle(app)
                await pilot.press("c")
                for number, call in enumerate(case.calls):
                    if number:
                        await pilot.press("down")
                    await pilot.pause()
                    seen.add(f"case {case.id}: call {number + 1} ({call.operation})", shown(app, "#call-body"))
                seen.screen(app, f"case {case.id}")
                await pilot.press("escape")

    # the echoes were drawn (the checks' details, cut to the screen's width; the calls' bodies whole), masked
    assert all("✗ token exchange" in text and "Login with Amazon answered" in text for text in echoed)
    assert echo.tokens and any(b"sent with x-amz-access-token [masked]" in data for data in seen.places.values())
    seen.add("the notifications", "\n".join(heard))
    printed = capfd.readouterr()
    seen.add("stdout and stderr", printed.out + printed.err)
    seen.add("the log records", "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records))
    values = [*canary.values(), *(t for t in echo.tokens if t != "Atza|not-a-valid-token"), *echo.basic]
    needles = (*canaries.all_forms(dict.fromkeys(values)), f"proxy:{canary['proxy_password']}")
    hits = seen.hits(needles)
    assert hits == [], "a secret was found:\n" + "\n".join(hits[:20])
    figure(f"{len(needles)} patterns, {len(seen.places)} places on screen, in toasts and logs: 0 hits")
