"""The registry of label formats: one list of names, and each format's module registering all it does."""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import get_args

import pytest

from onboard.labels import formats
from onboard.labels.content import LabelContent, LabelParty
from onboard.labels.formats import NAMES, LabelFormat
from onboard.models.requests import DocumentFormat
from onboard.workspace.state import ALL_FORMATS

TRACKING = "TBA304719826511"


def content() -> LabelContent:
    party = LabelParty("Jane Smith", ("221B Baker Street",), "London", "", "NW1 6XE", "GB")
    return LabelContent(TRACKING, party, party, "Amazon Shipping", "One Day", "2.50 kg", "2025-03-14", "amzn1.x")


def test_the_literal_is_the_registry() -> None:
    assert get_args(LabelFormat) == NAMES
    assert tuple(fmt.name for fmt in formats.all_formats()) == NAMES
    # the request models and the workspace validate against the same list, not a copy of it
    assert DocumentFormat is LabelFormat
    assert ALL_FORMATS == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_format_module_registers_what_it_does(name: LabelFormat) -> None:
    module = importlib.import_module(f"onboard.labels.formats.{name.lower()}")
    fmt = formats.get(name)
    assert fmt is module.FORMAT
    assert fmt.extension == f".{name.lower()}"
    parts = (fmt.sniff, fmt.check, fmt.pictures, fmt.preview, fmt.text, fmt.write)
    assert all(part.__module__ == module.__name__ for part in parts)

    data = fmt.write(content(), 203)
    assert formats.sniff(data) is fmt
    measured = fmt.check(data, 203, TRACKING)
    assert all(check.ok for check in measured.checks), measured.checks
    pictures = fmt.pictures(data, 203)
    assert (pictures.format, len(pictures.pages), pictures.pages[0].size) == (name, 1, (812, 1218))
    assert fmt.preview(data, 203).size == (812, 1218)
    assert (TRACKING in fmt.text(data)) is (name != "PNG")


def test_lookups_and_sniffing() -> None:
    assert formats.get("zpl") is formats.find("ZPL")
    assert formats.find("zpl") is None
    assert formats.sniff(b"GIF89a") is None
    with pytest.raises(ValueError, match="unknown label format 'GIF': choose PDF, PNG or ZPL"):
        formats.get("GIF")
    assert formats.spelled("nor") == "PDF, PNG nor ZPL"


def test_the_registry_and_the_writers_load_nothing_heavy() -> None:
    """The request models, the workspace and the CLI read the registry at start-up; the emulator writes labels."""
    heavy = ("PIL", "zxingcpp", "pypdfium2", "pypdf", "onboard.labels.zpl.interpreter")
    probe = (
        "import sys; from onboard.labels import formats; import onboard.labels.render\n"
        "[(f.extension, f.is_document) for f in formats.all_formats()]\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
        "onboard.labels.render.warm_up()\n"
        f"print([m for m in {heavy[2:]!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["[]", "[]"]
