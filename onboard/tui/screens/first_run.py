"""The first run: a short form that makes the workspace, as ``onboard init`` would (emulator by default)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, cast

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Label, Select, Static

from onboard.businesses import BUSINESSES, Region
from onboard.samples import sample_for
from onboard.tui.widgets.base import FormInput, tildify
from onboard.workspace.state import ALL_DPIS, ALL_FORMATS, Environment, Profile

ENVIRONMENTS: dict[Environment, str] = {
    "emulator": "emulator — built in, no credentials needed",
    "sandbox": "sandbox — Amazon's, needs your credentials",
    "production": "production — real labels",
}


class FormScroll(VerticalScroll, can_focus=False):
    """Scrolls the form when the terminal is short; not a stop of its own on the Tab round (an invisible
    one, where Enter did nothing), since each field scrolls itself into view when focused."""


class FirstRunScreen(Screen[Profile | None]):
    TITLE = "Welcome"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "Create"),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(self, workspace_dir: Path) -> None:
        super().__init__()
        self.workspace_dir = workspace_dir

    def compose(self) -> ComposeResult:
        yield Header()
        # scrolls when the terminal is short (80x24): Tab then brings every field and the button into view
        with FormScroll(id="first-run", classes="dialog"):
            yield Label("Welcome to onboard", classes="dialog-title")
            yield Static(
                "From 'we want to ship with Amazon Shipping' to a signed-off test label. "
                f"A few answers make your workspace at {tildify(str(self.workspace_dir))}; "
                "all of them can be changed later.",
                classes="muted",
            )
            with Grid(id="first-run-form"):
                yield Label("Shipper name")
                yield FormInput(value="My company", placeholder="your company's name", compact=True, id="shipper")
                yield Label("Business id")
                yield Select(
                    [(f"{b.id} ({b.country_code})", b.id) for b in BUSINESSES.values()],
                    value="AmazonShipping_US",
                    allow_blank=False,
                    compact=True,
                    id="business",
                )
                yield Label("Region")
                yield Select(
                    [("na — North America", "na"), ("eu — Europe, India, Middle East", "eu"), ("fe — Far East", "fe")],
                    value="na",
                    allow_blank=False,
                    compact=True,
                    id="region",
                )
                yield Label("Environment")
                yield Select(
                    [(text, env) for env, text in ENVIRONMENTS.items()],
                    value="emulator",
                    allow_blank=False,
                    compact=True,
                    id="environment",
                )
                # sign-off needs a passing label in every format and dpi the shipper prints
                yield Label("Label formats")
                with Horizontal(classes="choices", id="formats"):
                    for fmt in ALL_FORMATS:
                        yield Checkbox(fmt, True, compact=True, id=f"format-{fmt}")
                yield Label("Printer dpi")
                with Horizontal(classes="choices", id="dpis"):
                    for dpi in ALL_DPIS:
                        yield Checkbox(str(dpi), True, compact=True, id=f"dpi-{dpi}")
            yield Static("", id="first-run-error")
            with Horizontal(classes="buttons"):
                yield Button("Create the workspace", variant="primary", id="create")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#shipper").focus()

    @on(Select.Changed, "#business")
    def _business(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in BUSINESSES:
            self.query_one("#region", Select).value = BUSINESSES[event.value].region

    @on(Button.Pressed, "#create")
    @on(FormInput.Submitted, "#shipper")
    def _create(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        shipper = self.query_one("#shipper", FormInput).value.strip()
        business_id = str(self.query_one("#business", Select).value)
        region = cast(Region, self.query_one("#region", Select).value)
        environment = cast(Environment, self.query_one("#environment", Select).value)
        sample = sample_for(business_id)
        formats = [fmt for fmt in ALL_FORMATS if self.query_one(f"#format-{fmt}", Checkbox).value]
        dpis = [dpi for dpi in ALL_DPIS if self.query_one(f"#dpi-{dpi}", Checkbox).value]
        if not formats or not dpis:
            missing = "label format you print" if not formats else "printer dpi"
            self.query_one("#first-run-error", Static).update(f"Tick at least one {missing}.")
            return
        try:
            profile = Profile.model_validate(
                {
                    "shipper_name": shipper,
                    "business_id": business_id,
                    "region": region,
                    "environment": environment,
                    "ship_from": sample.ship_from,
                    "ship_to": sample.ship_to,
                    "package": sample.package,
                    "label_formats": formats,
                    "label_dpis": dpis,
                }
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]).replace("shipper_name", "shipper name")
            self.query_one("#first-run-error", Static).update(f"{where}: {first['msg']}")
            return
        self.dismiss(profile)

    def action_leave(self) -> None:
        self.dismiss(None)
