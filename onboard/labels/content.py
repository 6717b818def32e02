"""What a carrier label says, independent of the format it is printed in."""

from __future__ import annotations

from dataclasses import dataclass, field

from onboard.labels.formats import LabelFormat

# the format names are the registry's; they are offered here beside the stock, where callers have looked
__all__ = [
    "LABEL_HEIGHT_IN",
    "LABEL_WIDTH_IN",
    "SUPPORTED_DPIS",
    "LabelContent",
    "LabelFormat",
    "LabelParty",
    "label_size",
]

#: Label stock every Amazon Shipping rate offers: 4 x 6 inches.
LABEL_WIDTH_IN = 4
LABEL_HEIGHT_IN = 6
SUPPORTED_DPIS = (203, 300)


def label_size(dpi: int) -> tuple[int, int]:
    """Pixels across and down a 4x6 in label at `dpi` (812 x 1218 at 203 dpi)."""
    return round(LABEL_WIDTH_IN * dpi), round(LABEL_HEIGHT_IN * dpi)


def page_budget(dpi: int) -> int:
    """The most pixels one page or label is drawn with at `dpi`: twice a 4x6 in label (4.3 million at 300 dpi).

    A page larger than that is no 4x6 label: it is drawn smaller (a PDF) or cut (ZPL), and still fails its
    size check, so a hostile file costs a bounded time and memory to judge.
    """
    width, height = label_size(dpi)
    return 2 * width * height


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
