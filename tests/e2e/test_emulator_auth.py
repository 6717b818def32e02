"""Login with Amazon and the gateway's 403s, as the emulator plays them over loopback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onboard.emulator.app import EmulatorSettings
from onboard.emulator.server import EmulatorServer
from tests.plain_client import Plain, error_of


def test_refresh_token_exchange(plain: Callable[..., Plain], emulator: EmulatorServer) -> None:
    response = plain(emulator.url).token_response()
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"] == "Atzr|onboard-demo-refresh-token"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "rotated-away"}, 401, "invalid_client"),
        ({"client_id": "amzn1.application-oa2-client.someoneelse"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|from-another-app"}, 400, "invalid_grant"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"refresh_token": ""}, 400, "invalid_request"),
    ],
)
def test_token_errors_are_amazons(
    plain: Callable[..., Plain], emulator: EmulatorServer, form: dict[str, str], status: int, error: str
) -> None:
    response = plain(emulator.url).token_response(**form)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_a_json_token_request_reads_as_no_grant(plain: Callable[..., Plain], emulator: EmulatorServer) -> None:
    plain = plain(emulator.url)
    response = plain.http.post("/auth/o2/token", json={"grant_type": "refresh_token"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


def test_missing_invalid_and_expired_access_tokens(plain: Callable[..., Plain], emulator: EmulatorServer) -> None:
    plain = plain(emulator.url)
    missing = plain.rates()
    assert missing.status_code == 403
    assert error_of(missing) == {
        "code": "Unauthorized",
        "message": "Access to requested resource is denied.",
        "details": "Access token is missing in the request header.",
    }
    plain.token = "Atza|forged"
    assert error_of(plain.rates())["details"] == "The access token you provided is revoked, malformed or invalid."

    plain.login()
    assert plain.rates().status_code == 200
    plain.control(advance_seconds=3600)
    expired = plain.rates()
    assert expired.status_code == 403
    assert error_of(expired)["details"] == "The access token you provided has expired."
    plain.login()
    assert plain.rates().status_code == 200


def test_token_lifetime_is_configurable(plain: Callable[..., Plain]) -> None:
    with EmulatorServer(EmulatorSettings(token_ttl=60)) as short_lived:
        plain = plain(short_lived.url)
        assert plain.token_response().json()["expires_in"] == 60
        plain.login()
        plain.control(advance_seconds=61)
        assert error_of(plain.rates())["details"] == "The access token you provided has expired."


def test_an_app_without_the_role_gets_403_with_empty_details(
    plain: Callable[..., Plain], emulator: EmulatorServer
) -> None:
    plain = plain(emulator.url).login()
    plain.control(has_role=False)
    denied = plain.rates()
    assert denied.status_code == 403
    assert error_of(denied) == {
        "code": "Unauthorized",
        "message": "Access to requested resource is denied.",
        "details": "",
    }
    # the token exchange itself still works: the role is checked on the Shipping call
    assert plain.token_response().status_code == 200
