"""What a carrier label says, independent of the format it is printed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

LabelFormat = Literal["PDF", "PNG", "ZPL"]

#: Label stock every Amazon Shipping rate offers: 4 x 6 inches.
LABEL_WIDTH_IN = 4
LABEL_HEIGHT_IN = 6
SUPPORTED_DPIS = (203, 300)


@dataclass(frozen=True, slots=True)
class LabelParty:
    """A ship-from or ship-to block as printed: name first, then the address lines."""

    name: str
    lines: tuple[str, ...]
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    company: str | None = None

    def printed_lines(self) -> list[str]:
        head = [self.name] + ([self.company] if self.company else [])
        locality = " ".join(p for p in (self.city, self.state_or_region, self.postal_code) if p)
        return [*head, *self.lines, locality, self.country_code]


@dataclass(frozen=True, slots=True)
class LabelContent:
    """Everything printed on one 4x6 label.

    The tracking ID is carried by a Code 128 barcode (and a Data Matrix beside it, as on Amazon's own
    labels); the other fields are human-readable text.
    """

    tracking_id: str
    ship_from: LabelParty
    ship_to: LabelParty
    carrier_name: str
    service_name: str
    weight_text: str
    ship_date: str
    shipment_id: str
    reference: str = ""
    sort_code: str = ""
    banner: str = "SANDBOX - NOT FOR SHIPPING"
    extra_lines: tuple[str, ...] = field(default=())
