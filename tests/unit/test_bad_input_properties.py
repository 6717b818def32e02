"""Whatever comes in (typed evidence, request bodies, Amazon's answers, label bytes), the answer is a clear
one-line error or a result, never a traceback."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from onboard.checklist.load import checklist
from onboard.checklist.record import check_value
from onboard.credentials.model import Credentials
from onboard.emulator.gateway import describe_validation
from onboard.errors import OnboardError
from onboard.labels.check import check_label
from onboard.models import requests as rq
from onboard.models.errors import parse_error_body
from onboard.spapi.client import ShippingClient
from onboard.spapi.endpoints import Endpoints
from onboard.spapi.errors import SpApiError
from onboard.spapi.retry import RetryPolicy
from onboard.workspace.workspace import Workspace
from tests.workspaces import new_state, new_workspace

CHECKLIST = checklist()
FIELDS = [(step, field.key) for step in CHECKLIST.steps for field in step.evidence]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_line(error: OnboardError) -> None:
    text = error.one_line()
    assert text and "\n" not in text and "Traceback" not in text


@QUICK
@given(index=st.integers(min_value=0, max_value=len(FIELDS) - 1), value=st.text(max_size=80))
def test_any_typed_evidence_is_accepted_or_refused_in_one_line(index: int, value: str) -> None:
    step, key = FIELDS[index]
    try:
        check_value(CHECKLIST, step, key, value)
    except OnboardError as error:
        one_line(error)


@QUICK
@given(body=JSON)
def test_any_rates_body_is_a_request_or_a_validation_error_naming_fields(body: Any) -> None:
    try:
        rq.GetRatesRequest.model_validate_json(json.dumps(body))
    except ValidationError as error:
        details = describe_validation(error)
        assert details and "\n" not in details


@QUICK
@given(raw=st.binary(max_size=300), status=st.integers(min_value=400, max_value=599))
def test_any_error_body_reads_as_a_code_and_a_message(raw: bytes, status: int) -> None:
    error = parse_error_body(raw, status).first()
    assert error is not None and error.code and isinstance(error.message, str)


def _client(status: int, body: bytes) -> ShippingClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        return httpx.Response(status, content=body)

    credentials = Credentials("amzn1.application-oa2-client.x", SecretStr("s"), SecretStr("Atzr|r"), "demo")
    endpoints = Endpoints("http://lwa.test/auth/o2/token", "http://api.test", "sandbox", "na", custom=True)
    policy = RetryPolicy(max_attempts=2, base_delay=0, max_delay=0)
    return ShippingClient(
        endpoints, credentials, "AmazonShipping_US", policy=policy, transport=httpx.MockTransport(answer)
    )


@settings(max_examples=80, deadline=None)
@given(
    status=st.sampled_from([200, 200, 200, 400, 403, 404, 429, 500, 502, 503]),
    body=st.one_of(st.binary(max_size=200), JSON.map(lambda v: json.dumps(v).encode()), st.just(b'{"payload": 7}')),
)
def test_any_answer_from_amazon_is_a_result_or_a_typed_error(status: int, body: bytes) -> None:
    async def call() -> None:
        async with _client(status, body) as client:
            await client.get_tracking("TBA1", "AMZN_US")

    try:
        asyncio.run(call())
    except SpApiError as error:
        one_line(error)


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"^XA", b"^XA^PW812^LL1218"]),
    tail=st.binary(max_size=400),
)
def test_any_label_bytes_get_a_report(prefix: bytes, tail: bytes) -> None:
    report = check_label(prefix + tail, expect_tracking="TBA1")
    assert report.status in ("passed", "failed", "placeholder", "unreadable")
    assert all("\n" not in check.detail for check in report.checks)


@pytest.mark.parametrize("size", [1_000_001, 5_000_000])
def test_a_huge_request_body_is_refused_not_read(size: int) -> None:
    from onboard.emulator.app import create_app  # noqa: PLC0415

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            token = (
                await http.post(
                    "/auth/o2/token",
                    data={
                        "grant_type": "refresh_token",
                        "client_id": "amzn1.application-oa2-client.0nb0a4dde70000000000000000000000",
                        "client_secret": "onboard-demo-client-secret",
                        "refresh_token": "Atzr|onboard-demo-refresh-token",
                    },
                )
            ).json()["access_token"]
            return await http.post(
                "/shipping/v2/shipments/rates",
                content=b" " * size,
                headers={
                    "x-amz-access-token": token,
                    "content-type": "application/json",
                    "x-amzn-shipping-business-id": "AmazonShipping_US",
                },
            )

    response = asyncio.run(post())
    assert response.status_code == 413


# --- addresses and packages: typed into workspace.json by hand, or into a request by an integrator ---

ADDRESS_FIELDS = ["name", "addressLine1", "addressLine2", "city", "stateOrRegion", "postalCode", "countryCode", "email"]
ODD_VALUES = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=2),
)


@st.composite
def edited_address(draw: st.DrawFn) -> dict[str, Any]:
    address: dict[str, Any] = dict(new_state().profile.ship_from.model_dump(exclude_none=True))
    for key in draw(st.lists(st.sampled_from(ADDRESS_FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            address.pop(key, None)
        else:
            address[key] = draw(ODD_VALUES)
    return address


@st.composite
def edited_package(draw: st.DrawFn) -> dict[str, Any]:
    package: dict[str, Any] = new_state().profile.package.model_dump(mode="json", exclude_none=True)
    paths = draw(
        st.lists(
            st.sampled_from(
                [
                    "weight.value",
                    "weight.unit",
                    "dimensions.length",
                    "dimensions.unit",
                    "dimensions.width",
                    "insuredValue.value",
                    "insuredValue.unit",
                ]
            ),
            max_size=3,
            unique=True,
        )
    )
    for path in paths:
        parent, _, leaf = path.partition(".")
        if isinstance(package.get(parent), dict):
            package[parent][leaf] = draw(ODD_VALUES)
    return package


@QUICK
@given(where=st.sampled_from(["ship_from", "ship_to", "package"]), data=st.data())
def test_a_hand_edited_address_or_package_opens_or_is_refused_in_one_line_and_the_file_is_kept(
    tmp_path_factory: pytest.TempPathFactory, where: str, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("ws")
    new_workspace(path)
    document = json.loads((path / "workspace.json").read_text())
    document["profile"][where] = data.draw(edited_package() if where == "package" else edited_address())
    written = json.dumps(document, allow_nan=True).encode()
    (path / "workspace.json").write_bytes(written)
    try:
        opened = Workspace.open(path)
    except OnboardError as error:
        one_line(error)
    else:
        opened.state.profile.sample()  # a profile that opens also makes its sample shipment
    assert (path / "workspace.json").read_bytes() == written  # opening never rewrites what it could not read


@QUICK
@given(ship_to=edited_address(), package=edited_package())
def test_any_address_and_package_in_a_rates_request_is_a_request_or_names_the_field(
    ship_to: dict[str, Any], package: dict[str, Any]
) -> None:
    body = new_state().profile.sample().rates_request("REF-1").model_dump(mode="json", exclude_none=True)
    body["shipTo"] = ship_to
    body["packages"][0].update({k: v for k, v in package.items() if k in ("weight", "dimensions", "insuredValue")})
    try:
        rq.GetRatesRequest.model_validate_json(json.dumps(body, allow_nan=True))
    except ValidationError as error:
        details = describe_validation(error)
        assert details and "\n" not in details
