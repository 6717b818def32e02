"""The LWA credentials: the store in use, what is in force (never shown whole), new ones typed masked,
and "Verify": the live checks of ``onboard creds verify``, with their progress and each failure's fix.

The keyring may be slow or ask to be unlocked, and verifying talks to the network (or starts the
embedded emulator), so all of it runs in thread workers; the screen only ever draws.
"""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Label, Static

from onboard.credentials.model import problems
from onboard.display import shown
from onboard.tui.widgets.base import (
    FormInput,
    KeysStepAside,
    ReportsWorkerFailures,
    in_a_field,
    onboard_app,
    one_line,
    tildify,
    tone,
    toned,
)
from onboard.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from onboard.credentials.model import Credentials
    from onboard.credentials.store import CredentialStore
    from onboard.spapi.endpoints import Endpoints
    from onboard.verification import Check


#: what to do about no credentials, said here rather than as the CLI says it
TYPE_THEM = "type them above and press Ctrl+S (or set LWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN)"
#: the fields in the order they are filled
FIELDS = ("#client-id", "#client-secret", "#refresh-token", "#secret-created")


class CredentialsScreen(ReportsWorkerFailures, KeysStepAside, Screen[None]):
    TITLE = "Credentials"
    AUTO_FOCUS = None  # on_mount: the first empty field
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "Verify"),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f", "forget", "Forget"),
        Binding("escape", "leave_field", "Leave field"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.store: CredentialStore | None = None
        self._ticker: Timer | None = None
        self._started = 0.0
        self._stage = ""

    def compose(self) -> ComposeResult:
        yield SectionBar("credentials")
        with VerticalScroll(id="credentials-body"):
            yield Static("Store: looking…", id="creds-store")
            yield Static("", id="creds-current")
            yield Label("Store new credentials (Developer Central → your app → LWA credentials)", classes="section")
            with Grid(id="creds-form"):
                yield Label("Client id")
                yield FormInput(placeholder="amzn1.application-oa2-client.…", compact=True, id="client-id")
                yield Label("Client secret")
                yield FormInput(placeholder="hidden as you type", password=True, compact=True, id="client-secret")
                yield Label("Refresh token")
                yield FormInput(
                    placeholder="Atzr|… (hidden as you type)", password=True, compact=True, id="refresh-token"
                )
                yield Label("Secret made on")
                yield FormInput(placeholder="YYYY-MM-DD (default: today)", compact=True, id="secret-created")
            yield Static("", id="creds-problems")
            with Horizontal(classes="buttons"):
                yield Button("Verify (v)", variant="primary", compact=True, id="verify")
                yield Button("Save (^s)", compact=True, id="save")
                yield Button("Forget (f)", variant="error", compact=True, id="forget")
            yield Label("Live checks", classes="section")
            yield Static("Not run yet: v runs them against the workspace's environment.", id="verify-status")
            yield Static("", id="checks")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._say(None)
        # a person comes here to type the credentials: the cursor waits in the first empty field
        empty = [name for name in FIELDS if not self.query_one(name, FormInput).value]
        self.query_one(empty[0] if empty else "#verify").focus()
        self._load_store()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_field":
            return in_a_field(self)  # shown, and meant, only while a field has the cursor
        return super().check_action(action, parameters)

    def on_screen_resume(self) -> None:
        if self.store is not None:  # 'onboard creds set' in another terminal shows when the section is opened again
            self._load_store()

    # --- the store -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _load_store(self) -> None:
        from onboard.credentials.store import default_store, resolve  # noqa: PLC0415 - keyring loads here

        app = onboard_app(self)
        try:
            store = default_store()
            assert app.workspace is not None
            credentials = resolve(app.settings, app.workspace.state.workspace_id, store)
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self._show_store, None, None, one_line(error))
            return
        app.call_from_thread(self._show_store, store, credentials, "")

    def _show_store(self, store: CredentialStore | None, credentials: Credentials | None, error: str) -> None:
        app = onboard_app(self)
        self.store = store
        where = self.query_one("#creds-store", Static)
        current = self.query_one("#creds-current", Static)
        if store is None:
            where.update(toned(self, f"The credential store cannot be used: {error}", "failed"))
            return
        text = Text.assemble(("Store: ", "bold"), shown(tildify(store.name), None))
        if app.settings.credentials is not None:
            text.append("\nLWA_CLIENT_ID, LWA_CLIENT_SECRET and LWA_REFRESH_TOKEN are set: they win over the store.")
        where.update(text)
        if credentials is None:
            environment = app.workspace.state.profile.environment if app.workspace else "emulator"
            if environment == "emulator":
                current.update("In force: none stored; the emulator accepts its published demo set.")
            else:
                current.update(
                    toned(self, f"In force: none. The {environment} needs them: type them below.", "waiting")
                )
            return
        described = credentials.describe()
        lines = Text.assemble(("In force: ", "bold"), f"{described['source']} credentials")
        for key in ("client_id", "client_secret", "refresh_token", "rotation_deadline"):
            value = described.get(key)
            lines.append(
                f"\n  {key.replace('_', ' '):<18}{shown(value, 80) if value is not None else '(not recorded)'}"
            )
        current.update(lines)

    # --- saving and forgetting -----------------------------------------------------------------------

    def _typed(self) -> tuple[str, str, str, str]:
        return (
            self.query_one("#client-id", FormInput).value.strip(),
            self.query_one("#client-secret", FormInput).value.strip(),
            self.query_one("#refresh-token", FormInput).value.strip(),
            self.query_one("#secret-created", FormInput).value.strip(),
        )

    def _problems(self) -> tuple[list[str], date | None]:
        client_id, secret, token, created_text = self._typed()
        found = problems(client_id, secret, token)
        today = onboard_app(self).clock.today()
        created: date | None = today
        if created_text:
            try:
                created = date.fromisoformat(created_text)
            except ValueError:
                found.append(f"the day the secret was made, '{created_text}', is not a date: use YYYY-MM-DD")
                created = None
            else:
                if created > today:
                    found.append(f"the secret cannot be made in the future ({created_text})")
        return found, created

    @on(FormInput.Changed)
    def _typing(self, event: FormInput.Changed) -> None:
        if not any(self._typed()):
            self._say(None)
            return
        found, _ = self._problems()
        self._say(
            Text("\n").join(toned(self, f"✗ {line}", "failed") for line in found)
            if found
            else toned(self, "✓ ready to store: Ctrl+S", "done")
        )

    def _say(self, text: Text | None) -> None:
        widget = self.query_one("#creds-problems", Static)
        widget.update(text or "")
        widget.display = text is not None

    @on(FormInput.Submitted)
    def _submitted(self, event: FormInput.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.store is None:
            self.notify("The credential store is not ready yet.", severity="warning")
            return
        found, created = self._problems()
        if found or created is None:
            self._say(Text("\n").join(toned(self, f"✗ {line}", "failed") for line in found))
            self.notify(found[0] + " — nothing was stored", severity="error")
            return
        client_id, secret, token, _ = self._typed()
        self._save(client_id, secret, token, created)

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _save(self, client_id: str, secret: str, token: str, created: date) -> None:
        from pydantic import SecretStr  # noqa: PLC0415

        from onboard.credentials.model import Credentials  # noqa: PLC0415

        app = onboard_app(self)
        store = self.store
        assert store is not None
        assert app.workspace is not None
        credentials = Credentials(client_id, SecretStr(secret), SecretStr(token), "file", created)
        try:
            store.save(app.workspace.state.workspace_id, credentials)
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self.notify, one_line(error), title="Not stored", severity="error")
            return
        app.call_from_thread(self._saved, store.name)

    def _saved(self, where: str) -> None:
        with self.prevent(FormInput.Changed):
            for field in self.query(FormInput):
                field.value = ""
        self._say(toned(self, f"✓ stored in {tildify(where)}", "done"))
        self.notify(f"Credentials stored in {tildify(where)}.", title="Stored")
        self.query_one("#verify").focus()
        self._load_store()

    def action_forget(self) -> None:
        from onboard.tui.screens.confirm import ConfirmScreen  # noqa: PLC0415

        def answered(yes: bool | None) -> None:
            if yes:
                self._forget()

        self.app.push_screen(
            ConfirmScreen(
                "Forget the credentials?",
                "The stored client id, secret and refresh token of this workspace are deleted from the store. "
                "You can store them again at any time.",
                yes="Forget",
            ),
            answered,
        )

    # a group of its own: closing the dialog resumes the screen, whose reload of the store (group "store",
    # exclusive) would otherwise cancel this worker before it starts
    @work(thread=True, exclusive=True, exit_on_error=False, group="forget")
    def _forget(self) -> None:
        from onboard.credentials.store import default_store  # noqa: PLC0415 - keyring loads here

        app = onboard_app(self)
        if app.workspace is None:
            return
        try:
            # the screen may not have its store yet (Forget from the palette as the section opens): a
            # confirmed forget must not come to nothing
            store = self.store or default_store()
            gone = store.forget(app.workspace.state.workspace_id)
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self.notify, one_line(error), severity="error")
            return
        message = "Forgot the stored credentials." if gone else "No credentials were stored."
        app.call_from_thread(self.notify, message)
        app.call_from_thread(self._say, None)  # a "✓ stored" left from before would contradict it
        app.call_from_thread(self._load_store)

    def action_leave_field(self) -> None:
        self.query_one("#verify").focus()

    @on(Button.Pressed, "#verify")
    def _verify_pressed(self) -> None:
        self.action_verify()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#forget")
    def _forget_pressed(self) -> None:
        self.action_forget()

    # --- verify --------------------------------------------------------------------------------------

    def action_verify(self) -> None:
        if any(w.group == "verify" and w.is_running for w in self.workers):
            self.notify("The checks are already running.")
            return
        if any(self._typed()[:3]):
            self.notify(
                "The credentials typed are not stored yet (Ctrl+S stores them): checking the ones in force.",
                severity="warning",
            )
        self.query_one("#checks", Static).update("")
        self._started = time.monotonic()
        self._stage = "reading the credentials"
        self._tick()
        self._ticker = self.set_interval(0.1, self._tick)
        self._verify()

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.query_one("#verify-status", Static).update(
            Text.assemble(("Verifying… ", tone(self, "running", bold=True)), f"{elapsed:.1f} s — {self._stage}")
        )

    def _set_stage(self, stage: str) -> None:
        self._stage = stage
        self._tick()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def _verify(self) -> None:
        from onboard.credentials.store import default_store  # noqa: PLC0415
        from onboard.environments import NoCredentials  # noqa: PLC0415
        from onboard.verify_workspace import verify_workspace  # noqa: PLC0415

        app = onboard_app(self)
        workspace = app.workspace
        assert workspace is not None

        def connected(endpoints: Endpoints) -> None:
            where = shown(endpoints.describe(), None)
            app.call_from_thread(self._set_stage, f"token exchange, then getRates: {where}")

        try:
            store = self.store or default_store()
            if workspace.state.profile.environment == "emulator" and not (
                app.settings.lwa_url or app.settings.spapi_url
            ):
                app.call_from_thread(self._set_stage, "starting the embedded emulator")
            # the very use case of 'onboard creds verify': the checks, and the step recorded when they pass
            result = verify_workspace(
                workspace, app.settings, via="onboard tui", today=app.clock.today(), store=store, connected=connected
            )
        except NoCredentials as error:
            app.call_from_thread(
                self._verified, [], one_line(NoCredentials(error.message.split(":")[0], TYPE_THEM)), False
            )
            return
        except Exception as error:  # shown as one line, never a traceback
            app.call_from_thread(self._verified, [], one_line(error), False)
            return
        if result.recorded:
            app.call_from_thread(app.reload)
        app.call_from_thread(self._verified, result.checks, "", result.recorded)

    def _verified(self, checks: list[Check], error: str, recorded: bool) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        elapsed = time.monotonic() - self._started
        status = self.query_one("#verify-status", Static)
        if error:
            status.update(toned(self, f"✗ could not verify: {error}", "failed", bold=True))
            return
        ok = all(check.ok for check in checks)
        failed = sum(not check.ok for check in checks)
        verdict = (
            toned(self, f"✓ every check passed ({elapsed:.1f} s)", "done", bold=True)
            if ok
            else toned(self, f"✗ {failed} of {len(checks)} checks failed ({elapsed:.1f} s)", "failed", bold=True)
        )
        if recorded:
            verdict.append("\nThe journey's step 'credentials verified' is recorded as done.", style="dim")
        status.update(verdict)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=1)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for check in checks:
            outcome = "done" if check.ok else "failed"
            table.add_row(
                Text("✓" if check.ok else "✗", style=tone(self, outcome, bold=True)),
                Text(check.name, style="bold"),
                shown(check.detail, None),  # a server's words, often
            )
            if check.hint:
                hint = Text(f"→ {shown(check.hint, None)}", style=tone(self, "waiting" if check.ok else "failed"))
                table.add_row("", "", hint)
        self.query_one("#checks", Static).update(table)
