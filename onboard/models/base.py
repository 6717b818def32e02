"""Base classes for the two model families: strict for what we send, tolerant for what we receive."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict


class Sent(BaseModel):
    """A shape we put on the wire: a typo in a field name or a wrong type must fail here, not at Amazon."""

    # defer_build: the schema of each of Amazon's many shapes is built when first used, not at import;
    # the TUI's first frame and every CLI command need only a few of them
    # allow_inf_nan: NaN and Infinity are no JSON numbers; sent, they would arrive as null or not parse at all
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True, allow_inf_nan=False)


class Received(BaseModel):
    """A shape Amazon sends us: keep what we do not know, accept what is close enough."""

    model_config = ConfigDict(extra="allow", defer_build=True)


def _number_to_str(value: object) -> object:
    # Amazon's own examples send trackingId as a JSON number; a bool is never a tracking id.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


#: A string identifier that may arrive as a JSON number.
LooseStr = Annotated[str, BeforeValidator(_number_to_str)]
