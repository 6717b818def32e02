"""Rates that follow the request: weight, dimensions, distance and the business's currency.

Three services per business, priced from billed weight (the greater of actual and dimensional weight)
and a distance zone; a package over the limits, or a lane the business does not serve, gets an
``ineligibleRates`` entry with Amazon's reason code instead of a rate. Every rate offers an optional
signature group of value-added services; the declared-value service requires additional inputs (its
schema from getAdditionalInputs) and its required value-added service echoed in the purchase.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from onboard.businesses import Business
from onboard.labels.formats import NAMES
from onboard.models import requests as rq

Json = dict[str, Any]

LABEL_DPIS = [300, 203]
MAX_WEIGHT_KG = 30.0
MAX_SIDE_CM = 120.0
KG = {"GRAM": 0.001, "KILOGRAM": 1.0, "OUNCE": 0.028349523125, "POUND": 0.45359237}
_CM = {"INCH": 2.54, "CENTIMETER": 1.0}
# rough exchange rates from a USD price list; the point is plausible figures in the right currency
_FX = {"USD": 1.0, "GBP": 0.79, "EUR": 0.92, "INR": 83.0, "AED": 3.67, "SAR": 3.75, "EGP": 48.0, "JPY": 150.0}


@dataclass(frozen=True, slots=True)
class Service:
    suffix: str
    name: str
    transit_days: int
    base: float
    per_kg: float
    #: the purchase needs the inputs of ``ADDITIONAL_INPUTS_SCHEMA`` and the declared-value cover
    declared_value: bool = False


SERVICES = (
    Service("STD", "Amazon Shipping Ground", 3, 4.10, 0.95),
    Service("PREM", "Amazon Shipping One Day", 1, 6.40, 1.60),
    Service("DV", "Amazon Shipping Declared Value", 2, 5.20, 1.20, declared_value=True),
)

#: what getAdditionalInputs answers for a declared-value rate: a draft-04 JSON schema, as in Amazon's model
ADDITIONAL_INPUTS_SCHEMA: Json = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Additional inputs for Shipping Offering",
    "type": "object",
    "required": ["declaredValue", "contentsDescription"],
    "properties": {
        "declaredValue": {
            "type": "object",
            "description": "The value of the package's contents, in the business's currency.",
            "required": ["value", "unit"],
            "properties": {
                "value": {"type": "number", "minimum": 0.01},
                "unit": {"type": "string", "minLength": 3, "maxLength": 3},
            },
        },
        "contentsDescription": {
            "type": "string",
            "description": "What the package holds, as a customs officer or a claims handler would read it.",
            "minLength": 1,
            "maxLength": 100,
        },
        "harmonizedSystemCode": {
            "type": "string",
            "description": "Harmonized System's commodity code for an item.",
            "pattern": "^[0-9]{6,10}$",
        },
    },
}
SIGNATURE_SERVICES = (
    ("SIGNATURE_CONFIRMATION", "Signature on delivery", 1.50),
    ("ADULT_SIGNATURE", "Adult signature", 3.25),
)
DECLARED_VALUE_SERVICE = ("DECLARED_VALUE_COVER", "Cover up to the declared value", 2.10)


def carrier_id(business: Business) -> str:
    return f"AMZN_{business.id.removeprefix('AmazonShipping_')}"


def service_id(business: Business, service: Service) -> str:
    return f"SWA-{business.id.removeprefix('AmazonShipping_')}-{service.suffix}"


def billed_weight_kg(package: rq.Package) -> float:
    actual = package.weight.value * KG[package.weight.unit]
    cm = _CM[package.dimensions.unit]
    volume = package.dimensions.length * package.dimensions.width * package.dimensions.height * cm**3
    return max(actual, volume / 5000.0)


def longest_side_cm(package: rq.Package) -> float:
    d = package.dimensions
    return max(d.length, d.width, d.height) * _CM[d.unit]


def _zone(ship_from: rq.Address, ship_to: rq.Address) -> float:
    if ship_from.stateOrRegion.strip().lower() == ship_to.stateOrRegion.strip().lower():
        return 1.0
    if ship_from.postalCode[:1].upper() == ship_to.postalCode[:1].upper():
        return 1.15
    return 1.3


def _business_days_after(start: datetime, days: int) -> datetime:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _pickup_day(ship: datetime) -> datetime:
    # same-day pickup when booked before 14:00 on a weekday, otherwise the next business day
    if ship.weekday() < 5 and ship.time() < time(14):
        return ship
    return _business_days_after(ship, 1)


def _stamp(day: datetime, at: time) -> str:
    return datetime.combine(day.date(), at).strftime("%Y-%m-%dT%H:%M:%SZ")


def promise_for(ship: datetime, transit_days: int) -> Json:
    pickup = _pickup_day(ship)
    delivery = _business_days_after(pickup, transit_days)
    return {
        "pickupWindow": {"start": _stamp(pickup, time(9)), "end": _stamp(pickup, time(17))},
        "deliveryWindow": {"start": _stamp(delivery, time(8)), "end": _stamp(delivery, time(21))},
    }


# Every rate offers the same label stock: 4x6 inches, in every format onboard knows, at 203 or 300 dpi.
DOCUMENT_SPECIFICATIONS: list[Json] = [
    {
        "format": fmt,
        "size": {"width": 4, "length": 6, "unit": "INCH"},
        "printOptions": [
            {
                "supportedDPIs": LABEL_DPIS,
                "supportedPageLayouts": ["DEFAULT"],
                "supportedFileJoiningOptions": [False],
                "supportedDocumentDetails": [{"name": "LABEL", "isMandatory": True}],
            }
        ],
    }
    for fmt in NAMES
]


def _money(business: Business, usd: float) -> Json:
    digits = 0 if business.currency == "JPY" else 2
    return {"value": round(usd * _FX.get(business.currency, 1.0), digits), "unit": business.currency}


def _service_groups(business: Business, service: Service) -> list[Json]:
    groups = [
        {
            "groupId": "SIGNATURE",
            "groupDescription": "Signature on delivery",
            "isRequired": False,
            "valueAddedServices": [
                {"id": vas, "name": name, "cost": _money(business, usd)} for vas, name, usd in SIGNATURE_SERVICES
            ],
        }
    ]
    if service.declared_value:
        vas, name, usd = DECLARED_VALUE_SERVICE
        groups.append(
            {
                "groupId": "DECLARED_VALUE",
                "groupDescription": "Declared value cover",
                "isRequired": True,
                "valueAddedServices": [{"id": vas, "name": name, "cost": _money(business, usd)}],
            }
        )
    return groups


def _ineligible(business: Business, service: Service, code: str, message: str) -> Json:
    return {
        "serviceId": service_id(business, service),
        "serviceName": service.name,
        "carrierId": carrier_id(business),
        "carrierName": "Amazon Shipping",
        "ineligibilityReasons": [{"code": code, "message": message}],
    }


def quote(
    request: rq.GetRatesRequest | rq.OneClickShipmentRequest, business: Business, ship: datetime
) -> tuple[list[Json], list[Json]]:
    """The rates Amazon would offer for this request, and the services it would not, as JSON-ready
    ``Rate`` and ``IneligibleRate`` objects.

    Plain dicts, not models: this is the emulator's hot path (over 1,000 calls a second), its figures
    need no validation, and every body it sends is held to Amazon's schemas by the conformance tests.
    """
    package = request.packages[0]
    ship_to = request.shipTo or request.shipFrom
    reason: tuple[str, str] | None = None
    if request.shipFrom.countryCode != business.country_code:
        reason = (
            "NO_COVERAGE",
            f"{business.id} does not ship from {request.shipFrom.countryCode}; "
            "check the x-amzn-shipping-business-id header",
        )
    elif ship_to.countryCode != business.country_code:
        reason = ("NO_COVERAGE", f"{business.id} ships domestically only, not to {ship_to.countryCode}")
    elif package.weight.value * KG[package.weight.unit] > MAX_WEIGHT_KG:
        reason = ("WEIGHT_RESTRICTIONS", f"the package weighs more than {MAX_WEIGHT_KG:g} kg")
    elif longest_side_cm(package) > MAX_SIDE_CM:
        reason = ("SIZE_RESTRICTIONS", f"the longest side is over {MAX_SIDE_CM:g} cm")
    if reason:
        return [], [_ineligible(business, s, *reason) for s in SERVICES]

    kg = billed_weight_kg(package)
    billed = {"unit": business.weight_unit, "value": math.ceil(kg / KG[business.weight_unit] * 10) / 10}
    zone = _zone(request.shipFrom, ship_to)
    fx = _FX.get(business.currency, 1.0)
    rates = []
    for service in SERVICES:
        base = _money(business, (service.base + service.per_kg * kg) * zone)
        fuel = _money(business, base["value"] / fx * 0.08)
        rates.append(
            {
                "rateId": uuid.uuid4().hex.upper(),
                "carrierId": carrier_id(business),
                "carrierName": "Amazon Shipping",
                "serviceId": service_id(business, service),
                "serviceName": service.name,
                "billedWeight": billed,
                "totalCharge": {"value": round(base["value"] + fuel["value"], 2), "unit": business.currency},
                "promise": promise_for(ship, service.transit_days),
                "supportedDocumentSpecifications": DOCUMENT_SPECIFICATIONS,
                "availableValueAddedServiceGroups": _service_groups(business, service),
                "requiresAdditionalInputs": service.declared_value,
                "rateItemList": [
                    {"rateItemID": "BASE_RATE", "rateItemType": "MANDATORY", "rateItemCharge": base},
                    {"rateItemID": "FUEL_SURCHARGE", "rateItemType": "MANDATORY", "rateItemCharge": fuel},
                ],
                "paymentType": "PAY_THROUGH_AMAZON",
                "benefits": {"includedBenefits": [], "excludedBenefits": []},
            }
        )
    return rates, []
