"""report.pdf page by page, as an account manager prints and reads it: every label page is its label exactly
as the API returned it, at true size, with nothing drawn over it; the text pages are laid out as a document
and say the same words as report.html."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from PIL import ImageChops

from tests.reports import Pack, draw_label_area, onboard, own_render, packed_workspace

pytestmark = pytest.mark.slow

LETTER, A4 = (612.0, 792.0), (595.2756, 841.8898)


@pytest.fixture(scope="module")
def us(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """A US shipper's pack: every case, every format at both dpis, Letter paper."""
    return Pack(packed_workspace(tmp_path_factory.mktemp("us") / "acme"))


@pytest.fixture(scope="module")
def uk(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    """A UK shipper's pack, every format at 300 dpi: A4 paper."""
    path = tmp_path_factory.mktemp("uk") / "acme"
    return Pack(packed_workspace(path, "--business-id", "AmazonShipping_UK", "--dpi", "300", certify=("--dpi", "300")))


def _differing(pack: Pack) -> dict[str, int]:
    """Each label page's differing pixels against its label file drawn by itself, over the whole label area."""
    differing = {}
    for page in pack.label_pages():
        drawn = draw_label_area(pack.pdf, page.index, page.label["dpi"])
        own = own_render(page.label, pack.files[page.label["file"]], page.number)
        assert drawn.size == own.size, page.title  # the label at its true size: the same pixels at its dpi
        difference = ImageChops.difference(drawn, own)
        differing[page.title] = sum(difference.histogram()[1:])
    return differing


def test_every_label_page_is_its_label_file_pixel_for_pixel(us: Pack, uk: Pack, figure: Callable[[str], None]) -> None:
    for pack in (us, uk):
        differing = _differing(pack)
        # one page per label of every file (P-07's reprint too), each identical to the file's own drawing
        assert len(differing) == len(pack.labels())
        assert {"PDF", "PNG", "ZPL"} == {page.label["format"] for page in pack.label_pages()}
        assert differing == dict.fromkeys(differing, 0)
    pages = len(us.label_pages()) + len(uk.label_pages())
    figure(f"report.pdf label pages identical to their label file's own drawing: {pages} of {pages}, 0 pixels differ")


@pytest.mark.parametrize(("which", "paper"), [("us", LETTER), ("uk", A4)])
def test_a_label_page_is_the_shippers_paper_with_the_label_at_true_size_whole_inches_in(
    which: str, paper: tuple[float, float], request: pytest.FixtureRequest
) -> None:
    pack: Pack = request.getfixturevalue(which)
    for page in pack.label_pages():
        pdf_page = pack.reader.pages[page.index]
        media, trim = pdf_page.mediabox, pdf_page.trimbox
        assert (float(media.width), float(media.height)) == pytest.approx(paper, abs=0.01)
        # 4 x 6 in, exactly: what prints at 100% is the label's own size
        assert (float(trim.width), float(trim.height)) == pytest.approx((288, 432), abs=1e-6)
        # 2 in from the left and top edges: on the pixel grid at any dpi, and whole on A4 or Letter at 100%
        assert float(trim.left) - float(media.left) == pytest.approx(144, abs=1e-6)
        assert float(media.top) - float(trim.top) == pytest.approx(144, abs=1e-6)
    for page in pack.text_pages():
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(paper, abs=0.01)
    # a viewer's print dialog opens at actual size, not "fit"
    assert pack.reader.trailer["/Root"]["/ViewerPreferences"]["/PrintScaling"] == "/None"


def _texts(page: object) -> list[tuple[str, float, float]]:
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            runs.append((text.strip(), cm[0] * tm[4] + cm[2] * tm[5] + cm[4], cm[1] * tm[4] + cm[3] * tm[5] + cm[5]))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return runs


def test_the_warning_and_the_caption_are_in_the_margin_outside_the_label(us: Pack) -> None:
    for page in us.label_pages():
        pdf_page = us.reader.pages[page.index]
        trim = pdf_page.trimbox
        margin = [
            (text, x, y)
            for text, x, y in _texts(pdf_page)
            if "NOT FROM AMAZON" in text or page.title in text or "Print at 100%" in text
        ]
        assert {"NOT FROM AMAZON — not valid for sign-off", page.title} <= {text for text, _, _ in margin}
        for text, x, y in margin:
            inside = float(trim.left) <= x <= float(trim.right) and float(trim.bottom) <= y <= float(trim.top)
            assert not inside, f"{text!r} is drawn inside the label of {page.title}"


def test_the_outline_finds_every_section_and_every_label_by_its_caption(us: Pack) -> None:
    outline = us.outline()
    assert list(outline)[:2] == ["Amazon Shipping integration: sign-off pack", "Open items"]
    assert {
        "Sign-off coverage",
        "Certification cases",
        "Labels and their checks",
        "Onboarding checklist",
        "Audit trail",
        "Account manager's sign-off",
        "Label pages",
    } <= set(outline)
    pages = us.label_pages()
    titles = [page.title for page in pages]
    # case · format · dpi · tracking ID, a reprint said so; the pages in the order of the run's labels
    assert "P-02 · PDF · 203 dpi · " + us.labels()[0]["tracking_id"] == titles[0]
    assert any(title.startswith("P-07 reprint · PDF · 203 dpi · ") for title in titles)
    assert [page.index for page in pages] == list(range(len(us.text_pages()), len(us.reader.pages)))
    for page in pages:
        assert page.title in us.reader.pages[page.index].extract_text()
    # the same captions on the HTML's label pages
    assert re.findall(r'<section class="label" aria-label="([^"]+)">', us.html) == titles


def test_every_page_of_a_pack_not_made_against_amazon_says_so(us: Pack) -> None:
    for page in us.reader.pages:
        assert "NOT FROM AMAZON — not valid for sign-off" in page.extract_text()


# --- the text pages ------------------------------------------------------------------------------------------

_HEADING_SIZES = {12.0, 9.5}  # the section and sub-section headings' font sizes
_FOOTER = re.compile(r"^(onboard \S+ · run \S+|page \d+)$", re.MULTILINE)


def _runs_with_sizes(page: object) -> list[tuple[str, float, float]]:
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text.strip(), cm[5] + tm[5], size))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return runs


