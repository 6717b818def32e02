"""``onboard.masking``: known secrets removed by value, in every form they travel in."""

from __future__ import annotations

import base64
import html
import json
import logging
from collections.abc import Iterator
from datetime import date
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from onboard import masking
from onboard.credentials.model import Credentials
from onboard.errors import ConfigError
from onboard.settings import Settings

SECRET = 'amzn1.oa2-cs.v1.canary+5e4d/3c2b="1a'
REFRESH = "Atzr|canary-refresh|0f1e2d3c"


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    masking.reset()
    yield
    masking.reset()


def test_every_form_of_a_secret_is_masked() -> None:
    masking.register(SECRET)
    forms = {
        "plain": SECRET,
        "URL-encoded": quote(SECRET, safe=""),
        "URL-encoded, a path": quote(SECRET),
        "form-encoded": quote_plus(SECRET),
        "lower-case hex": quote_plus(SECRET).replace("%2B", "%2b").replace("%2F", "%2f"),
        "JSON-escaped": json.dumps(SECRET)[1:-1],
        "JSON-escaped, slashes too": json.dumps(SECRET)[1:-1].replace("/", "\\/"),
        "JSON in JSON": json.dumps(json.dumps(SECRET)[1:-1])[1:-1],
        "HTML-escaped": html.escape(SECRET),
        "base64": base64.b64encode(SECRET.encode()).decode(),
    }
    for name, form in forms.items():
        assert masking.mask(f"before {form} after") == "before [masked] after", name
        assert masking.mask_bytes(f"<{form}>".encode()) == b"<[masked]>", name
        assert masking.holds_secret(f"x{form.upper()}x"), name  # whatever its letter case


def test_short_values_are_never_registered() -> None:
    for value in ("", "a", "admin", "1234567"):
        masking.register(value)
    assert masking.mask("a admin 1234567") == "a admin 1234567"
    masking.register("12345678")
    assert masking.mask("x 12345678 y") == "x [masked] y"


def test_a_longer_secret_holding_a_shorter_one_is_masked_whole() -> None:
    masking.register("canary-secret")
    masking.register("canary-secret-rotated")
    assert masking.mask("old canary-secret, new canary-secret-rotated") == "old [masked], new [masked]"


def test_url_userinfo_is_removed_from_any_url_and_its_password_masked_anywhere() -> None:
    masking.register_url("https://proxy:p%40ss-word-99@proxy.example:8080/auth/o2/token")
    assert masking.mask("at https://proxy:p%40ss-word-99@proxy.example:8080/x") == "at https://proxy.example:8080/x"
    assert masking.mask("said p@ss-word-99 and p%40ss-word-99") == "said [masked] and [masked]"
    basic = base64.b64encode(b"proxy:p@ss-word-99").decode()
    assert masking.mask(f"Authorization: Basic {basic}") == "Authorization: Basic [masked]"
    # a URL no one registered loses its userinfo as well
    assert masking.mask('{"api": "http://u:never-told@127.0.0.1:1"}') == '{"api": "http://127.0.0.1:1"}'
    assert masking.mask_bytes(b'"http://u:never-told@h/x"') == b'"http://h/x"'
    assert masking.mask("mail ops@acme.example, http://host/?to=a@b") == "mail ops@acme.example, http://host/?to=a@b"


def test_the_values_in_force_are_registered_where_they_are_read() -> None:
    Settings.from_env(
        {
            "LWA_CLIENT_ID": "amzn1.application-oa2-client.x",
            "LWA_CLIENT_SECRET": "env-secret-0001",
            "LWA_REFRESH_TOKEN": "Atzr|env-refresh-0001",
            "LWA_NEW_CLIENT_SECRET": "env-new-secret-0001",
            "ONBOARD_LWA_URL": "http://u:url-password-0001@127.0.0.1:9/auth/o2/token",
        }
    )
    stored = Credentials("amzn1.application-oa2-client.x", SecretStr(SECRET), SecretStr(REFRESH), "file", date.today())
    demo = Credentials("amzn1.application-oa2-client.x", SecretStr("published-demo"), SecretStr("Atzr|demo"), "demo")
    text = "env-secret-0001 Atzr|env-refresh-0001 env-new-secret-0001 url-password-0001"
    assert masking.mask(f"{text} {SECRET} {REFRESH}") == " ".join(["[masked]"] * 6)
    assert masking.mask("published-demo") == "published-demo"  # the demo set is published, not secret
    assert stored.source == "file" and demo.source == "demo"
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"ONBOARD_SPAPI_URL": "ftp://u:ftp-password-0001@h"})
    assert "ftp-password-0001" not in refused.value.one_line()


