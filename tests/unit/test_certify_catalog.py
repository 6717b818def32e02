"""The certification catalog as data: what a case may say, and how an account manager's list merges in."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboard.certify.catalog import load_catalog
from onboard.certify.redaction import redact
from onboard.certify.runner import _assign, _delete, _resolve
from onboard.errors import ConfigError

GOOD = 'id = "AM-1"\ntitle = "t"\nsource = "account-manager"\n[[steps]]\ndo = "get_rates"\nas = "quote"\n'


def test_the_built_in_catalog_starts_with_amazons_case() -> None:
    cases = load_catalog()
    assert cases[0].id == "TC01" and cases[0].source == "amazon"
    assert {case.id for case in cases} >= {f"P-{n:02d}" for n in range(2, 15)}
    assert all(case.source == "onboard" for case in cases[1:])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[checks]]\npath = "purchase.shipmentId"\nrule = "exists"\n', "names no step"),
        ('[[checks]]\npath = "quote.rates"\nrule = "is_lovely"\n', "rule"),
        ('[[checks]]\npath = "quote..rates"\nrule = "exists"\n', "is not a path"),
        ('[[steps]]\ndo = "purchase"\nformat = "GIF"\n', "format must be first, each, PDF, PNG or ZPL"),
        ('[[steps]]\ndo = "teleport"\n', "steps.1.do"),
        ('colour = "blue"\n', "colour"),
        ('[applies]\nbusinesses = ["AmazonShipping_XX"]\nbecause = "b"\n', "AmazonShipping_XX is no shipping business"),
        ('[applies]\nbusinesses = []\nbecause = "b"\n', "applies.businesses"),
        ('[applies]\nbusinesses = ["AmazonShipping_UK"]\n', "applies.because"),
        ('[[steps]]\ndo = "access_points"\ntypes = ["KIOSK"]\n', "steps.1.types.0"),
        (
            '[applies]\nbusinesses = ["AmazonShipping_UK"]\nbecause = "b"\nenvironments = ["emulator"]\n',
            "environments_because must say why",
        ),
        # tomllib alone was killed for memory by this one 200 KB key (it keeps every prefix of a dotted key)
        pytest.param("x" + ".a" * 100_000 + " = 1\n", "a key of 100001 dotted parts", id="dotted-key-100000-deep"),
        pytest.param("x = " + "[" * 50_000 + "\n", "not valid TOML: nested too deeply", id="arrays-50000-deep"),
    ],
)
def test_a_bad_case_is_one_line_naming_the_file_and_field(tmp_path: Path, extra: str, message: str) -> None:
    own = tmp_path / "certification"
    own.mkdir()
    (own / "AM-1.toml").write_text(GOOD + extra)
    with pytest.raises(ConfigError, match=message) as caught:
        load_catalog(tmp_path)
    assert "AM-1.toml" in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_own_cases_replace_by_id_and_add_new_ones(tmp_path: Path) -> None:
    own = tmp_path / "certification"
    own.mkdir()
    (own / "TC01.toml").write_text(GOOD.replace('"AM-1"', '"TC01"').replace('"t"', '"the AM\'s TC01"'))
    (own / "AM-1.toml").write_text(GOOD)
    cases = {case.id: case for case in load_catalog(tmp_path)}
    assert cases["TC01"].title == "the AM's TC01"
    assert "AM-1" in cases and "P-02" in cases


def test_paths_read_and_write_nested_json() -> None:
    body = {"packages": [{"weight": {"unit": "POUND"}}], "channelDetails": {"channelType": "EXTERNAL"}}
    assert _resolve(body, "packages[0].weight.unit") == "POUND"
    with pytest.raises(KeyError):
        _resolve(body, "packages[1].weight")
    _assign(body, "packages[0].weight.unit", "GRAMS")
    _delete(body, "channelDetails")
    assert body == {"packages": [{"weight": {"unit": "GRAMS"}}]}


def test_records_lose_personal_data_and_label_bytes() -> None:
    body = {
        "shipTo": {"name": "Jane", "addressLine1": "1 Road", "city": "Leeds", "postalCode": "LS1 1AA", "email": "j@x"},
        "packageDocuments": [{"type": "LABEL", "contents": "aGVsbG8="}],
        "access_token": "Atza|secret",
    }
    kept = redact(body)
    assert kept["shipTo"] == {
        "name": "[redacted]",
        "addressLine1": "[redacted]",
        "city": "Leeds",
        "postalCode": "LS1 1AA",
        "email": "[redacted]",
    }
    assert kept["packageDocuments"][0]["contents"].startswith("[label: 5 bytes, sha256 2cf24dba")
    assert kept["access_token"] == "[redacted]"


def test_the_regional_cases_say_which_businesses_need_them_as_data() -> None:
    cases = {case.id: case for case in load_catalog()}
    forms, points = cases["P-13"].applies, cases["P-14"].applies
    assert forms is not None and points is not None
    assert (forms.businesses, forms.environments) == (["AmazonShipping_US"], ["emulator"])
    assert (points.businesses, sorted(points.environments)) == (
        ["AmazonShipping_UK"],
        ["emulator", "production", "sandbox"],
    )
    assert cases["P-13"].requirement is None and cases["P-14"].requirement is None  # not for sign-off
    assert forms.skip_reason("AmazonShipping_US", "emulator") is None
    for environment in ("sandbox", "production"):
        reason = forms.skip_reason("AmazonShipping_US", environment)
        assert reason is not None and reason.startswith(f"not run against {environment}: Amazon's sandbox")
    assert points.skip_reason("AmazonShipping_UK", "sandbox") is None
    assert points.skip_reason("AmazonShipping_FR", "production") == (
        "for AmazonShipping_UK only (Amazon's Shipping API v2 reference lists getAccessPoints for the UK); "
        "this workspace ships as AmazonShipping_FR"
    )
