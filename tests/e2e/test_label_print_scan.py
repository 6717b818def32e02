"""'onboard label print' and 'label scan': the test label printed on a (virtual) printer and read back from paper.

The printer is :class:`tests.printers.VirtualZebra` on 127.0.0.1 (raw 9100 jobs, ~HI/~HS answered as a Zebra
does); what it received is drawn with onboard's ZPL interpreter, photographed (turned, scaled, blurred, in
perspective, unevenly lit, speckled) and scanned back. CUPS is a stand-in ``lp`` on PATH; a handheld
scanner is its keystrokes on standard input.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter

from onboard.labels.pictures import render_file
from onboard.printing import zebra
from onboard.workspace.workspace import Workspace
from tests.cli import run_onboard
from tests.printers import BlackHole, VirtualZebra, closed_port, stand_in_lp
from tests.unit.test_label_check import TRACKING, label_bytes
from tests.workspaces import new_workspace


def onboard(
    workspace: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_onboard([*args, "--workspace", str(workspace)], env or dict(os.environ), stdin=stdin)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("onboard: error: ")
    return lines[0]


def photo(
    label: Image.Image,
    *,
    angle: float = 0,
    scale: float = 1.0,
    blur: float = 0,
    light: bool = False,
    perspective: bool = False,
) -> bytes:
    """A phone's JPEG of the paper label on a grey desk."""
    gray = label.convert("L")
    desk = Image.new("L", (int(gray.width * 1.5), int(gray.height * 1.4)), 140)
    desk.paste(gray, (gray.width // 4, gray.height // 5))
    picture = desk
    if perspective:
        coefficients = (1, 0.05, 0, 0.02, 1, 0, 0.00005, 0.00002)
        picture = picture.transform(
            picture.size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC, fillcolor=140
        )
    picture = picture.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=140)
    picture = picture.resize((int(picture.width * scale), int(picture.height * scale)), Image.Resampling.LANCZOS)
    if blur:
        picture = picture.filter(ImageFilter.GaussianBlur(blur))
    if light:
        shade = Image.linear_gradient("L").resize(picture.size).rotate(30).point(lambda v: 80 + v * 175 // 255)
        picture = ImageChops.multiply(picture, shade)
    picture = ImageChops.add(picture, Image.effect_noise(picture.size, 16), 2, -60)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def shipper(tmp_path: Path) -> Path:
    path = tmp_path / "acme"
    new_workspace(path)
    return path


@pytest.fixture
def zpl_label(tmp_path: Path) -> Path:
    path = tmp_path / "label.zpl"
    path.write_bytes(label_bytes("ZPL", 203))
    return path


# --- the whole story: a demo workspace's label printed, photographed, scanned, recorded ----------------------


def test_a_bought_zpl_label_is_printed_scanned_from_a_photo_and_test_label_is_done(tmp_path: Path) -> None:
    workspace = tmp_path / "demo"
    assert onboard(workspace, "init", "--shipper", "Demo Shipper").returncode == 0
    bought = onboard(workspace, "certify", "--formats", "ZPL", "--dpi", "203", "--case", "P-03")
    assert bought.returncode == 0, bought.stdout + bought.stderr
    [label] = sorted((workspace / "runs").glob("*/labels/*-ZPL-203-*.zpl"))
    tracking = label.stem.rsplit("-", 1)[1]

    with VirtualZebra(203) as printer:
        printed = onboard(workspace, "label", "print", str(label), "--printer", printer.address, "--json")
        assert printed.returncode == 0, printed.stderr
        assert printer.queries == ["~HI", "~HS"]
        assert printer.received == label.read_bytes()  # byte for byte, nothing added
    result = json.loads(printed.stdout)
    assert result["tracking_id"] == tracking
    assert result["printer"] == {"kind": "raw", "target": printer.address, "model": "ZD421-203dpi", "dpi": 203}
    assert (result["format"], result["dpi"], result["copies"]) == ("ZPL", 203, 1)

    # what the printer got, drawn by onboard's ZPL interpreter, then photographed askew in uneven light
    paper = render_file(printer.received, 203).pages[0]
    snapshot = tmp_path / "photo.jpg"
    snapshot.write_bytes(photo(paper, angle=14, scale=1.2, blur=1.0, light=True, perspective=True))
    scanned = onboard(workspace, "label", "scan", "--image", str(snapshot))
    assert scanned.returncode == 0, scanned.stderr
    assert scanned.stdout.startswith(f"scanned {tracking} from {snapshot}: ")

    status = onboard(workspace, "status")
    line = next(i for i, text in enumerate(status.stdout.splitlines()) if "test-label" in text)
    lines = status.stdout.splitlines()
    assert lines[line].lstrip().startswith("✓ test-label")
    assert f"printed on {printer.address} (ZD421-203dpi) at " in lines[line + 1]
    assert "from a photo, carries " + tracking in lines[line + 1]
    record = Workspace.open(workspace).state.steps["test-label"]
    assert record.status == "done"
    assert record.evidence["tracking_id"] == tracking
    evidence = record.evidence
    assert (evidence["format"], evidence["dpi"], evidence["scanned_with"]) == ("ZPL", "203", "image")
    vias = {entry.via for entry in Workspace.open(workspace).state.audit if entry.step == "test-label"}
    assert vias == {"onboard label print", "onboard label scan"}
    card = onboard(workspace, "step", "test-label").stdout
    assert "(onboard label scan)" in card and f"carries {tracking}" in card


def test_the_printer_is_remembered_per_workspace(shipper: Path, zpl_label: Path) -> None:
    with VirtualZebra(203) as printer:
        assert onboard(shipper, "label", "print", str(zpl_label), "--printer", printer.address).returncode == 0
        again = onboard(shipper, "label", "print", str(zpl_label), "--copies", "2")
        assert again.returncode == 0, again.stderr
        assert printer.jobs == [zpl_label.read_bytes()] * 3
    assert again.stdout.startswith(f"printed {zpl_label} (ZPL, 203 dpi, 2 copies) on {printer.address} (ZD421-203dpi)")
    assert "onboard label scan --expect TRACKING_ID" in again.stdout  # a file no run bought: its id is not known
    assert str(Workspace.open(shipper).state.printer) == printer.address


def test_a_workspace_that_never_printed_is_written_as_before(shipper: Path) -> None:
    assert "printer" not in json.loads((shipper / "workspace.json").read_text())


# --- failures: one line each, nothing printed ----------------------------------------------------------------


def test_a_wrong_printer_dpi_is_refused_with_the_fix(shipper: Path, zpl_label: Path) -> None:
    with VirtualZebra(300) as printer:
        done = onboard(shipper, "label", "print", str(zpl_label), "--printer", printer.address)
        assert printer.jobs == []
    assert done.returncode == 2
    line = one_line_error(done)
    assert f"is a 203 dpi label and the printer at {printer.address} (ZD421-300dpi) prints at 300 dpi" in line
    assert "onboard certify --formats ZPL --dpi 300" in line
    assert "test-label" not in Workspace.open(shipper).state.steps


def test_an_unreachable_printer_is_one_line(shipper: Path, zpl_label: Path) -> None:
    port = closed_port()
    done = onboard(shipper, "label", "print", str(zpl_label), "--printer", f"127.0.0.1:{port}")
    assert done.returncode == 2
    assert f"the printer at 127.0.0.1:{port} refused the connection" in one_line_error(done)


#: more than the sender's socket buffer (Linux lets it grow to 4 MB) and the black hole's together
BIG_JOB = 16 * 1024 * 1024


@pytest.mark.slow
def test_a_printer_that_stops_taking_data_ends_the_print_within_its_send_deadline(
    shipper: Path, tmp_path: Path
) -> None:
    label = label_bytes("ZPL", 203)
    end = label.rindex(b"^XZ")
    # a large job, as a label with a big graphic is: a comment field the printer would skip
    big = tmp_path / "big.zpl"
    big.write_bytes(label[:end] + b"^FX" + b"0" * BIG_JOB + b"^FS" + label[end:])
    size = big.stat().st_size
    with BlackHole() as hole:
        started = time.monotonic()
        done = onboard(shipper, "label", "print", str(big), "--printer", hole.address)
        seconds = time.monotonic() - started
        assert len(hole.connections) == 2  # asked its status (no answer), then sent the job
    assert done.returncode == 2
    line = one_line_error(done)
    stalled = re.search(rf"the printer at {hole.address} stopped taking the job: (\d+) of {size} bytes in 15 s", line)
    assert stalled is not None, line
    assert 0 < int(stalled.group(1)) < size
    assert "check the printer's display" in line
    # the status query's wait, then the send's, after the label check of a 16 MB file: that check took
    # 20 s more on a CI machine under load, so the bound says "ends", not how fast
    deadline = zebra.CONNECT_SECONDS + zebra.ASK_SECONDS + zebra.SEND_SECONDS
    assert zebra.SEND_SECONDS <= seconds < deadline + 60, f"{seconds:.1f} s"
    state = Workspace.open(shipper).state
    assert "test-label" not in state.steps and state.printer is None  # nothing printed, nothing remembered


@pytest.mark.parametrize(
    ("state", "said"), [("paper_out", "paper out"), ("paused", "paused"), ("head_open", "head open")]
)
def test_a_printer_that_cannot_print_now_says_why(shipper: Path, zpl_label: Path, state: str, said: str) -> None:
    with VirtualZebra(203, **{state: True}) as printer:  # type: ignore[arg-type]
        done = onboard(shipper, "label", "print", str(zpl_label), "--printer", printer.address)
        assert printer.jobs == []
    assert done.returncode == 2
    assert f"cannot print now: {said}" in one_line_error(done)


def test_something_that_is_not_a_printer_is_named_and_its_answer_escaped(shipper: Path, zpl_label: Path) -> None:
    with VirtualZebra(203, answer=b"HTTP/1.1 400 Bad Request\r\n\x1b]0;owned\x07\r\n\r\n") as server:
        done = onboard(shipper, "label", "print", str(zpl_label), "--printer", server.address)
        assert server.jobs == []
    assert done.returncode == 2
    line = one_line_error(done)
    assert f"{server.address} is not a label printer" in line and "HTTP/1.1 400" in line
    assert "\x1b" not in done.stderr and "\\x1b]0;owned" in line


def test_a_print_server_that_answers_no_query_still_prints(shipper: Path, zpl_label: Path) -> None:
    with VirtualZebra(203, silent=True) as server:
        done = onboard(shipper, "label", "print", str(zpl_label), "--printer", server.address, "--json")
        assert server.jobs == [zpl_label.read_bytes()]
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["printer"]["dpi"] is None
    assert json.loads(done.stdout)["dpi"] == 203  # the label's own


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--copies", "0"], "--copies 0: print 1 to 20 copies"),
        (["--printer", "no such host!"], "is not HOST[:PORT]"),
        (["--printer", "127.0.0.1:99999"], "the port must be 1 to 65535"),
        (["--cups=-oraw"], "is not a CUPS queue name"),
        (["--cups", "a queue"], "is not a CUPS queue name"),
        ([], "no printer given, and this workspace has not printed before"),
        (["--printer", "127.0.0.1", "--dpi", "300"], "is drawn for 203 dpi, not --dpi 300"),
    ],
)
def test_bad_print_arguments_are_one_line(shipper: Path, zpl_label: Path, args: list[str], said: str) -> None:
    done = onboard(shipper, "label", "print", str(zpl_label), *args)
    assert done.returncode == 2
    assert said in one_line_error(done)


