"""What reading a label gives back: the checks and barcodes of ``label check``, the pictures of ``label render``."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from onboard.labels.formats import spelled
from onboard.labels.sizes import inches

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["FoundBarcode", "LabelCheck", "LabelReport", "Measured", "Pictures", "Status", "decode_contents"]

Status = Literal["passed", "failed", "placeholder", "unreadable"]

_PLACEHOLDER_HINT = (
    "The sandbox returns stand-in contents, not a printable label, and the account manager needs a real "
    "label to sign off. Produce it in production with 'onboard certify --allow-production-purchase': it buys "
    "one label per format and cancels each one immediately, so none can be used to ship."
)


def decode_contents(contents: str) -> bytes | None:
    """A ``packageDocuments[].contents`` value decoded as strict base64; None when it is not valid base64."""
    try:
        return base64.b64decode(contents, validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class LabelCheck:
    """One thing a print shop would look at, whether it is right, and what it found."""

    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class FoundBarcode:
    """A barcode the scanner saw: zxing's symbology name ("Code 128", "Data Matrix") and its text.

    ``error`` is set when the symbol was found but does not decode (its text is then empty).
    """

    symbology: str
    text: str
    error: str = ""
    page: int = 1
    #: where on the scanned image it was seen (left, top, right, bottom), when the scanner said
    box: tuple[int, int, int, int] | None = field(default=None, compare=False)

    @property
    def valid(self) -> bool:
        return not self.error

    def to_json(self) -> dict[str, Any]:
        return {
            "symbology": self.symbology,
            "text": self.text,
            "valid": self.valid,
            "error": self.error,
            "page": self.page,
        }


@dataclass(frozen=True, slots=True)
class LabelReport:
    """Everything checked about one label; ``ok`` only when every check passed."""

    format: str | None
    status: Status
    checks: tuple[LabelCheck, ...]
    barcodes: tuple[FoundBarcode, ...] = ()
    pages: int = 0
    width_in: float | None = None
    height_in: float | None = None
    dpi: int | None = None
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    @property
    def failures(self) -> tuple[LabelCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def summary(self) -> str:
        """One line: the verdict and, when not passed, the first reason."""
        if self.status == "placeholder":
            return "placeholder label from the sandbox"
        if self.status == "passed":
            size = f"{inches(self.width_in)} x {inches(self.height_in)} in" if self.width_in and self.height_in else ""
            at = f" at {self.dpi} dpi" if self.dpi else ""
            return f"passed: {self.format} label, {size}{at}, {len(self.barcodes)} barcode(s) read"
        return f"{self.status}: " + "; ".join(c.detail for c in self.failures)

    @classmethod
    def placeholder(cls, contents: str) -> LabelReport:
        """The report for sandbox stand-in contents: neither a pass nor a crash, with the way to a real label."""
        data = decode_contents(contents)
        if data is None:
            reason = f"the contents ({len(contents)} characters) are not valid base64"
        else:
            reason = f"the contents decode to {len(data)} bytes that are neither {spelled('nor')}"
        check = LabelCheck("contents", False, f"placeholder label from the sandbox: {reason}")
        return cls(None, "placeholder", (check,), hint=_PLACEHOLDER_HINT)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "format": self.format,
            "pages": self.pages,
            "width_in": self.width_in,
            "height_in": self.height_in,
            "dpi": self.dpi,
            "checks": [c.to_json() for c in self.checks],
            "barcodes": [b.to_json() for b in self.barcodes],
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class Measured:
    """What one format's check found, before the format check and the verdict are added."""

    checks: tuple[LabelCheck, ...]
    barcodes: tuple[FoundBarcode, ...] = ()
    pages: int = 0
    width_in: float | None = None
    height_in: float | None = None
    dpi: int | None = None


@dataclass(frozen=True, slots=True)
class Pictures:
    """The labels of one file drawn, and what of them was not drawn (ZPL commands onboard skips)."""

    format: str
    dpi: int
    pages: tuple[Image.Image, ...]
    not_drawn: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
