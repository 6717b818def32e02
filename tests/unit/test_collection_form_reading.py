"""How certification reads a collection form: a PDF, and whether its text lists a tracking id."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from onboard.certify.forms import NotAForm, read_form
from onboard.emulator.manifests import collection_form_pdf
from onboard.samples import sample_for


def test_an_emulator_form_of_no_parcel_lists_none_of_them() -> None:
    ship_from = sample_for("AmazonShipping_US").rates_request().shipFrom
    empty = collection_form_pdf("CF-1", "Amazon Shipping", "AMZN_US", ship_from, datetime(2026, 1, 5, tzinfo=UTC), [])
    read = read_form(base64.b64encode(empty).decode(), ["TBA000000000001"])
    assert (read.listed, read.size) == ((), len(empty))


@pytest.mark.parametrize(
    ("contents", "said"),
    [
        ("not base64!", "the collection form is not base64 (11 characters)"),
        # Amazon's own example of a form: base64, but of a sentence
        (
            "VGhpcyBpcyBzb21lIHRleHQgdG8gY29udmVydCB2aWEgQ3J5cHQu",
            "the collection form is not a PDF: it starts b'This is '",
        ),
        (base64.b64encode(b"%PDF-1.4\n" + b"\x00" * 40).decode(), "the collection form is a PDF pypdf cannot read"),
    ],
    ids=["not base64", "amazons example", "a broken pdf"],
)
def test_a_document_that_is_no_form_is_one_clear_line(contents: str, said: str) -> None:
    with pytest.raises(NotAForm) as raised:
        read_form(contents, ["TBA000000000001"])
    assert str(raised.value).startswith(said)
    assert "\n" not in str(raised.value)
