"""``creds verify``: live checks of the credentials, each naming the cause and the fix when it fails.

In order: the credentials as typed; the token exchange (Login with Amazon); a harmless getRates with
the workspace's sample shipment (the token is accepted, the app has the Amazon Logistics role); the
region and host; the business id against the ship-from country; the client secret's age against the
180-day rotation. A check that cannot run because an earlier one failed says so and fails too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from onboard.businesses import BUSINESSES
from onboard.credentials.model import GRACE_DAYS, WARN_DAYS, problems
from onboard.environments import Connection
from onboard.redact import redact
from onboard.spapi.auth import EXPIRED_DETAILS
from onboard.spapi.client import ShippingClient
from onboard.spapi.errors import ApiResponseError, ConnectionFailure, SpApiError, TokenExchangeError, UnusableToken
from onboard.spapi.retry import RetryPolicy
from onboard.workspace.state import Profile

#: a person is waiting for the verdict: a few quick attempts ride out a blip or a throttle, and a server
#: that refuses connections is reported in about a second rather than after the certification budget
VERIFY_POLICY = RetryPolicy(max_attempts=4, total_seconds=10.0)
#: and whatever the server does (502 for ever, an answer a byte a second, silence), every call of the
#: checks together ends within this: Amazon answers both in well under a second
VERIFY_SECONDS = 3.5
#: unattended (``revalidate``), nobody waits on the verdict, and a false "no answer" pages someone: twenty
#: shippers verifying at once in one process on two cores took longer than 3.5 s between them
UNATTENDED_VERIFY_SECONDS = 15.0

ROTATE = "Developer Central → your app → LWA credentials → View"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""

    def to_json(self) -> dict[str, str | bool]:
        return asdict(self)


_TOKEN_HINTS = {
    "invalid_client": (
        "the client secret is wrong or has expired: Amazon forces a rotation every 180 days and the old "
        f"secret works only 7 days after. Copy the current secret ({ROTATE}), rotate it there if it has "
        "expired, then run 'onboard creds set'"
    ),
    "invalid_grant": (
        "the refresh token was revoked, or belongs to another app or another region (one per region): "
        "self-authorize the app again (Developer Central → Authorize → Generate refresh token) for this "
        "region, then run 'onboard creds set'"
    ),
    "unauthorized_client": "the app may not use this grant: check its registration in Developer Central",
    "unsupported_grant_type": (
        "the token URL did not read a form-encoded refresh-token grant: check that ONBOARD_LWA_URL is an "
        "LWA /auth/o2/token endpoint"
    ),
    "invalid_request": "the token URL found a field missing: check that ONBOARD_LWA_URL is an LWA endpoint",
}
#: a 200 without a token onboard can use: not Login with Amazon, or something between rewrites it
_UNUSABLE = (
    "Login with Amazon answers a token with expires_in 3600: ONBOARD_LWA_URL may point at something else "
    "(a proxy, a test double), or something between rewrites its answers"
)


def _connection_hint(failure: ConnectionFailure, variable: str, seconds: float) -> str:
    if failure.kind == "DNS lookup failed":
        return f"check the host name (and {variable} if set), your DNS and any proxy"
    if failure.kind == "TLS handshake failed":
        return "a proxy may be intercepting TLS, or the host is not the one intended"
    if failure.kind == "timeout":
        return (
            f"nothing came back whole within the {seconds:g} s a verify waits: the server holds the "
            "connection without answering, or answers too slowly, or a firewall drops the traffic; check "
            f"{variable} and outbound HTTPS to Amazon"
        )
    if failure.kind == "connection lost":
        return (
            f"the server closed the connection before its answer was whole: it, or a proxy on the way, is "
            f"failing; try again, and check {variable}"
        )
    return f"nothing answers there: is the server running, and is {variable} right?"


def _token_status_hint(status: int) -> str:
    if status >= 500:
        return f"Login with Amazon failed on its side ({status}, through every retry): try again in a few minutes"
    if status == 429:
        return "Login with Amazon is throttling the exchanges: wait a minute and try again"
    return (
        f"Login with Amazon does not answer a refresh-token grant with {status}: check that ONBOARD_LWA_URL is "
        "an LWA /auth/o2/token endpoint"
    )


def _token_check(error: SpApiError, seconds: float) -> Check:
    if isinstance(error, UnusableToken):
        return Check("token exchange", False, error.message, _UNUSABLE)
    if isinstance(error, TokenExchangeError):
        hint = _TOKEN_HINTS.get(error.error, _token_status_hint(error.status))
        detail = f"Login with Amazon answered {error.error} ({error.status}): {error.description}".rstrip(": ")
        return Check("token exchange", False, detail, hint)
    if isinstance(error, ConnectionFailure):
        return Check("token exchange", False, error.message, _connection_hint(error, "ONBOARD_LWA_URL", seconds))
    return Check("token exchange", False, error.message, error.hint)


def _role_check(error: SpApiError, profile: Profile, seconds: float) -> Check:
    name = "role and authorization"
    if isinstance(error, ConnectionFailure):
        return Check(name, False, error.message, _connection_hint(error, "ONBOARD_SPAPI_URL", seconds))
    if not isinstance(error, ApiResponseError):
        # a redirect not followed, an answer too big or unreadable: each says its own cause and fix
        return Check(name, False, error.message, error.hint)
    detail = f"getRates answered {error.status} {error.code}" + (f": {error.details}" if error.details else "")
    if error.request_id:
        detail += f" (x-amzn-RequestId {error.request_id})"
    if error.status == 403 and error.code == "MissingAuthenticationToken":
        hint = "no such path on this host: ONBOARD_SPAPI_URL must be the API base URL, not the token URL"
    elif error.status == 403 and not (error.details or "").strip():
        hint = (
            "the app lacks the Amazon Logistics role, or was not re-authorized after the role was added: in "
            "Developer Central edit the app, tick Amazon Logistics under Roles and save; then self-authorize "
            "again and store the new refresh token with 'onboard creds set'"
        )
    elif error.status == 403 and error.details == EXPIRED_DETAILS:
        hint = "the token expired even after a refresh: check this machine's clock"
    elif error.status == 403:
        hint = (
            f"the {profile.region} host refused the access token: a refresh token from another region gives "
            "a token only its own region accepts. Use this region's refresh token, or fix --region"
        )
    elif error.status == 400:
        hint = "the sample shipment was refused: correct it in the workspace's workspace.json"
    elif error.status == 429:
        hint = "Amazon is throttling this app: wait a minute and try again"
    elif error.status >= 500:
        hint = f"the API failed on its side ({error.status}, through every retry): try again in a few minutes"
    else:
        hint = (
            f"Amazon Shipping does not answer getRates with {error.status}: check that ONBOARD_SPAPI_URL is the "
            "API's base URL"
        )
    return Check(name, False, detail, hint)


def _region_check(profile: Profile, connection: Connection) -> Check:
    business = BUSINESSES[profile.business_id]
    endpoints = connection.endpoints
    if profile.region != business.region:
        return Check(
            "region and host",
            False,
            f"{business.id} is served from region {business.region}, the workspace uses {profile.region}",
            f"onboard init --region {business.region}",
        )
    host_region = endpoints.api_region()
    if host_region is not None and host_region != profile.region:
        return Check(
            "region and host",
            False,
            f"the API host {endpoints.api_url} is in region {host_region}, the workspace in {profile.region}",
            "point ONBOARD_SPAPI_URL at this region's host, or unset it",
        )
    return Check("region and host", True, f"region {profile.region}; {endpoints.describe()}")


def _business_check(profile: Profile, no_coverage: str | None) -> Check:
    business = BUSINESSES[profile.business_id]
    country = profile.ship_from.countryCode
    if country != business.country_code:
        return Check(
            "business id",
            False,
            f"{business.id} serves {business.country_code}, the sample ships from {country}",
            "choose your shipping country's business id with 'onboard init --business-id …'",
        )
    if no_coverage:
        return Check("business id", False, f"getRates offered no rate: {no_coverage}", "check the business id")
    return Check("business id", True, f"{business.id}, sent as x-amzn-shipping-business-id on every call")


def _age_check(connection: Connection, today: date) -> Check:
    credentials = connection.credentials
    if credentials.source in ("environment", "demo"):
        return Check("secret age", True, f"not recorded ({credentials.source} credentials)")
    days_left = credentials.days_left(today)
    deadline = credentials.rotation_deadline()
    if days_left is None or deadline is None:
        return Check("secret age", True, "not recorded", "record it with 'onboard creds set --secret-created DATE'")
    if days_left < -GRACE_DAYS:
        return Check("secret age", False, f"the 180-day rotation was due {deadline}", f"rotate the secret ({ROTATE})")
    if days_left < 0:
        return Check(
            "secret age",
            False,
            f"the 180-day rotation was due {deadline}; the secret may stop working any day",
            f"rotate the secret now ({ROTATE}) and run 'onboard creds set'",
        )
    if days_left <= WARN_DAYS:
        return Check("secret age", True, f"rotate by {deadline} ({days_left} days left)", f"rotate it soon ({ROTATE})")
    return Check("secret age", True, f"rotate by {deadline} ({days_left} days left)")


async def verify(
    profile: Profile,
    connection: Connection,
    today: date,
    store_name: str,
    policy: RetryPolicy | None = None,
    seconds: float = VERIFY_SECONDS,
) -> list[Check]:
    """The live checks; all their calls together end within ``seconds``."""
    credentials = connection.credentials
    found = problems(
        credentials.client_id,
        credentials.client_secret.get_secret_value(),
        credentials.refresh_token.get_secret_value(),
    )
    where = store_name if credentials.source in ("keyring", "file") else credentials.source
    checks = [Check("credentials", not found, f"{where}: client id {redact(credentials.client_id)}", "; ".join(found))]
    no_coverage = None
    async with ShippingClient(
        connection.endpoints,
        credentials,
        profile.business_id,
        policy=policy or VERIFY_POLICY,
        total_seconds=seconds,
    ) as client:
        try:
            await client.tokens.get()
        except SpApiError as error:
            checks.append(_token_check(error, seconds))
            checks.append(Check("role and authorization", False, "not run: it needs a working token exchange"))
        else:
            checks.append(Check("token exchange", True, f"an access token from {connection.endpoints.lwa_url}"))
            try:
                result = await client.get_rates(profile.sample().rates_request("onboard-verify"))
            except SpApiError as error:
                checks.append(_role_check(error, profile, seconds))
            else:
                request_id = client.calls[-1].request_id
                checks.append(
                    Check(
                        "role and authorization",
                        True,
                        f"getRates answered {len(result.rates)} rate(s) (x-amzn-RequestId {request_id})",
                    )
                )
                if not result.rates and result.ineligibleRates:
                    no_coverage = result.ineligibleRates[0].ineligibilityReasons[0].message
    checks.append(_region_check(profile, connection))
    checks.append(_business_check(profile, no_coverage))
    checks.append(_age_check(connection, today))
    return checks