def test_no_heading_is_left_alone_at_the_foot_of_a_page(us: Pack, uk: Pack) -> None:
    for pack in (us, uk):
        for number, page in enumerate(pack.text_pages(), start=1):
            body = [(text, y, size) for text, y, size in _runs_with_sizes(page) if y > 60]  # above the footer
            lowest = min(body, key=lambda run: run[1])
            assert lowest[2] not in _HEADING_SIZES, f"page {number} ends with the heading {lowest[0]!r}"


def test_the_sign_off_block_is_on_one_page(us: Pack, uk: Pack) -> None:
    for pack in (us, uk):
        (page,) = [page for page in pack.text_pages() if "Account manager's sign-off" in page.extract_text()]
        text = page.extract_text()
        for field in ("Test label checked by", "Decision", "First ship date agreed", "Signature", "Notes"):
            assert field in text
        assert "The label pages follow" in text


def _text(pack: Pack) -> str:
    return "\n".join(page.extract_text() for page in pack.text_pages())


def _fonts(page: object) -> set[str]:
    fonts = page["/Resources"]["/Font"].values()  # type: ignore[index]
    return {str(font.get_object()["/BaseFont"]) for font in fonts}


def test_request_ids_are_in_monospace_and_break_only_after_a_hyphen(us: Pack) -> None:
    text = _text(us)
    ids = {call["request_id"] for call in us.run["calls"] if call["request_id"] and call["case"]}
    assert ids
    for request_id in ids:
        assert request_id in text.replace("-\n", "-")
        for cut in range(1, len(request_id)):
            if request_id[cut - 1] != "-":
                assert f"{request_id[:cut]}\n{request_id[cut:]}" not in text, f"{request_id} breaks at {cut}"
    assert "/Courier" in _fonts(us.text_pages()[0])


def test_table_cells_never_break_inside_a_word(us: Pack) -> None:
    """Audit trail, checklist, cases: every word of every cell is whole in the PDF's text (a column too narrow
    for its longest word would split it over two lines)."""
    tokens = set(_text(us).replace("-\n", "-").split())
    audit = json.loads((us.path.parent.parent / "workspace.json").read_text())["audit"]
    assert audit
    words = set()
    for entry in audit:
        for key in ("step", "field", "old", "new", "via"):
            words |= set(str(entry.get(key) or "").split())
    for case in us.run["cases"]:
        words |= set(case["title"].split()) | set(case["detail"].split())
    assert "https://www.acme.example/shipping/integration-with-amazon" in words
    missing = sorted(word for word in words if word not in tokens)
    assert not missing


