"""Additional inputs held to the JSON schema getAdditionalInputs gave for the rate.

The emulator's schemas use a small part of draft 04 (object, string, number, required, minimum, length,
pattern), and this reads exactly that part; each problem is named by its path, as Amazon's details do.
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "string": (str,), "number": (int, float), "integer": (int,)}


def problems(schema: dict[str, Any], value: Any, path: str = "additionalInputs") -> list[str]:
    """Every way ``value`` breaks ``schema``, as one line each; empty when it holds."""
    kind = schema.get("type")
    if kind is not None:
        wanted = _TYPES.get(kind, (object,))
        if not isinstance(value, wanted) or isinstance(value, bool):
            return [f"{path} must be a {kind}"]
    found: list[str] = []
    if isinstance(value, dict):
        properties: dict[str, Any] = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}.{name} is required by this rate")
        for name, item in value.items():
            if name in properties:
                found += problems(properties[name], item, f"{path}.{name}")
            else:
                found.append(f"{path}.{name} is not an input of this rate")
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(f"{path} must not be empty" if not value else f"{path} is too short")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(f"{path} is longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append(f"{path} '{value}' does not match {schema['pattern']}")
    elif isinstance(value, int | float) and "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path} must be at least {schema['minimum']}")
    return found