def test_a_pdf_is_not_sent_raw_to_a_label_printer(shipper: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label_bytes("PDF", 203))
    done = onboard(shipper, "label", "print", str(pdf), "--printer", "127.0.0.1")
    assert done.returncode == 2
    assert "a network label printer takes ZPL raw, not PDF" in one_line_error(done)


def test_a_file_that_is_no_label_is_refused(shipper: Path, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    done = onboard(shipper, "label", "print", str(junk), "--printer", "127.0.0.1")
    assert done.returncode == 2
    assert "is not a label file" in one_line_error(done)


# --- CUPS through lp -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PDF", ["-o", "print-scaling=none", "-o", "fit-to-page=false"]),
        ("PNG", ["-o", "print-scaling=none", "-o", "ppi=203"]),
        ("ZPL", ["-o", "raw"]),
    ],
)
def test_cups_gets_the_label_at_true_size(shipper: Path, tmp_path: Path, fmt: str, options: list[str]) -> None:
    label = tmp_path / f"label.{fmt.lower()}"
    label.write_bytes(label_bytes(fmt, 203))  # type: ignore[arg-type]
    with stand_in_lp(tmp_path) as (env, jobs):
        done = onboard(shipper, "label", "print", str(label), "--cups", "Zebra_ZD421", "--copies", "2", env=env)
    assert done.returncode == 0, done.stderr
    args = (jobs / "args-1").read_text().splitlines()
    assert args == ["-d", "Zebra_ZD421", "-n", "2", *options, "--", str(label)]
    assert (jobs / "file-1").read_bytes() == label.read_bytes()
    at = "" if fmt == "PDF" else ", 203 dpi"  # a PDF has no dpi of its own: CUPS draws it at the printer's
    assert done.stdout.startswith(f"printed {label} ({fmt}{at}, 2 copies) on cups:Zebra_ZD421 (job Zebra_ZD421-1)")