def test_an_error_one_line_is_masked_and_safe() -> None:
    masking.register(SECRET)
    error = ConfigError(f"the server said: {quote_plus(SECRET)}\x1b[2J\nnext", "fix it")
    assert error.one_line() == "the server said: [masked]\\x1b[2J next — fix it"


def test_log_records_are_masked_whichever_handler_gets_them(caplog: pytest.LogCaptureFixture) -> None:
    masking.install()
    masking.register(SECRET)
    logger = logging.getLogger("onboard.test")
    with caplog.at_level(logging.INFO):
        logger.info("token refused for %s at %s", SECRET, "http://u:pw-0000001@127.0.0.1/x")
        logger.info("nothing secret: %d %s", 3, "here")
    said, plain = caplog.records
    assert said.getMessage() == "token refused for [masked] at http://127.0.0.1/x" and SECRET not in repr(said.args)
    assert plain.args == (3, "here")  # left as it was made: some formatters read the arguments


def test_a_masked_json_file_stays_json() -> None:
    masking.register(SECRET)
    body = json.dumps({"echo": f"client_secret={quote_plus(SECRET)}", "raw": SECRET, "api": "http://a:b@h"})
    assert json.loads(masking.mask_bytes(body.encode())) == {
        "echo": "client_secret=[masked]",
        "raw": "[masked]",
        "api": "http://h",
    }


def test_a_secret_echoed_in_another_letter_case_is_masked() -> None:
    masking.register(SECRET)
    for echoed in (SECRET.upper(), SECRET.lower(), quote(SECRET, safe="").lower()):
        assert masking.MASK in masking.mask(f"echo: {echoed}"), echoed
        assert masking.MASK.encode() in masking.mask_bytes(f"echo: {echoed}".encode()), echoed


@pytest.mark.parametrize("offset", [0, 1, 2, 3, 4, 5])
def test_a_secret_inside_a_longer_base64_text_is_masked_at_any_offset(offset: int) -> None:
    # a proxy that base64-encodes the whole request it echoes: the secret starts anywhere in a group of three
    masking.register(SECRET)
    body = b"x" * offset + b"client_secret=" + SECRET.encode() + b"&grant_type=refresh_token"
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        echoed = encode(body).decode()
        masked = masking.mask(echoed)
        assert masking.MASK in masked, (offset, echoed)
        # what is left around the mask holds at most a couple of the secret's bytes at each end
        head, _, tail = masked.partition(masking.MASK)
        assert len(echoed) - len(head) - len(tail) >= len(SECRET) * 4 // 3 - 8, (offset, masked)


def test_tokens_and_client_secrets_are_masked_by_their_shape_known_or_not() -> None:
    # a later process (--cleanup) never learnt the token a server put into a shipment id
    for text in (
        "could not cancel Atza|IwEBIGq1xH0-abcdefghij_1234567890-amzn1.ship.x",
        "refresh Atzr%7CIwEBIA1234567890abcdefgh in a URL",
        "old secret amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef echoed",
    ):
        masked = masking.mask(text)
        assert masking.MASK in masked and "IwEB" not in masked and "0123456789abcdef0123" not in masked, masked
        assert masking.MASK.encode() in masking.mask_bytes(text.encode())
    assert masking.mask("the Atzr| prefix alone, and amzn1.application-oa2-client.abc") == (
        "the Atzr| prefix alone, and amzn1.application-oa2-client.abc"
    )


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(["x", " ", "%2f", "\\", "\u00e9", "\n"]), st.integers(0, 30)), max_size=40
    ),
    shout=st.booleans(),
)
def test_the_quick_search_masks_exactly_what_the_alternation_masks(pieces: list[str | int], shout: bool) -> None:
    """The substring search per form (the fast way) against the one regular expression of every form (the
    reference): the same text out, whatever is around the forms and however they overlap."""
    masking.reset()
    for value in (SECRET, REFRESH, "Atza|canary-access|99887766554433", "user:p%2Fss@word"):
        masking.register(value)
    forms = sorted(masking._folded)
    text = "".join(forms[piece % len(forms)] if isinstance(piece, int) else piece for piece in pieces)
    text = text.upper() if shout else text
    assert masking._pattern is not None
    expected = masking._pattern.sub(masking.MASK, text)
    quick = masking._lowered
    assert quick is not None
    if text.isascii():
        assert masking._masked(text, text.lower(), quick, masking.MASK) == expected
    data = text.encode()
    assert masking._pattern_bytes is not None
    assert masking._lowered_bytes is not None
    expected_bytes = masking._pattern_bytes.sub(masking.MASK.encode(), data)
    assert masking._masked(data, data.lower(), masking._lowered_bytes, masking.MASK.encode()) == expected_bytes
