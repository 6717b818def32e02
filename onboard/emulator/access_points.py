"""Access points near a postal code (getAccessPoints): counters and lockers, the same for the same code.

Which types a country has follows Amazon's network roughly (the locker families are American; ``3P``
counters are everywhere but the US); each type found gets a few points, nearest first.

An ``accessPointId`` names its kind, country, postal code and rank, with a check digest: the emulator
keeps no list of the points it has shown, yet knows any id it would list (``find``), so a rate request
that names one to deliver to (``destinationAccessPointDetails``) is checked after a restart too.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from starlette.responses import Response

from onboard.businesses import BUSINESSES
from onboard.emulator.gateway import Call, operation
from onboard.emulator.replies import invalid, invalid_input, json_response
from onboard.models import requests as rq
from onboard.samples import sample_for

TYPES = ("HELIX", "CAMPUS_LOCKER", "OMNI_LOCKER", "ODIN_LOCKER", "DOBBY_LOCKER", "CORE_LOCKER", "3P", "CAMPUS_ROOM")
_US_ONLY = {"CAMPUS_LOCKER", "OMNI_LOCKER", "ODIN_LOCKER", "DOBBY_LOCKER", "CAMPUS_ROOM"}
_TIMEZONES = {
    "US": "America/Los_Angeles",
    "GB": "Europe/London",
    "IN": "Asia/Kolkata",
    "AE": "Asia/Dubai",
    "SA": "Asia/Riyadh",
    "EG": "Africa/Cairo",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "FR": "Europe/Paris",
    "JP": "Asia/Tokyo",
}
_NAMES = {"HELIX": "Amazon Counter", "3P": "Partner Counter", "CAMPUS_ROOM": "Amazon Hub Locker+"}
_STREETS = ("High Street", "Station Road", "Market Square", "Church Lane", "Mill Road", "Park Avenue")
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
#: AP-<kind>-<country>-<postal code, compact>-<rank>-<check>, as ``points`` names them
_ID = re.compile(r"^AP-(?P<kind>[A-Z0-9_]+)-(?P<country>[A-Z]{2})-(?P<postal>[A-Z0-9]{1,12})-[0-2]-[0-9A-F]{8}$")


def _hours(opening: int, closing: int) -> dict[str, object]:
    return {
        "openingTime": {"hourOfDay": opening, "minuteOfHour": 0, "secondOfMinute": 0},
        "closingTime": {"hourOfDay": closing, "minuteOfHour": 0, "secondOfMinute": 0},
    }


def _city(country_code: str) -> tuple[str, str]:
    for business_id, business in BUSINESSES.items():
        if business.country_code == country_code:
            ship_from = sample_for(business_id).rates_request().shipFrom
            return ship_from.city, ship_from.stateOrRegion
    return country_code, country_code


def _compact(postal_code: str) -> str:
    # "EX33 2JL" and "ex332jl" are the same code, and list the same points
    return re.sub(r"[ -]", "", postal_code).upper()


def same_code(one: str, other: str) -> bool:
    return _compact(one) == _compact(other)


def points(kind: str, country_code: str, postal_code: str) -> list[dict[str, Any]]:
    if (kind in _US_ONLY and country_code != "US") or (kind == "3P" and country_code == "US"):
        return []
    city, region = _city(country_code)
    metric = country_code not in ("US", "GB")
    code = _compact(postal_code)
    found: list[dict[str, Any]] = []
    for n in range(3):
        seed = hashlib.sha256(f"{kind}|{country_code}|{code}|{n}".encode()).digest()
        street = _STREETS[seed[0] % len(_STREETS)]
        distance = 0.3 + n * 0.7 + seed[1] / 255
        name = _NAMES.get(kind, "Amazon Hub Locker") + f" - {street}"
        staffed = kind in ("HELIX", "3P", "CAMPUS_ROOM")
        found.append(
            {
                "accessPointId": f"AP-{kind}-{country_code}-{code}-{n}-{seed[2:6].hex().upper()}",
                "name": name,
                "timezone": _TIMEZONES.get(country_code, "UTC"),
                "type": kind,
                "accessibilityAttributes": {
                    "distance": f"{distance * (1.0 if metric else 0.621):.1f} {'km' if metric else 'mi'}",
                    "driveTime": 2 + n * 3 + seed[3] % 3,
                },
                "address": {
                    "name": name,
                    "addressLine1": f"{1 + seed[4] % 120} {street}",
                    "city": city,
                    "stateOrRegion": region,
                    "countryCode": country_code,
                    "postalCode": postal_code,
                },
                "assistanceType": "STAFF_ASSISTED" if staffed else "SELF_ASSISTED",
                "score": f"{1 - n * 0.2:.2f}",
                "standardOperatingHours": {
                    day: _hours(9, 18) if staffed and day != "SUNDAY" else _hours(0 if not staffed else 10, 23)
                    for day in _DAYS
                },
            }
        )
    return found


def find(access_point_id: str) -> dict[str, Any] | None:
    """The access point getAccessPoints lists under this id, or None for an id it would never list."""
    match = _ID.match(access_point_id)
    if match is None or match["kind"] not in TYPES:
        return None
    listed = points(match["kind"], match["country"], match["postal"])
    return next((point for point in listed if point["accessPointId"] == access_point_id), None)


def destination(details: rq.AccessPointDetails, ship_to: rq.Address | None) -> dict[str, Any]:
    """The access point a rate request delivers to, refused as Amazon refuses what it cannot deliver to."""
    if not details.accessPointId:
        raise invalid("destinationAccessPointDetails.accessPointId cannot be null")
    point = find(details.accessPointId)
    if point is None:
        raise invalid_input(
            f"destinationAccessPointDetails.accessPointId {details.accessPointId!r} is not a valid access point: "
            "use an accessPointId returned by getAccessPoints"
        )
    country = str(point["address"]["countryCode"])
    if ship_to is not None and ship_to.countryCode != country:
        raise invalid_input(
            f"destinationAccessPointDetails.accessPointId {details.accessPointId!r} is in {country}, "
            f"but shipTo.countryCode is {ship_to.countryCode}: the access point must be in the destination country"
        )
    return point


@operation("getAccessPoints")
async def get_access_points(call: Call) -> Response:
    query = call.request.query_params
    types_text, country_code, postal_code = (
        query.get("accessPointTypes"),
        query.get("countryCode"),
        query.get("postalCode"),
    )
    if not types_text:
        raise invalid("AccessPointTypes is missing in the request")
    if not country_code:
        raise invalid("CountryCode is missing in the request")
    if not postal_code:
        raise invalid("PostalCode is missing in the request")
    kinds = [k.strip() for k in types_text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in TYPES]
    if unknown or not kinds:
        raise invalid(f"accessPointTypes {unknown or types_text!r} must be among {', '.join(TYPES)}")
    if not re.fullmatch(r"[A-Z]{2}", country_code):
        raise invalid(f"countryCode '{country_code}' is not an ISO 3166-1 alpha-2 code")
    if not _POSTAL.match(postal_code):
        raise invalid(f"postalCode '{postal_code}' is not a postal code")
    found = {kind: points(kind, country_code, postal_code.upper()) for kind in dict.fromkeys(kinds)}
    return json_response({"payload": {"accessPointsMap": found}}, headers=call.headers)
