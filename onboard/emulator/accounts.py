"""Carrier accounts: the carriers a seller may link, linked and unlinked per seller (app, refresh token
and business), as getCarrierAccountFormInputs, getCarrierAccounts, linkCarrierAccount (PUT and POST)
and unlinkCarrierAccount describe them. These answers carry no ``payload`` wrapper, as in Amazon's model.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from starlette.responses import Response

from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import invalid, invalid_input, json_response, not_found
from onboard.emulator.state import LinkedAccount
from onboard.models import requests as rq


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    group: str
    pattern: str
    error: str
    mandatory: bool = True
    confidential: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "descriptionLocalizationKey": f"carrier.account.{self.name}",
            "name": self.name,
            "groupName": self.group,
            "inputType": "PASSWORD" if self.confidential else "TEXTBOX",
            "isMandatory": self.mandatory,
            "isConfidential": self.confidential,
            "isHidden": False,
            "validationMetadata": [{"errorMessage": self.error, "validationStrategy": "REGEX", "value": self.pattern}],
        }


_POSTAL = Input("accountPostalCode", "address", r"^[A-Za-z0-9 -]{3,10}$", "Enter the account's postal code")
#: the carriers a seller can bring its own account of, by ship-from country: (carrierId, account type, inputs)
LINKABLE: dict[str, tuple[tuple[str, str, tuple[Input, ...]], ...]] = {
    "US": (
        (
            "UPS",
            "SHIPPER_ACCOUNT_WITH_INVOICE",
            (
                Input("accountNumber", "account", r"^[A-Z0-9]{6}$", "A UPS account number is 6 letters or digits"),
                _POSTAL,
                Input("invoiceNumber", "invoice", r"^[A-Z0-9]{9,13}$", "The number of one of your last 3 invoices"),
            ),
        ),
        (
            "FEDEX",
            "SHIPPER_ACCOUNT",
            (
                Input("accountNumber", "account", r"^[0-9]{9}$", "A FedEx account number is 9 digits"),
                Input(
                    "apiKey", "account", r"^\S{16,64}$", "The key of your FedEx developer project", confidential=True
                ),
            ),
        ),
    ),
    "GB": (
        (
            "ROYAL_MAIL",
            "SHIPPER_ACCOUNT",
            (Input("accountNumber", "account", r"^[0-9]{10}$", "A Royal Mail account number is 10 digits"), _POSTAL),
        ),
        (
            "DPD_UK",
            "SHIPPER_ACCOUNT",
            (Input("accountNumber", "account", r"^[0-9]{7}$", "A DPD account number is 7 digits"),),
        ),
    ),
}
_ELSEWHERE = (
    (
        "DHL_EXPRESS",
        "SHIPPER_ACCOUNT",
        (Input("accountNumber", "account", r"^[0-9]{9}$", "A DHL Express account number is 9 digits"), _POSTAL),
    ),
)


def linkable(country_code: str) -> tuple[tuple[str, str, tuple[Input, ...]], ...]:
    return LINKABLE.get(country_code, _ELSEWHERE)


def seller(call: Call) -> str:
    return f"{call.partner}|{call.business.id}"


def linked(call: Call) -> dict[str, LinkedAccount]:
    """The seller's accounts, to read: a change goes through the store, which journals it."""
    return call.emulator.store.carrier_accounts.get(seller(call), {})


@operation("getCarrierAccountFormInputs")
async def get_carrier_account_form_inputs(call: Call) -> Response:
    carriers = [
        {
            "carrierId": carrier_id,
            "linkableAccountTypes": [
                {"accountType": account_type, "carrierAccountInputs": [i.to_json() for i in inputs]}
            ],
        }
        for carrier_id, account_type, inputs in linkable(call.business.country_code)
    ]
    return json_response({"linkableCarriersList": carriers}, headers=call.headers)


@operation("getCarrierAccounts")
async def get_carrier_accounts(call: Call) -> Response:
    await call.body(rq.GetCarrierAccountsRequest)
    accounts = [{"accountId": a.account_id, "carrierId": a.carrier_id} for a in linked(call).values()]
    return json_response({"activeAccounts": accounts}, headers=call.headers)


@operation("linkCarrierAccount", mutating=True)
async def link_carrier_account(call: Call) -> Response:
    carrier_id = call.request.path_params["carrier_id"]
    request, _ = await call.body(rq.LinkCarrierAccountRequest)
    offered = {c[0]: c for c in linkable(call.business.country_code)}
    carrier = offered.get(carrier_id)
    if carrier is None:
        raise invalid_input(
            f"carrierId {carrier_id} cannot be linked for {call.business.id}; linkable carriers: {sorted(offered)}"
        )
    _, account_type, expected = carrier
    if request.carrierAccountType != account_type:
        raise invalid_input(
            f"carrierAccountType {request.carrierAccountType} is not offered by {carrier_id}; offered: [{account_type}]"
        )
    given: dict[str, str] = {}
    attributes = [*request.carrierAccountAttributes, *(request.encryptedCarrierAccountAttributes or [])]
    names = {i.name: i for i in expected}
    for index, attribute in enumerate(attributes):
        if not attribute.attributeName:
            raise invalid(f"carrierAccountAttributes[{index}].attributeName cannot be null")
        if attribute.attributeName not in names:
            raise invalid_input(
                f"carrierAccountAttributes: {attribute.attributeName} is not an input of {carrier_id} "
                f"(inputs: {sorted(names)})"
            )
        given[attribute.attributeName] = attribute.value or ""
    for field in expected:
        value = given.get(field.name)
        if value is None:
            if field.mandatory:
                raise invalid_input(f"carrierAccountAttributes: {field.name} is required by {carrier_id}")
            continue
        if not re.match(field.pattern, value):
            raise invalid_input(f"carrierAccountAttributes: {field.name}: {field.error}")
    accounts = linked(call)
    number = given.get("accountNumber", "")
    current = accounts.get(carrier_id)
    if current is not None and current.number != number:
        raise invalid_input(
            f"{carrier_id} already has an active account for this seller ({current.account_id}): unlink it first"
        )
    if current is None:
        current = LinkedAccount(
            account_id=f"amzn1.carrieraccount.{uuid.uuid4().hex[:20]}",
            carrier_id=carrier_id,
            account_type=account_type,
            number=number,
        )
        call.emulator.store.link_account(seller(call), current)
    return json_response({"registrationStatus": "ACTIVE", "accountId": current.account_id}, headers=call.headers)


@operation("unlinkCarrierAccount", mutating=True)
async def unlink_carrier_account(call: Call) -> Response:
    carrier_id = call.request.path_params["carrier_id"]
    request, _ = await call.body(rq.UnlinkCarrierAccountRequest)
    if not request.accountId:
        raise invalid("AccountId cannot be null")
    accounts = linked(call)
    current = accounts.get(carrier_id)
    if current is None or current.account_id != request.accountId:
        raise not_found(f"No account {request.accountId} linked with carrierId {carrier_id}")
    call.emulator.store.unlink_account(seller(call), carrier_id)
    return json_response({"isUnlinked": True}, headers=call.headers)


def check_rate_accounts(call: Call, accounts: list[rq.CarrierAccount] | None) -> None:
    """getRates may name the seller's own carrier accounts: each must be linked."""
    mine = linked(call) if accounts else {}
    for index, account in enumerate(accounts or []):
        found = mine.get(account.carrierId)
        if found is None or found.account_id != account.carrierAccountId:
            raise invalid_input(
                f"carrierAccounts[{index}]: account {account.carrierAccountId} is not linked with carrierId "
                f"{account.carrierId}: call linkCarrierAccount first"
            )
