"""Endpoints: whether labels bought through one are charged is read from its host, not the profile's
word; an override URL that cannot be called is refused where it is read."""

import pytest

from onboard.errors import ConfigError
from onboard.settings import Settings
from onboard.spapi.endpoints import Endpoints, amazon


@pytest.mark.parametrize(
    ("api_url", "charged"),
    [
        ("https://sellingpartnerapi-eu.amazon.com", True),
        ("https://sellingpartnerapi-na.amazon.com/", True),
        ("https://sandbox.sellingpartnerapi-fe.amazon.com", False),
        ("http://127.0.0.1:8765", False),
        ("https://proxy.example.com/sellingpartnerapi-na.amazon.com", False),
    ],
)
def test_a_production_host_is_known_by_its_name(api_url: str, charged: bool) -> None:
    # a sandbox profile pointed at a production host by ONBOARD_SPAPI_URL is still a production host
    endpoints = Endpoints("https://api.amazon.com/auth/o2/token", api_url, "sandbox", "na", custom=True)
    assert endpoints.is_production_host() is charged
    assert amazon("na", "production").is_production_host() and not amazon("na", "sandbox").is_production_host()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:99999/x", "Port out of range"),
        ("http://alice:pw-5e4d3c2b@127.0.0.1:notaport/x", "Port could not be cast"),
        ("http://127.0.0.1/\x1b[2Jx", "a space or a control character"),
        ("http://[::1/x", "Invalid IPv6 URL"),
        ("http://:8080/x", "it names no host"),
    ],
)
def test_an_override_url_that_cannot_be_called_is_one_configuration_error(url: str, why: str) -> None:
    # each once reached the HTTP client and came back as an "internal error" on the first call
    for name in ("ONBOARD_LWA_URL", "ONBOARD_SPAPI_URL"):
        with pytest.raises(ConfigError) as raised:
            Settings.from_env({name: url})
        line = raised.value.one_line()
        assert line.startswith(f"{name} is not a URL onboard can call (") and why in line, line
        assert "pw-5e4d3c2b" not in line and "\x1b" not in line
    assert Settings.from_env({"ONBOARD_SPAPI_URL": "http://127.0.0.1:8080/"}).spapi_url == "http://127.0.0.1:8080"
