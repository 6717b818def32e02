"""The workspace state file (``workspace.json``): its schema, versioned, validated on every load."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onboard.businesses import BUSINESSES, Region
from onboard.models.requests import Address
from onboard.samples import Sample, SamplePackage

SCHEMA_VERSION = 1
Environment = Literal["emulator", "sandbox", "production"]


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


class WorkspaceState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    workspace_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    profile: Profile
