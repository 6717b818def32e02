"""A catalog file from someone else is read within bounds: tomllib alone was killed by one 200 KB key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from onboard.toml_files import MAX_BYTES, MAX_KEY_PARTS, read_toml


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_case_file_reads_as_tomllib_reads_it(tmp_path: Path) -> None:
    text = 'id = "AM-1"\n[applies]\nbusinesses = ["AmazonShipping_UK"]\n[[steps]]\ndo = "get_rates"\na.b.c = 1\n'
    assert read_toml(_file(tmp_path, text)) == tomllib.loads(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("x" + ".a" * 100_000 + " = 1\n", "line 1: a key of 100001 dotted parts (at most 64)"),
        ("[" + "t." * 500 + "u]\n", "line 1: a key of 501 dotted parts"),
        ("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ("# " + "x" * MAX_BYTES + "\n", "larger than 1024 KB"),
    ],
    ids=["dotted-key", "table-header", "nested-arrays", "too-large"],
)
def test_past_the_bounds_is_a_decode_error_with_the_reason(tmp_path: Path, text: str, said: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError, match=said.replace("(", r"\(").replace(")", r"\)")):
        read_toml(_file(tmp_path, text))


def test_prose_with_dots_in_a_multiline_string_is_no_key(tmp_path: Path) -> None:
    prose = "Step one. " * (MAX_KEY_PARTS * 2)
    text = f'description = """\n{prose}\n"""\n'
    assert read_toml(_file(tmp_path, text))["description"].startswith("Step one.")
