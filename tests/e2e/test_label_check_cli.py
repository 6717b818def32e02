"""'onboard label check FILE' as a user runs it: a process, its report, and its exit code."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from onboard.labels.content import SUPPORTED_DPIS, LabelFormat
from tests.cli import run_onboard
from tests.unit.test_label_check import (
    FORMATS,
    PLACEHOLDER,
    TRACKING,
    amazon_example_png,
    blank_pdf,
    damaged_png,
    label_bytes,
    png_bytes,
)

ONBOARD = [sys.executable, "-m", "onboard"]


def label_check(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_onboard(["label", "check", str(path), *args])


def saved(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("dpi", SUPPORTED_DPIS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_label_passes_and_shows_each_barcode(tmp_path: Path, fmt: LabelFormat, dpi: int) -> None:
    path = saved(tmp_path, f"label.{fmt.lower()}", label_bytes(fmt, dpi))
    done = label_check(path, "--expect-tracking", TRACKING, "--dpi", str(dpi))

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{path}: passed ({fmt}, 4 x 6 in at {dpi} dpi)"
    assert any(line.startswith("  ✓ barcodes") and TRACKING in line for line in lines)
    assert not any(line.startswith("  ✗") for line in lines)
    assert f"    Data Matrix  {TRACKING}" in lines
    assert f"    Code 128     {TRACKING}" in lines
    assert done.stderr == ""


def test_json_output_is_the_report(tmp_path: Path) -> None:
    path = saved(tmp_path, "label.zpl", label_bytes("ZPL", 300))
    done = label_check(path, "--expect-tracking", TRACKING, "--json")

    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["file"] == str(path)
    assert (report["ok"], report["status"], report["format"], report["dpi"]) == (True, "passed", "ZPL", 300)
    assert {(b["symbology"], b["text"]) for b in report["barcodes"]} == {
        ("Code 128", TRACKING),
        ("Data Matrix", TRACKING),
    }
    assert all(check["ok"] for check in report["checks"])


def test_a_letter_size_pdf_fails_as_the_wrong_size(tmp_path: Path) -> None:
    done = label_check(saved(tmp_path, "letter.pdf", blank_pdf((612, 792))))
    assert done.returncode == 1
    assert f"{tmp_path / 'letter.pdf'}: FAILED" in done.stdout
    assert "  ✗ size      wrong size: 8.5 x 11 in, a 4 x 6 in label is needed" in done.stdout
    assert "  barcodes found: none" in done.stdout


def test_a_png_for_the_other_dpi_fails_as_the_wrong_dpi(tmp_path: Path) -> None:
    done = label_check(saved(tmp_path, "label.png", label_bytes("PNG", 203)), "--dpi", "300")
    assert done.returncode == 1
    assert "✗ dpi       wrong dpi: 812 x 1218 px is 203 dpi, 300 dpi was asked" in done.stdout


def test_a_png_of_the_wrong_size_fails(tmp_path: Path) -> None:
    image = Image.open(io.BytesIO(label_bytes("PNG", 300))).resize((1200, 1200))
    done = label_check(saved(tmp_path, "square.png", png_bytes(image, 300)), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["status"] == "failed"
    size = next(c for c in report["checks"] if c["name"] == "size")
    assert size["detail"].startswith("wrong size: 4 x 4 in, a 4 x 6 in label is needed")


def test_a_png_with_painted_over_barcodes_is_an_unreadable_barcode(tmp_path: Path) -> None:
    done = label_check(
        saved(tmp_path, "damaged.png", damaged_png(code128=True, datamatrix=True)), "--expect-tracking", TRACKING
    )
    assert done.returncode == 1
    assert "✗ barcodes  unreadable barcode" in done.stdout
    assert f"no barcode carries the tracking ID {TRACKING}" in done.stdout
    assert "Data Matrix  (does not decode: checksum error)" in done.stdout


def test_a_label_for_another_tracking_id_fails(tmp_path: Path) -> None:
    path = saved(tmp_path, "other.pdf", label_bytes("PDF", 203, "TBA999999999999"))
    done = label_check(path, "--expect-tracking", TRACKING, "--dpi", "203")
    assert done.returncode == 1
    assert f"✗ barcodes  no barcode carries the tracking ID {TRACKING}" in done.stdout
    assert "    Code 128     TBA999999999999" in done.stdout


def test_a_zpl_sized_for_the_other_dpi_fails(tmp_path: Path) -> None:
    zpl = label_bytes("ZPL", 300).replace(b"^PW1200", b"^PW812").replace(b"^LL1800", b"^LL1218")
    done = label_check(saved(tmp_path, "label.zpl", zpl), "--dpi", "300")
    assert done.returncode == 1
    assert "wrong dpi: ^PW812 ^LL1218 is 4 x 6 in at 203 dpi, 300 dpi was asked" in done.stdout


def test_a_zpl_without_its_xz_prints_as_a_printer_prints_it_and_says_so(tmp_path: Path) -> None:
    done = label_check(saved(tmp_path, "open.zpl", b"^XA^PW812^LL1218^FO10,10^FDno end^FS"))
    # drawn and noted, not rejected: it fails only for having no barcode
    assert done.returncode == 1
    assert "✓ structure" in done.stdout
    assert "not closed with ^XZ" in done.stdout
    assert "no barcode field" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_label_render_draws_a_zpl_at_true_size(tmp_path: Path) -> None:
    label = saved(
        tmp_path, "two.zpl", b"^XA^FO50,50^BCN,100^FDTBA1^FS^XZ^XA^FO50,50^FDhi^FS^FO50,150^GSN,40,40^FDA^FS^XZ"
    )
    done = run_onboard(["label", "render", str(label), "--out", str(tmp_path / "out.png")])
    assert done.returncode == 1, done.stdout + done.stderr  # the second label has a part not drawn
    assert "not drawn: ^GS" in done.stdout
    with Image.open(tmp_path / "out-1.png") as first:
        assert first.size == (812, 1218)
        assert round(first.info["dpi"][0]) == 203


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"%!PS-Adobe-3.0\n", "not a label file: neither PDF, PNG nor ZPL"),
        (b"", "not a label file: the file is empty"),
    ],
)
def test_bytes_that_are_no_label_exit_2(tmp_path: Path, data: bytes, detail: str) -> None:
    path = saved(tmp_path, "label.bin", data)
    done = label_check(path)
    assert done.returncode == 2
    assert done.stdout.splitlines()[:2] == [f"{path}: not a label file", f"  ✗ format  {detail}"]


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = label_check(tmp_path / "nowhere.png")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"onboard: error: no such file: {tmp_path / 'nowhere.png'} — give the path of a PDF, PNG or ZPL label"
    ]


def test_a_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = label_check(tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("onboard: error: ")
    assert "is a directory" in done.stderr


def test_a_dpi_other_than_203_or_300_is_a_usage_error(tmp_path: Path) -> None:
    done = label_check(saved(tmp_path, "label.png", label_bytes("PNG", 203)), "--dpi", "600")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_the_sandbox_placeholder_is_named_and_explained(tmp_path: Path) -> None:
    done = label_check(saved(tmp_path, "contents.txt", PLACEHOLDER.encode()), "--expect-tracking", "1578648261977")
    assert done.returncode == 1
    assert done.stdout.startswith(f"{tmp_path / 'contents.txt'}: placeholder label from the sandbox\n")
    flat = " ".join(done.stdout.split())
    assert "onboard certify --allow-production-purchase" in flat
    assert "cancels each one immediately" in flat


def test_saved_base64_contents_of_a_real_label_are_checked_as_the_label(tmp_path: Path) -> None:
    contents = base64.b64encode(label_bytes("PNG", 300))
    done = label_check(saved(tmp_path, "contents.txt", contents), "--expect-tracking", TRACKING)
    assert done.returncode == 0, done.stdout


def test_amazons_example_png_passes_with_the_number_it_carries(tmp_path: Path, shipping_model: dict[str, Any]) -> None:
    contents, tracking_id = amazon_example_png(shipping_model)
    path = saved(tmp_path, "amazon.png", base64.b64decode(contents))

    carried = label_check(path, "--expect-tracking", "1589535235524", "--dpi", "203")
    assert carried.returncode == 0, carried.stdout
    assert "    Data Matrix  1589535235524" in carried.stdout
    assert "    Code 128     SD8tSbtnvN_001_v" in carried.stdout

    # the example response's own trackingId is not on its label
    responded = label_check(path, "--expect-tracking", tracking_id)
    assert responded.returncode == 1
    assert f"no barcode carries the tracking ID {tracking_id}" in responded.stdout