def test_a_queue_lp_refuses_is_one_line(shipper: Path, zpl_label: Path, tmp_path: Path) -> None:
    with stand_in_lp(tmp_path, fail="lp: The printer or class does not exist.") as (env, _):
        done = onboard(shipper, "label", "print", str(zpl_label), "--cups", "Nope", env=env)
    assert done.returncode == 2
    assert "the CUPS queue 'Nope' refused the job: lp said 'lp: The printer or class does not exist.'" in (
        one_line_error(done)
    )


def test_no_lp_installed_is_one_line(shipper: Path, zpl_label: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    done = onboard(shipper, "label", "print", str(zpl_label), "--cups", "Zebra", env={**os.environ, "PATH": str(empty)})
    assert done.returncode == 2
    assert "the 'lp' command is not installed" in one_line_error(done)


# --- scanning: a handheld scanner's keystrokes, photos ---------------------------------------------------------


def test_a_handheld_scan_on_stdin_is_recorded(shipper: Path) -> None:
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, "--json", stdin=f"]C0{TRACKING}\n")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] and result["tracking_id"] == TRACKING and result["source"] == "scanner"
    assert result["read"] == [{"symbology": "Code 128", "text": TRACKING, "carries": "equal"}]
    evidence = Workspace.open(shipper).state.steps["test-label"].evidence
    assert evidence["scanned_with"] == "scanner" and evidence["carried_by"] == "Code 128"


