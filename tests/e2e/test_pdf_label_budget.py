"""PDF labels that would cost PDFium minutes and gigabytes to draw are refused before it draws them.

A label PDF is bytes from a server. Three tiny files a reviewer made: forms that each draw the next ten times,
eight deep (3.6 KB, 10^8 rectangles: killed at 120 s and 15.6 GB); 100 KB of compressed content that is
4 million ``re f`` operators a page (38 s, 1.4 GB); an image claiming 40000 x 40000 pixels (45 s, 1.7 GB).
``onboard.labels.pdf_budget`` reads each page with pypdf first and refuses one over budget; what painting costs
after that is bounded by a drawing deadline. Each file here is made small and fast, checked in a real
``onboard`` process, and must fail with one line saying why: never a traceback, never a pass. The limit
asserted is generous (a loaded CI machine); the figures line says what each took (here: well under 1 s,
the drawing deadline's file about 3 s).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onboard.labels import pdf_budget, pdf_worker
from onboard.labels.formats.pdf import DRAW_SECONDS, check, pictures
from onboard.labels.pdf_budget import unfit_line, unfit_pages
from onboard.labels.pdf_worker import CPU_SECONDS
from tests.e2e.test_hostile_labels import check_in_a_process
from tests.figures import Figure
from tests.unit.test_label_check import TRACKING, joined_pdf, label_bytes

#: what a check of any of these files may take on a loaded machine; unbudgeted, each took minutes
GENEROUS_SECONDS = 30
PAGE = b"288 432"


# --- hostile files, written by hand (pypdf's writer would not make most of them) ---------------------------


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", *, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data, 6)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def form(body: bytes, resources: bytes = b"") -> bytes:
    return stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 288 432]" + resources, compress=False)


def pages(count: int, content: bytes, resources: bytes = b"<< >>") -> list[bytes]:
    """Objects 1-3 (catalog, page tree, the content every page shares), then the pages from object 4."""
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s] /Contents 3 0 R /Resources %s >>" % (PAGE, resources)
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        content,
        *[page] * count,
    ]


def chained_forms(first: int, levels: int = 8, fan: int = 10, call: bytes = b"/F Do") -> list[bytes]:
    """Forms from object ``first`` on, each drawing the next ``fan`` times (by ``call``, its resource named
    /F), ``levels`` deep, the last a rectangle: fan^(levels-1) rectangles for one draw of the first."""
    objects = []
    for level in range(levels):
        if level < levels - 1:
            resources = b" /Resources << /XObject << /F %d 0 R >> >>" % (first + level + 1)
            objects.append(form(b" ".join([call] * fan), resources))
        else:
            objects.append(form(b"0 0 1 1 re f"))
    return objects


def fan_out(levels: int = 8, fan: int = 10, content: bytes = b"/F0 Do", page_count: int = 10) -> bytes:
    """Forms that each draw the next ``fan`` times, ``levels`` deep: fan^(levels-1) rectangles a page."""
    first = 4 + page_count
    objects = pages(page_count, stream(content), b"<< /XObject << /F0 %d 0 R >> >>" % first)
    return pdf_file(objects + chained_forms(first, levels, fan))


def op_bomb(operators: int = 1_000_000, page_count: int = 10) -> bytes:
    """One compressed content stream (13 MB of ``re f``, 27 KB stored) that every page draws."""
    return pdf_file(pages(page_count, stream(b"0 0 0 rg\n" + b"1 1 1 1 re f\n" * operators)))


def image_bomb(side: int = 40_000) -> bytes:
    """An image claiming ``side`` x ``side`` pixels: its dictionary says so, its data is a few bytes (PDFium
    would allocate from the claim; the check must refuse on the claim alone)."""
    data = zlib.compress(b"\x00" * 4096)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(data)) + data + b"\nendstream"
    )
    drawn = stream(b"q 288 0 0 432 0 0 cm /Im0 Do Q")
    return pdf_file([*pages(10, drawn, b"<< /XObject << /Im0 14 0 R >> >>"), image])


def recursive_form() -> bytes:
    """A form that draws itself twice: PDFium recurses to its depth cap, 2^depth draws."""
    objects = pages(1, stream(b"/F0 Do"), b"<< /XObject << /F0 5 0 R >> >>")
    objects.append(form(b"/F0 Do /F0 Do 0 0 1 1 re f", b" /Resources << /XObject << /F0 5 0 R >> >>"))
    return pdf_file(objects)


def page_wide_strokes(count: int = 1000) -> bytes:
    """20 KB of content within every limit the check reads, yet 4 s of PDFium's rasteriser a page."""
    return pdf_file(pages(10, stream(b"500 w\n" + b"0 0 m 288 432 l S\n" * count)))


