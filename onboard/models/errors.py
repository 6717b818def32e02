"""Amazon's error bodies: ``{"errors": [{"code", "message", "details"}]}``, and the shapes seen in the wild."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from onboard.files import read_json
from onboard.masking import mask
from onboard.models.base import Received


class Error(Received):
    code: str
    message: str
    details: str | None = None


class ErrorList(Received):
    errors: list[Error]

    def first(self) -> Error | None:
        return self.errors[0] if self.errors else None


class _Bare(BaseModel):
    model_config = ConfigDict(extra="ignore")
    root: list[Error]


def parse_error_body(raw: bytes, status: int) -> ErrorList:
    """Read any error body Amazon (or its sandbox) sends, never raising.

    The sandbox has been seen to send a bare array without the ``errors`` wrapper; proxies send HTML.
    Whatever arrives, the result names a code and a message the user can act on.
    """
    try:
        data = read_json(raw)
    except (ValueError, UnicodeDecodeError):
        # masked before it is cut: a secret cut in two is no longer found whole
        snippet = mask(raw[:4096].decode("utf-8", "replace"))[:120].strip().replace("\n", " ")
        return ErrorList(errors=[Error(code=f"HTTP{status}", message=snippet or f"HTTP {status} with no body")])
    try:
        if isinstance(data, list):
            return ErrorList(errors=_Bare(root=data).root)
        if isinstance(data, dict) and "errors" in data:
            return ErrorList.model_validate(data)
    except ValidationError:
        pass
    return ErrorList(errors=[Error(code=f"HTTP{status}", message=mask(str(data))[:200])])
