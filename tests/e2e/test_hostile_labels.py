"""Label files crafted to hurt: judged in bounded time and memory, packed without a crash or their active parts.

A label is bytes from a server. A tiny PDF can declare 150 pages of 200 x 200 in; a ZPL file can hold sixty
12000-dot formats; a PDF can carry JavaScript and links; a damaged one can still be bought. Each check runs
in a real ``onboard`` process under a 1.5 GB address-space limit, so a check that forgot its budget dies
(MemoryError, a traceback) instead of passing on a large machine; the figures line says what each took.
"""

from __future__ import annotations

import hashlib
import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from tests.e2e.test_pack_and_review import certified, onboard, run_file, workspace  # noqa: F401 - fixtures
from tests.figures import Figure

#: what any onboard process may use here: far below what the unbudgeted checks took (6.2 GB)
ADDRESS_SPACE = 1536 * 1024 * 1024


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def check_in_a_process(path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "onboard", "label", "check", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited,
        check=False,
    )
    return done, time.monotonic() - started


def huge_pdf(pages: int = 150, side_pt: float = 14400) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=side_pt, height=side_pt)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_pdf_of_150_huge_pages_is_judged_in_seconds(tmp_path: Path, figure: Figure) -> None:
    path = tmp_path / "huge.pdf"
    path.write_bytes(huge_pdf())
    assert path.stat().st_size < 40_000
    done, took = check_in_a_process(path, "--json")
    figure(f"150 pages of 200 x 200 in ({path.stat().st_size} bytes): judged in {took:.1f} s")

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    pages = next(c for c in report["checks"] if c["name"] == "pages")
    assert pages["detail"] == "150 pages, one label each; the first 10 read (at most 10 a file), the rest measured only"
    size = next(c for c in report["checks"] if c["name"] == "size")
    assert not size["ok"]
    assert size["detail"].endswith("; 147 more pages")


def test_sixty_zpl_formats_of_12000_dots_are_judged_in_seconds(tmp_path: Path, figure: Figure) -> None:
    one = b"^XA^PW12000^LL12000^FO0,0^GB12000,12000,6000^FS^FO100,100^BY10^BCN,5000^FD12345^FS^XZ\n"
    path = tmp_path / "huge.zpl"
    path.write_bytes(one * 60)
    done, took = check_in_a_process(path, "--json")
    figure(f"60 ZPL formats of 12000 x 12000 dots: judged in {took:.1f} s")

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    structure = next(c for c in report["checks"] if c["name"] == "structure")
    assert "50 more labels not drawn (at most 10 a file)" in structure["detail"]
    size = next(c for c in report["checks"] if c["name"] == "size")
    assert size["detail"].startswith("wrong size: ^PW12000 ^LL12000 is 59.11 x 59.11 in at 203 dpi")


# --- into the pack ------------------------------------------------------------------------------------------


def active_pdf() -> bytes:
    """A 4 x 6 in page that runs JavaScript on opening and carries a link out."""
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=288, height=432)
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(288), FloatObject(432)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://evil.example/")}
            ),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    page[NameObject("/AA")] = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
            )
        }
    )
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('opened')")}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def replace_first_pdf_label(workspace: Path, data: bytes) -> str:  # noqa: F811 - the fixture's name
    run_path = run_file(workspace)
    run = json.loads(run_path.read_text())
    label = next(lbl for case in run["cases"] for lbl in case["labels"] if lbl["format"] == "PDF")
    (run_path.parent / label["file"]).write_bytes(data)
    label.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    run_path.write_text(json.dumps(run))
    return str(label["file"])


def packed(workspace: Path, tmp_path: Path) -> dict[str, bytes]:  # noqa: F811
    out = tmp_path / "pack.zip"
    done = onboard("pack", "--workspace", str(workspace), "--include-failed", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.slow
def test_a_damaged_pdf_label_is_packed_without_a_crash(workspace: Path, tmp_path: Path) -> None:  # noqa: F811
    name = replace_first_pdf_label(workspace, b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>> endobj\ntrailer<<")
    files = packed(workspace, tmp_path)
    assert files[name].startswith(b"%PDF-1.7")  # the pack holds the label as returned, damaged or not
    assert pypdf.PdfReader(io.BytesIO(files["report.pdf"])).pages


@pytest.mark.slow
def test_a_labels_javascript_and_links_stay_out_of_the_report(workspace: Path, tmp_path: Path) -> None:  # noqa: F811
    name = replace_first_pdf_label(workspace, active_pdf())
    files = packed(workspace, tmp_path)
    assert b"/JavaScript" in files[name]  # kept in the label file, byte for byte
    report = pypdf.PdfReader(io.BytesIO(files["report.pdf"]))
    assert b"app.alert" not in files["report.pdf"] and b"evil.example" not in files["report.pdf"]
    assert "/OpenAction" not in report.trailer["/Root"]
    for page in report.pages:
        assert "/AA" not in page
        assert not any(annot.get_object().get("/Subtype") == "/Link" for annot in page.get("/Annots", []))