def strokes_in_one_form(count: int = 10_000) -> bytes:
    """The same strokes inside one form: a single object to PDFium, so its progressive drawing never pauses
    (45 s unbounded); only the worker's CPU limit ends it."""
    objects = pages(1, stream(b"/F0 Do"), b"<< /XObject << /F0 5 0 R >> >>")
    objects.append(form(b"500 w\n" + b"0 0 m 288 432 l S\n" * count))
    return pdf_file(objects)


def check_fails_in_one_line(tmp_path: Path, name: str, data: bytes, figure: Figure) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    done, took = check_in_a_process(path, "--json")
    figure(f"{name} ({len(data):,} bytes): judged in {took:.1f} s")

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    assert took < GENEROUS_SECONDS
    report = json.loads(done.stdout)
    assert report["status"] == "failed"
    failed = [c for c in report["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["file"]  # one line says why; no barcodes judged from no drawing
    assert not report["barcodes"]
    detail: str = failed[0]["detail"]
    assert detail.endswith("not drawn") or detail.endswith("not drawn, nor the pages after it")
    return detail


# --- the reviewer's three, and their cousins ----------------------------------------------------------------


def test_a_form_fan_out_is_refused_unparsed(tmp_path: Path, figure: Figure) -> None:
    data = fan_out()
    assert len(data) < 5000
    detail = check_fails_in_one_line(tmp_path, "fanout.pdf", data, figure)
    assert detail == "pages 1-10 draw too much to be a label (more than 10,000 forms and images drawn): not drawn"


def test_an_operator_bomb_is_refused_unparsed(tmp_path: Path, figure: Figure) -> None:
    data = op_bomb()
    assert len(data) < 200_000
    detail = check_fails_in_one_line(tmp_path, "opbomb.pdf", data, figure)
    assert detail == "pages 1-10 draw too much to be a label (more than 2 MB of drawing operators): not drawn"


def test_an_operator_bomb_of_150_pages_is_refused_as_fast(tmp_path: Path, figure: Figure) -> None:
    # pages past the tenth are measured (their size) without PDFium parsing their content
    detail = check_fails_in_one_line(tmp_path, "opbomb150.pdf", op_bomb(page_count=150), figure)
    assert detail.startswith("pages 1-10 draw too much")


def test_an_image_claiming_40000_by_40000_pixels_is_refused_undecoded(tmp_path: Path, figure: Figure) -> None:
    detail = check_fails_in_one_line(tmp_path, "imgbomb.pdf", image_bomb(), figure)
    assert detail == "pages 1-10 draw too much to be a label (more than 32 million image pixels): not drawn"


def test_a_form_drawing_itself_is_refused(tmp_path: Path, figure: Figure) -> None:
    detail = check_fails_in_one_line(tmp_path, "recursive.pdf", recursive_form(), figure)
    assert detail == "page 1 draws too much to be a label (a form that draws itself, without end): not drawn"


@pytest.mark.slow
def test_painting_past_the_deadline_stops_the_drawing(tmp_path: Path, figure: Figure) -> None:
    detail = check_fails_in_one_line(tmp_path, "strokes.pdf", page_wide_strokes(), figure)
    assert f"(PDFium was still drawing the file after {DRAW_SECONDS:g} s): not drawn" in detail


@pytest.mark.slow
def test_painting_inside_one_form_is_stopped_at_the_workers_cpu_budget(tmp_path: Path, figure: Figure) -> None:
    detail = check_fails_in_one_line(tmp_path, "form-strokes.pdf", strokes_in_one_form(), figure)
    assert detail == (
        f"the file draws too much to be a label (PDFium was still drawing it after {CPU_SECONDS:g} s of CPU "
        "time, inside one object): not drawn"
    )


@pytest.mark.slow
def test_a_stopped_worker_is_replaced_for_the_next_file(figure: Figure) -> None:
    good = label_bytes("PDF", 300)
    assert check(good, 300, TRACKING).checks[-1].ok
    first = pdf_worker.worker_pid()
    assert first is not None, "PDF labels are drawn in the worker"
    refused = check(strokes_in_one_form(), 300, None)
    assert [(c.name, c.ok) for c in refused.checks] == [("file", False)]
    assert "inside one object" in refused.checks[0].detail
    started = time.perf_counter()
    again = check(good, 300, TRACKING)
    figure(f"the label after a stopped worker: passed in {time.perf_counter() - started:.2f} s (a new worker)")
    assert all(c.ok for c in again.checks), again.checks
    assert pdf_worker.worker_pid() not in (None, first)


def test_the_worker_has_no_credentials_no_core_and_capped_memory(tmp_path: Path) -> None:
    """A PDF that took PDFium over would find no secret in its environment and no room to grow."""
    path = tmp_path / "label.pdf"
    path.write_bytes(label_bytes("PDF", 203))
    script = f"""
from pathlib import Path
from onboard.labels import pdf_worker
from onboard.labels.formats.pdf import check
assert check(Path({str(path)!r}).read_bytes(), 203, None).checks
pid = pdf_worker.worker_pid()
print(Path(f"/proc/{{pid}}/environ").read_bytes().decode(errors="replace"))
print(Path(f"/proc/{{pid}}/limits").read_text())
"""
    canaries = {"LWA_CLIENT_ID": "amzn1.application-oa2-client.canary0", "LWA_CLIENT_SECRET": "canary-secret-1"}
    canaries |= {"LWA_REFRESH_TOKEN": "Atzr|canary-token-2", "LWA_NEW_CLIENT_SECRET": "canary-secret-3"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env={**os.environ, **canaries}
    )
    assert not [value for value in canaries.values() if value in done.stdout]
    limits = {line[:26].strip(): line[26:].split() for line in done.stdout.splitlines() if line.startswith("Max ")}
    assert limits["Max core file size"][0] == "0"
    assert int(limits["Max address space"][0]) == pdf_worker.MEMORY_BYTES


def test_a_refused_pdf_is_one_line_to_label_render(tmp_path: Path) -> None:
    path = tmp_path / "fanout.pdf"
    path.write_bytes(fan_out())
    done = subprocess.run(
        [sys.executable, "-m", "onboard", "label", "render", str(path), "--out", str(tmp_path / "out.png")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "draw too much to be a label" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.png").exists()


def test_pictures_of_a_refused_pdf_are_a_value_error() -> None:
    # what the pack's previews and the TUI catch: a refused label is left out, never a crash
    with pytest.raises(ValueError, match="draw too much to be a label"):
        pictures(op_bomb(page_count=2), 203)


# --- the walk itself, in this process ------------------------------------------------------------------------


def escaped_fan_out() -> bytes:
    """The fan-out with its names spelled /F#30 and /#46: the same resources, to PDFium."""
    objects = pages(1, stream(b"/F#30 Do"), b"<< /XObject << /F0 5 0 R >> >>")
    return pdf_file(objects + chained_forms(5, call=b"/#46 Do"))


def annotation_fan_out() -> bytes:
    """The fan-out drawn by an annotation's appearance, the page's own content empty."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        stream(b""),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 3 0 R /Annots [5 0 R] >>",
        b"<< /Type /Annot /Subtype /Square /Rect [0 0 288 432] /AP << /N 6 0 R >> >>",
    ]
    return pdf_file(objects + chained_forms(6))


def resources_from_another_parent() -> bytes:
    """A page whose ``/Parent`` is not the node above it in the tree: PDFium takes that parent's resources."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        stream(b"/F0 Do"),
        b"<< /Type /Page /Parent 5 0 R /MediaBox [0 0 288 432] /Contents 3 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 /Resources << /XObject << /F0 6 0 R >> >> >>",
    ]
    return pdf_file(objects + chained_forms(6))


def inline_image_bomb() -> bytes:
    image = b"BI /W 40000 /H 40000 /CS /G /BPC 8 /F /AHx ID 00> EI"
    return pdf_file(pages(1, stream(b"q 288 0 0 432 0 0 cm " + image + b" Q")))


def tiny_tiles() -> bytes:
    pattern = stream(
        b"0 0 0.005 0.005 re f",
        b" /Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 0.01 0.01] /XStep 0.01"
        b" /YStep 0.01 /Resources << >>",
        compress=False,
    )
    return pdf_file(
        [*pages(1, stream(b"/Pattern cs /P0 scn 0 0 288 432 re f"), b"<< /Pattern << /P0 5 0 R >> >>"), pattern]
    )


def font_bomb() -> bytes:
    """A TrueType font file that inflates to 64 MB (PDFium decodes it whole)."""
    packer = zlib.compressobj(9)
    data = b"".join([packer.compress(b"\x00" * (1 << 20)) for _ in range(64)] + [packer.flush()])
    objects = pages(1, stream(b"BT /F1 12 Tf 10 10 Td (hello) Tj ET"), b"<< /Font << /F1 5 0 R >> >>")
    objects += [
        b"<< /Type /Font /Subtype /TrueType /BaseFont /X /FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /X /Flags 32 /FontBBox [0 0 1000 1000] /FontFile2 7 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    return pdf_file(objects)


def jpeg_larger_than_its_dictionary() -> bytes:
    """A JPEG whose frame header says 60000 x 60000, its dictionary 10 x 10: PDFium believes the JPEG."""
    side = (60000).to_bytes(2, "big")
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    jpeg += b"\xff\xc0\x00\x0b\x08" + side + side + b"\x01\x01\x11\x00\xff\xda"
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Filter /DCTDecode /Length %d >>\nstream\n" % len(jpeg) + jpeg + b"\nendstream"
    )
    return pdf_file([*pages(1, stream(b"/Im0 Do"), b"<< /XObject << /Im0 5 0 R >> >>"), image])


def lzw_content() -> bytes:
    return pdf_file(pages(1, b"<< /Length 4 /Filter /LZWDecode >>\nstream\n\x80\x0b\x60\x50\nendstream"))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (escaped_fan_out, "page 1 draws too much to be a label (more than 10,000 forms and images drawn): not drawn"),
        (
            annotation_fan_out,
            "page 1 draws too much to be a label (more than 10,000 forms and images drawn): not drawn",
        ),
        (
            resources_from_another_parent,
            "page 1 draws too much to be a label (more than 10,000 forms and images drawn): not drawn",
        ),
        (inline_image_bomb, "page 1 draws too much to be a label (more than 32 million image pixels): not drawn"),
        (
            jpeg_larger_than_its_dictionary,
            "page 1 draws too much to be a label (more than 32 million image pixels): not drawn",
        ),
        (tiny_tiles, "page 1 draws too much to be a label (a pattern of more than 1,000,000 tiles): not drawn"),
        (font_bomb, "page 1 draws too much to be a label (more than 32 MB of fonts and other data): not drawn"),
        (
            lzw_content,
            "page 1 cannot be measured before drawing (its content is compressed with LZWDecode, which this check"
            " does not decode): not drawn",
        ),
    ],
)
def test_every_way_round_the_walk_is_walked(make: Callable[[], bytes], expected: str) -> None:
    assert unfit_line(unfit_pages(make(), 1, 10)) == expected


def test_a_page_pypdf_cannot_find_is_not_drawn() -> None:
    # PDFium and pypdf must agree on the pages, or the page measured is not the page drawn
    unfit = unfit_pages(fan_out(page_count=2), 3, 10)
    assert (
        unfit_line(unfit)
        == "pages 1-3 cannot be measured before drawing (pypdf reads 2 pages where PDFium reads 3): not drawn"
    )


def test_nesting_is_counted_as_deep_as_it_goes() -> None:
    deep = fan_out(levels=pdf_budget.MAX_FORM_DEPTH + 2, fan=1, page_count=1)
    assert unfit_line(unfit_pages(deep, 1, 10)) == (
        f"page 1 draws too much to be a label (forms nested more than {pdf_budget.MAX_FORM_DEPTH} deep): not drawn"
    )
    assert unfit_pages(fan_out(levels=4, fan=3, page_count=1), 1, 10) == {}


# --- real labels are still drawn ------------------------------------------------------------------------------


def test_the_emulators_pdf_labels_are_fit_to_draw() -> None:
    for dpi in (203, 300):
        assert unfit_pages(label_bytes("PDF", dpi), 1, 10) == {}
    joined = joined_pdf(label_bytes("PDF", 203), label_bytes("PDF", 300), rotate=90)
    assert unfit_pages(joined, 2, 10) == {}


def test_a_real_pdf_label_still_passes_in_a_process(tmp_path: Path, figure: Figure) -> None:
    path = tmp_path / "label.pdf"
    path.write_bytes(label_bytes("PDF", 300))
    done, took = check_in_a_process(path, "--expect-tracking", TRACKING, "--json")
    figure(f"a real PDF label: passed in {took:.1f} s")

    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "passed"
    assert {b["text"] for b in report["barcodes"]} == {TRACKING}


# --- the worker as a neighbour would find it --------------------------------------------------------------


@pytest.fixture
def own_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A worker of the test's own (the module's slot replaced), stopped at the end."""
    monkeypatch.setattr(pdf_worker, "_slot", pdf_worker._Slot())
    yield
    pdf_worker._stop()


@pytest.mark.usefixtures("own_worker")
def test_a_module_in_the_current_directory_is_not_imported_by_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = tmp_path / "planted"
    (tmp_path / "pypdfium2.py").write_text(f"open({str(planted)!r}, 'w').write('ran')\nraise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    measured = check(label_bytes("PDF", 203), 203, TRACKING)
    assert all(c.ok for c in measured.checks), measured.checks
    assert not planted.exists()


@pytest.mark.usefixtures("own_worker")
def test_a_worker_that_cannot_start_leaves_the_drawing_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, then ends before it is ready
    first = check(label_bytes("PDF", 203), 203, TRACKING)
    again = check(label_bytes("PDF", 300), 300, TRACKING)
    assert all(c.ok for c in first.checks + again.checks), first.checks + again.checks
    assert pdf_worker.worker_pid() is None


@pytest.mark.usefixtures("own_worker")
def test_a_worker_that_stops_reading_is_given_up_on(monkeypatch: pytest.MonkeyPatch, figure: Figure) -> None:
    assert check(label_bytes("PDF", 203), 203, TRACKING).checks[-1].ok
    pid = pdf_worker.worker_pid()
    assert pid is not None
    monkeypatch.setattr(pdf_worker, "WALL_SECONDS", 1.0)
    os.kill(pid, signal.SIGSTOP)  # a process that neither reads nor uses its CPU
    started = time.perf_counter()
    big = label_bytes("PDF", 203) + b"%" + b"x" * 8_000_000  # far past a pipe's buffer
    refused = check(big, 203, None)
    took = time.perf_counter() - started
    figure(f"an 8 MB PDF to a stopped worker: refused in {took:.1f} s")
    assert [(c.name, c.ok) for c in refused.checks] == [("file", False)]
    assert refused.checks[0].detail == "PDFium gave no answer on this file within 1 s: not drawn"
    assert took < 5
    assert check(label_bytes("PDF", 203), 203, TRACKING).checks[-1].ok  # and the next file has a new worker
