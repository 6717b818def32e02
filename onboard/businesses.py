"""Amazon Shipping businesses (the ``x-amzn-shipping-business-id`` values) and what each implies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Region = Literal["na", "eu", "fe"]

#: What Amazon assumes when the header is missing: a US shipper who forgets it is served as UK.
DEFAULT_BUSINESS_ID = "AmazonShipping_UK"


@dataclass(frozen=True, slots=True)
class Business:
    id: str
    country_code: str
    currency: str
    region: Region
    #: the weight unit billed weights are quoted in
    weight_unit: Literal["POUND", "KILOGRAM"]


_ALL = (
    Business("AmazonShipping_US", "US", "USD", "na", "POUND"),
    Business("AmazonShipping_IN", "IN", "INR", "eu", "KILOGRAM"),
    Business("AmazonShipping_UK", "GB", "GBP", "eu", "KILOGRAM"),
    Business("AmazonShipping_UAE", "AE", "AED", "eu", "KILOGRAM"),
    Business("AmazonShipping_SA", "SA", "SAR", "eu", "KILOGRAM"),
    Business("AmazonShipping_EG", "EG", "EGP", "eu", "KILOGRAM"),
    Business("AmazonShipping_IT", "IT", "EUR", "eu", "KILOGRAM"),
    Business("AmazonShipping_ES", "ES", "EUR", "eu", "KILOGRAM"),
    Business("AmazonShipping_FR", "FR", "EUR", "eu", "KILOGRAM"),
    Business("AmazonShipping_JP", "JP", "JPY", "fe", "KILOGRAM"),
)

#: Every business id in Amazon's model, in the model's order.
BUSINESSES: dict[str, Business] = {b.id: b for b in _ALL}


def business(business_id: str) -> Business | None:
    return BUSINESSES.get(business_id)
