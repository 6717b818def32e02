"""Whether labels bought through an endpoint are charged is read from its host, not the profile's word."""

import pytest

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