def test_a_gs1_payload_carrying_the_id_matches_as_label_check_does(shipper: Path) -> None:
    done = onboard(shipper, "label", "scan", "--expect", "00012345678901234567", stdin="(00)00012345678901234567\n")
    assert done.returncode == 0, done.stderr
    assert "inside a GS1 element string, AI (00)" in done.stdout


def test_a_wrong_scan_says_what_was_read_and_what_was_expected(shipper: Path) -> None:
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, stdin="1Z999AA10123456784\n\x1b[2Jevil\n")
    assert done.returncode == 1
    line = one_line_error(done)
    read = "read scanner '1Z999AA10123456784'; scanner '\\x1b[2Jevil'"
    assert f"the scan does not match: {read}, expected {TRACKING}" in line
    assert "\x1b" not in done.stderr
    assert "test-label" not in Workspace.open(shipper).state.steps


def test_nothing_scanned_is_one_line(shipper: Path) -> None:
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, stdin="")
    assert done.returncode == 1
    assert f"no barcode read from the scanner; expected {TRACKING}" in one_line_error(done)


def test_scan_after_print_knows_the_tracking_id_and_run(tmp_path: Path) -> None:
    workspace = tmp_path / "demo"
    assert onboard(workspace, "init").returncode == 0
    bought = onboard(workspace, "certify", "--formats", "ZPL", "--dpi", "203", "--case", "P-03")
    assert bought.returncode == 0, bought.stdout + bought.stderr
    [run] = [path.name for path in (workspace / "runs").iterdir()]
    [label] = sorted((workspace / "runs").glob("*/labels/*-ZPL-203-*.zpl"))
    tracking = label.stem.rsplit("-", 1)[1]
    by_run = onboard(workspace, "label", "scan", "--run", run, stdin=f"{tracking}\n")
    assert by_run.returncode == 0, by_run.stderr
    wrong = onboard(workspace, "label", "scan", "--run", run, stdin="TBA000000000000\n")
    assert wrong.returncode == 1 and f"expected {tracking}" in one_line_error(wrong)


