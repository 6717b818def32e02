"""The address and units a workspace keeps and a request sends: the part of the request models the TUI's
first frame needs, kept apart so that drawing it does not build every one of Amazon's shapes.

Each class is named after its definition in Amazon's model, like the rest of ``onboard.models.requests``
(which re-exports them).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from onboard.models.base import Sent

WeightUnit = Literal["GRAM", "KILOGRAM", "OUNCE", "POUND"]
DimensionUnit = Literal["INCH", "CENTIMETER"]
#: where a parcel can be delivered instead of the address (getAccessPoints); the certification catalog
#: validates its cases against it at load, without building the request models
AccessPointType = Literal[
    "HELIX", "CAMPUS_LOCKER", "OMNI_LOCKER", "ODIN_LOCKER", "DOBBY_LOCKER", "CORE_LOCKER", "3P", "CAMPUS_ROOM"
]


class Geocode(Sent):
    latitude: str | None = None
    longitude: str | None = None


class Address(Sent):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    addressLine1: Annotated[str, Field(min_length=1, max_length=60)]
    addressLine2: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    addressLine3: Annotated[str, Field(min_length=1, max_length=60)] | None = None
    companyName: str | None = None
    stateOrRegion: str
    city: str
    countryCode: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    postalCode: str
    email: Annotated[str, Field(max_length=64)] | None = None
    phoneNumber: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    geocode: Geocode | None = None
