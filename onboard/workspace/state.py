"""The workspace state file (``workspace.json``): its schema, versioned, validated on every load."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onboard.businesses import BUSINESSES, Region
from onboard.labels.formats import NAMES, LabelFormat
from onboard.models.address import Address
from onboard.names import is_safe
from onboard.samples import Sample, SamplePackage

#: bump together with a migration in ``onboard.workspace.migrations``
SCHEMA_VERSION = 3
Environment = Literal["emulator", "sandbox", "production"]
LabelDpi = Literal[203, 300]
#: until the shipper says what they print, sign-off asks for every format and dpi Amazon offers
ALL_FORMATS: tuple[LabelFormat, ...] = NAMES
ALL_DPIS: tuple[LabelDpi, ...] = (203, 300)
StepStatus = Literal["todo", "in_progress", "waiting", "done", "blocked", "skipped"]


class Profile(BaseModel):
    """Who ships, through which Amazon business and region, and the sample shipment checks use."""

    model_config = ConfigDict(extra="forbid")

    shipper_name: str = Field(min_length=1, max_length=120)
    business_id: str
    region: Region
    environment: Environment = "emulator"
    ship_from: Address
    ship_to: Address
    package: SamplePackage
    #: the label formats the shipper will print: sign-off needs a passing label in each
    label_formats: list[LabelFormat] = Field(default_factory=lambda: list(ALL_FORMATS), min_length=1)
    #: the printer resolutions the shipper will print at: sign-off needs each with each format
    label_dpis: list[LabelDpi] = Field(default_factory=lambda: list(ALL_DPIS), min_length=1)

    @field_validator("label_formats", "label_dpis")
    @classmethod
    def _once_each_in_order(cls, value: list[str] | list[int]) -> list[str] | list[int]:
        return list(dict.fromkeys(value))  # type: ignore[return-value]

    @field_validator("business_id")
    @classmethod
    def _known_business(cls, value: str) -> str:
        if value not in BUSINESSES:
            raise ValueError(f"'{value}' is not one of {', '.join(BUSINESSES)}")
        return value

    def sample(self) -> Sample:
        return Sample(
            ship_from=self.ship_from.model_dump(exclude_none=True),
            ship_to=self.ship_to.model_dump(exclude_none=True),
            package=self.package,
        )


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    text: str


class StepRecord(BaseModel):
    """What the shipper recorded for one checklist step; a step never touched has no record."""

    model_config = ConfigDict(extra="forbid")

    status: StepStatus
    evidence: dict[str, str] = Field(default_factory=dict)
    notes: list[Note] = Field(default_factory=list)
    changed: datetime | None = None
    status_changed: datetime | None = None
    #: how many times this step was submitted again after the first time (the registration review)
    resubmissions: int = Field(default=0, ge=0)


class AuditEntry(BaseModel):
    """One change, for the account manager: when, which step, which field, from what to what.

    ``field`` is ``status``, ``evidence.<key>``, ``note`` or ``resubmissions``; ``None`` is "not set".
    Evidence that looks like a secret is refused before it gets here, so the trail never holds one.
    """

    model_config = ConfigDict(extra="forbid")

    at: datetime
    step: str
    field: str
    old: str | None = None
    new: str | None = None
    via: str = "onboard step"


class Printer(BaseModel):
    """The printer ``onboard label print`` used last, so the next print needs no flag."""

    model_config = ConfigDict(extra="forbid")

    #: ``raw``: a network label printer taking raw jobs over TCP (``HOST:PORT``); ``cups``: a CUPS queue
    kind: Literal["raw", "cups"]
    #: ``HOST:PORT`` or the queue's name
    target: str = Field(min_length=1, max_length=260)

    def __str__(self) -> str:
        return self.target if self.kind == "raw" else f"the CUPS queue {self.target}"


class WorkspaceState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    #: names the workspace's entry in the credential store (a file name there): letters, digits, _ and -
    workspace_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    profile: Profile
    #: by step id; ids no longer in the checklist are kept, so editing checks/ never drops evidence
    steps: dict[str, StepRecord] = Field(default_factory=dict)
    audit: list[AuditEntry] = Field(default_factory=list)
    #: remembered by ``onboard label print``; left out of the file until then, so a workspace that never
    #: printed is written as before and an older onboard still reads it (no schema version needed)
    printer: Printer | None = Field(default=None, exclude_if=lambda value: value is None)

    @field_validator("workspace_id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not is_safe(value):
            raise ValueError("a workspace id is 1 to 64 letters, digits, '_' or '-', the first a letter or digit")
        return value