def test_the_words_are_right(us: Pack) -> None:
    text = _text(us)
    assert "(s)" not in text and "(s)" not in us.html
    assert "3 checks passed" in text and "1 check passed" in text
    assert "this pack was made against the emulator at http://127.0.0.1:" in text
    assert "changes needed (see notes)" in text and "see below" not in text
    for case in us.run["cases"]:
        seconds = f"{case['elapsed_ms'] / 1000:.2f}"
        assert re.search(rf"{re.escape(seconds)}[ \xa0]s", text), seconds  # never "0.01" over "s"
        assert re.search(rf"{re.escape(seconds)}\xa0s", us.html), seconds


class _Visible(HTMLParser):
    """The text a browser shows, block by block (script, style and the title left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "title")
        if tag not in ("wbr", "code", "span", "b"):  # inline: no break between its words and the next
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def test_the_pdf_and_the_html_say_the_same_words(us: Pack) -> None:
    reading = _Visible()
    html_text = us.html.partition('<section class="label"')[0]
    reading.feed(html_text)
    html_words = set("".join(reading.parts).split())
    # every page repeats its banner, footer and table headers; the words are the same set
    pdf_words = set(_FOOTER.sub("", _text(us)).replace("-\n", "-").replace("\x7f", "").split())
    assert html_words - pdf_words == set()
    assert pdf_words - html_words == set()
    # each label page's words in the margin are its HTML page's
    sections = re.findall(r'<section class="label".*?</section>', us.html, re.DOTALL)
    assert len(sections) == len(us.label_pages())
    for section, page in zip(sections, us.label_pages(), strict=True):
        reading = _Visible()
        reading.feed(section)
        pdf_page = us.reader.pages[page.index].extract_text()
        for line in filter(None, (line.strip() for line in "".join(reading.parts).splitlines())):
            assert line in pdf_page, line


def _odd(data: bytes, how: str) -> bytes:
    """A label PDF as some systems write it: turned by /Rotate, its box away from the origin, or cropped."""
    writer = pypdf.PdfWriter()
    page = writer.add_page(pypdf.PdfReader(io.BytesIO(data)).pages[0])
    if how == "rotated":
        page.rotate(90)
    elif how == "moved":
        page.add_transformation(pypdf.Transformation().translate(100, 50))
        page.mediabox = pypdf.generic.RectangleObject([100, 50, 388, 482])
    else:
        page.cropbox = pypdf.generic.RectangleObject([0, 0, 288, 400])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_turned_moved_or_cropped_pdf_label_is_still_its_own_drawing(us: Pack, tmp_path: Path) -> None:
    workspace = Path(shutil.copytree(us.path.parent.parent, tmp_path / "ws"))
    for old in (workspace / "packs").glob("*.zip"):
        old.unlink()
    (run_path,) = (workspace / "runs").glob("*/run.json")
    run = json.loads(run_path.read_text())
    pdfs = [label for case in run["cases"] for label in case["labels"] if label["format"] == "PDF"]
    ways = dict(zip(("rotated", "moved", "cropped"), pdfs, strict=False))
    for how, label in ways.items():
        data = _odd((run_path.parent / label["file"]).read_bytes(), how)
        (run_path.parent / label["file"]).write_bytes(data)
        label.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    run_path.write_text(json.dumps(run))
    assert onboard("pack", "--workspace", str(workspace), "--include-failed").returncode == 0
    (zip_path,) = (workspace / "packs").glob("*.zip")
    pack = Pack(zip_path)
    pages = {page.label["file"]: page for page in pack.label_pages()}
    for how, label in ways.items():
        page = pages[label["file"]]
        drawn = draw_label_area(pack.pdf, page.index, label["dpi"])
        own = own_render(label, pack.files[label["file"]])
        assert drawn.size == own.size, how  # upright as a viewer shows it: a turned 4 x 6 in label is 6 x 4
        high = ImageChops.difference(drawn, own).getextrema()[1]
        # the turned one through a quarter turn of its own (0 and ±1 exactly): at most an anti-aliased grey
        # level apart where PDFium's float32 rounds the other way
        assert high <= (1 if how == "rotated" else 0), how
