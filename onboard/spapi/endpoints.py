"""Which hosts a call goes to: region and environment, or the ``ONBOARD_*_URL`` overrides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from onboard.businesses import Region

Environment = Literal["emulator", "sandbox", "production"]

#: Login with Amazon token URLs per region (Amazon Shipping's EU Postman environment uses .co.uk)
LWA_URLS: dict[Region, str] = {
    "na": "https://api.amazon.com/auth/o2/token",
    "eu": "https://api.amazon.co.uk/auth/o2/token",
    "fe": "https://api.amazon.co.jp/auth/o2/token",
}


def api_url(region: Region, environment: Literal["sandbox", "production"]) -> str:
    prefix = "sandbox." if environment == "sandbox" else ""
    return f"https://{prefix}sellingpartnerapi-{region}.amazon.com"


@dataclass(frozen=True, slots=True)
class Endpoints:
    lwa_url: str
    api_url: str
    environment: Environment
    region: Region
    #: set when ONBOARD_LWA_URL or ONBOARD_SPAPI_URL replaced a host
    custom: bool = False

    @property
    def is_amazon(self) -> bool:
        return not self.custom and self.environment != "emulator"

    def api_region(self) -> Region | None:
        """The region an Amazon API host belongs to, read from its name; None for any other host."""
        host = urlsplit(self.api_url).hostname or ""
        for region in ("na", "eu", "fe"):
            if host.endswith(f"sellingpartnerapi-{region}.amazon.com"):
                return region
        return None

    def is_production_host(self) -> bool:
        """An Amazon API host that is not a sandbox one, whatever the profile says (a URL override may
        point a sandbox profile at it): labels bought there are charged."""
        host = urlsplit(self.api_url).hostname or ""
        return self.api_region() is not None and not host.startswith("sandbox.")

    def describe(self) -> str:
        kind = "custom endpoint" if self.custom else self.environment
        return f"{kind}: API {self.api_url}, token {self.lwa_url}"


def amazon(region: Region, environment: Literal["sandbox", "production"]) -> Endpoints:
    return Endpoints(LWA_URLS[region], api_url(region, environment), environment, region)
