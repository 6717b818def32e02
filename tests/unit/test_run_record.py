"""run.json has one owner: every schema read through it, refused in one line when it is not a run, and what
readers ask of it (coverage, problems, Amazon or not) derived in one place."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from onboard.certify.catalog import REQUIREMENTS, load_catalog, required_by_onboard
from onboard.certify.record import EMULATOR_MARK, Printing, RunRecord, read_run, shown
from onboard.certify.redaction import MAX_RECORDED_BODY, redact_body
from onboard.certify.runner import plan_run
from onboard.emulator.shipping import EMULATOR_BANNER
from onboard.errors import ConfigError
from onboard.pack.review import review_pack

V1 = Path(__file__).parent / "data" / "run-v1.json"


def v1() -> dict[str, object]:
    raw: dict[str, object] = json.loads(V1.read_text())
    return raw


def test_a_schema_1_record_is_read_as_the_current_schema() -> None:
    record = RunRecord.parse(V1.read_bytes())
    assert record.schema_ == 2
    assert record.endpoints.custom is False  # schema 1 wrote "false", a string
    assert record.made_against_amazon()
    assert (record.complete, record.ok) == (False, False)
    assert [case.reached for case in record.cases] == [True, False]  # "not run:" was never reached
    # schema 1 said nothing of requirements or printing: a review says so rather than assume
    rows = {row.requirement: row for row in record.coverage(required_by_onboard())}
    assert rows["Retrieve rates"].result == "missing" and not rows["Retrieve rates"].ok
    assert rows["labels the shipper prints"].result == "unknown"
    assert RunRecord.parse(record.to_bytes()) == record  # what it writes, it reads back the same


def test_a_record_from_a_newer_onboard_or_no_record_at_all_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match=r"written by a newer onboard \(run schema 9, this one reads 2\)"):
        RunRecord.parse(json.dumps({**v1(), "schema": 9}).encode())
    for bad, said in (
        (b"{not json", "cannot be read"),
        (b"[1, 2]", "is not a run record"),
        (json.dumps({**v1(), "cases": "all"}).encode(), "is not a valid run record: cases: "),
        (json.dumps({**v1(), "run_id": "../../x"}).encode(), "is not a run id onboard makes"),
    ):
        with pytest.raises(ConfigError, match=said) as caught:
            RunRecord.parse(bad)
        assert "\n" not in caught.value.one_line()


def test_a_record_is_read_only_from_its_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "runs" / "20260301T090000.000Z-ffffff"
    folder.mkdir(parents=True)
    (folder / "run.json").write_bytes(V1.read_bytes())
    with pytest.raises(ConfigError, match="not its own folder's"):
        read_run(folder / "run.json")


@pytest.mark.parametrize(
    ("change", "doubt"),
    [
        ({"environment": "emulator"}, "made against the emulator"),
        ({"endpoints": {"api": "http://127.0.0.1:8765", "lwa": "x", "custom": True}}, "custom endpoint"),
        ({"endpoints": {"api": "https://evil.example", "lwa": "https://api.amazon.com/auth/o2/token"}}, "API host"),
        ({"region": "mars"}, "region 'mars' is none of Amazon's"),
    ],
)
def test_made_against_amazon_needs_every_sign_of_it(change: dict[str, object], doubt: str) -> None:
    record = RunRecord.parse(json.dumps({**v1(), **change}).encode())
    assert any(doubt in line for line in record.amazon_doubts())
    assert any("NOT FROM AMAZON" in line for line in record.problems())


def test_the_catalog_marks_the_four_flows_sign_off_requires() -> None:
    assert required_by_onboard() == ("rates", "purchase", "track", "cancel")
    marked = {case.requirement: case.id for case in load_catalog() if case.requirement}
    assert marked == {"rates": "TC01", "purchase": "P-02", "track": "P-05", "cancel": "P-06"}
    assert {REQUIREMENTS[name].operation for name in marked} == {
        "getRates",
        "purchaseShipment",
        "getTracking",
        "cancelShipment",
    }


def test_a_subset_run_is_planned_as_partial_naming_what_it_lacks() -> None:
    catalog = load_catalog()
    whole = plan_run(catalog, catalog, ("PDF", "PNG", "ZPL"), (203, 300), Printing(formats=["ZPL"], dpis=[203]))
    assert whole.lacks == []
    tc01 = plan_run(
        [c for c in catalog if c.id == "TC01"], catalog, ("PDF",), (203,), Printing(formats=["ZPL"], dpis=[203])
    )
    assert tc01.lacks == [
        "Purchase a label from a rate: P-02 was not selected",
        "Track the purchased package: P-05 was not selected",
        "Cancel the shipment: P-06 was not selected",
        "a ZPL label at 203 dpi (the shipper prints it): --formats/--dpi left it out",
    ]


def test_ids_from_a_server_are_printed_escaped_and_cut() -> None:
    assert shown("amzn1.ship.1\n\x1b[31m\x00") == "amzn1.ship.1\\n\\x1b[31m\\x00"
    assert shown("é✓") == "é✓"
    assert shown("x" * 500, 10) == "x" * 9 + "…"


def test_the_emulators_banner_is_the_mark_review_looks_for() -> None:
    # review reads a label's own text for this mark: it must stay what the emulator prints
    assert EMULATOR_MARK in EMULATOR_BANNER.upper()


def test_a_body_too_large_to_record_is_kept_as_its_size() -> None:
    # a server answering 19 MB of padding once made run.json 38 MB, and the pack a "zip bomb" to review
    huge = b'{"payload": {"pad": "' + b" " * MAX_RECORDED_BODY + b'"}}'
    assert redact_body(huge) == f"[{len(huge)} bytes: too large to keep in the record]"
    assert redact_body(b'{"payload": {"rates": []}}') == {"payload": {"rates": []}}


def test_a_pack_whose_run_record_compresses_very_well_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pack.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", '{"run_id": "x", "files": []}')
        archive.writestr("run.json", b'{"pad": "' + b" " * (8 * 1024 * 1024) + b'"}')  # about 1000:1
    result = review_pack(path)  # read, and found wanting: not refused as a zip bomb
    assert not result.ok and any("run.json" in problem for problem in result.problems)