@pytest.mark.parametrize(
    "shot",
    [
        {"angle": 0},
        {"angle": 90, "scale": 0.9},
        {"angle": -25, "scale": 1.4, "blur": 1.2},
        {"angle": 8, "perspective": True, "light": True},
        {"angle": 180 + 35, "scale": 2.0, "blur": 1.5, "light": True},
    ],
    ids=["upright", "quarter-turn", "askew-blurred", "perspective-uneven-light", "upside-down-askew-large"],
)
@pytest.mark.parametrize(("fmt", "dpi"), [("ZPL", 203), ("ZPL", 300), ("PNG", 203), ("PDF", 203)])
def test_photos_of_label_renders_read_back(
    shipper: Path, tmp_path: Path, fmt: str, dpi: int, shot: dict[str, object]
) -> None:
    paper = render_file(label_bytes(fmt, dpi), dpi).pages[0]  # type: ignore[arg-type]
    snapshot = tmp_path / "photo.jpg"
    snapshot.write_bytes(photo(paper, **shot))  # type: ignore[arg-type]
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, "--image", str(snapshot))
    assert done.returncode == 0, done.stderr


def test_a_photo_without_the_label_and_a_file_that_is_no_photo(shipper: Path, tmp_path: Path) -> None:
    blank = tmp_path / "desk.png"
    Image.new("L", (800, 600), 140).save(blank)
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, "--image", str(blank))
    assert done.returncode == 1
    assert f"no barcode read from {blank}" in one_line_error(done)
    text = tmp_path / "photo.jpg"
    text.write_text("not a picture")
    done = onboard(shipper, "label", "scan", "--expect", TRACKING, "--image", str(text))
    assert done.returncode == 2
    assert "is not a picture onboard can read" in one_line_error(done)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--expect", "no!"], "is not a tracking id"),
        (["--run", "../etc"], "is not a run id"),
        (["--run", "20260101T000000.000Z-abcdef"], "there is no run 20260101T000000.000Z-abcdef"),
        ([], "which label was printed?"),
        (["--expect", TRACKING, "--image", "/nonexistent/photo.jpg"], "no such file: /nonexistent/photo.jpg"),
    ],
)
def test_bad_scan_arguments_are_one_line(shipper: Path, args: list[str], said: str) -> None:
    done = onboard(shipper, "label", "scan", *args)
    assert done.returncode == 2
    assert said in one_line_error(done)


def _cover_line(workspace: Path) -> str:
    """The pack's cover line on the test label, as report.html shows it (the PDF lays out the same words)."""
    packed = onboard(workspace, "pack")
    assert packed.returncode == 0, packed.stderr
    pack = max((workspace / "packs").glob("*.zip"), key=lambda p: p.stat().st_mtime_ns)
    with zipfile.ZipFile(pack) as archive:
        text = html.unescape(re.sub(r"<[^>]+>", " ", archive.read("report.html").decode()))
    start = text.index("Test label on paper")
    return " ".join(text[start : start + 400].split())


def test_the_pack_says_whether_the_label_scanned_from_paper_is_one_of_its_run(tmp_path: Path) -> None:
    workspace = tmp_path / "demo"
    assert onboard(workspace, "init", "--shipper", "Demo Shipper").returncode == 0
    bought = onboard(workspace, "certify", "--formats", "ZPL", "--dpi", "203")
    assert bought.returncode == 0, bought.stdout + bought.stderr
    assert "not printed and scanned yet ('onboard label print FILE', then 'onboard label scan')" in _cover_line(
        workspace
    )
    [run] = [path.name for path in (workspace / "runs").iterdir()]
    label = sorted((workspace / "runs").glob("*/labels/*-ZPL-203-*.zpl"))[0]
    tracking = label.stem.rsplit("-", 1)[1]
    assert onboard(workspace, "label", "scan", "--run", run, stdin=f"{tracking}\n").returncode == 0
    line = _cover_line(workspace)
    assert f"carries {tracking}" in line and "; a label of this run" in line

    # a label of some other run: the pack does not let it pass for one of this run's
    other = "TBA000000000999"
    assert onboard(workspace, "label", "scan", "--expect", other, stdin=f"{other}\n").returncode == 0
    line = _cover_line(workspace)
    assert f"carries {other}" in line and "not a label of this run" in line
