"""Additional inputs for a rate that requires them, filled from the shipment itself where it says enough.

getAdditionalInputs answers a JSON schema; the purchase must carry an ``additionalInputs`` object that
holds to it. Certification has only the workspace's sample shipment to go on, so this fills what that
shipment answers (the declared value of its items, what they are, the package's reference) and says
which input it cannot answer, rather than inventing one.
"""

from __future__ import annotations

from typing import Any

from onboard.models import requests as rq


class InputUnknown(Exception):
    """A required input the shipment does not answer; the message names it."""


def _known(name: str, request: rq.GetRatesRequest) -> Any:
    package = request.packages[0]
    if name == "declaredValue":
        values = [item.itemValue for item in package.items if item.itemValue is not None]
        unit = values[0].unit if values else package.insuredValue.unit
        total = sum(v.value * item.quantity for item, v in zip(package.items, values, strict=False))
        return {"value": round(total or package.insuredValue.value, 2), "unit": unit}
    if name == "contentsDescription":
        described = [item.description for item in package.items if item.description]
        return "; ".join(described)[:100] or None
    if name == "packageClientReferenceId":
        return package.packageClientReferenceId
    return None


def fill(schema: dict[str, Any], request: rq.GetRatesRequest) -> dict[str, Any]:
    """An ``additionalInputs`` object for ``schema``: every required input, from ``request`` or the schema's
    own default or first enum value. Raises ``InputUnknown`` for one that none of those answers."""
    properties: dict[str, Any] = schema.get("properties", {})
    filled: dict[str, Any] = {}
    for name in schema.get("required", []):
        spec = properties.get(name, {})
        value = _known(name, request)
        if value is None and "default" in spec:
            value = spec["default"]
        if value is None and spec.get("enum"):
            value = spec["enum"][0]
        if value is None:
            raise InputUnknown(f"the rate needs the additional input {name!r}, which the sample shipment does not hold")
        filled[name] = value
    return filled
