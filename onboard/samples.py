"""Sample shipments per business (``checks/samples.toml``), as ready-to-send Shipping v2 requests."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onboard.errors import ConfigError
from onboard.locations import checks_dir
from onboard.models.address import Address, DimensionUnit, WeightUnit

if TYPE_CHECKING:
    from onboard.models.requests import GetRatesRequest

#: a length or a weight as a person types it: a finite number above zero (a NaN or an Infinity would be
#: saved as JSON's null, and the workspace would no longer load)
Measure = Annotated[float, Field(gt=0)]
#: an amount of money: finite, zero or more
Amount = Annotated[float, Field(ge=0)]


class SamplePackage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    length: Measure
    width: Measure
    height: Measure
    dimension_unit: DimensionUnit
    weight: Measure
    weight_unit: WeightUnit
    insured_value: Amount
    item_value: Amount
    currency: str
    description: str


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ship_from: dict[str, Any]
    ship_to: dict[str, Any]
    package: SamplePackage

    def rates_request(self, reference: str = "onboard-sample-1") -> GetRatesRequest:
        from onboard.models import requests as rq  # noqa: PLC0415 - the workspace's model needs none of them

        p = self.package
        return rq.GetRatesRequest.model_validate(
            {
                "shipFrom": Address.model_validate(self.ship_from),
                "shipTo": Address.model_validate(self.ship_to),
                "packages": [
                    rq.Package(
                        dimensions=rq.Dimensions(
                            length=p.length, width=p.width, height=p.height, unit=p.dimension_unit
                        ),
                        weight=rq.Weight(unit=p.weight_unit, value=p.weight),
                        insuredValue=rq.Currency(value=p.insured_value, unit=p.currency),
                        packageClientReferenceId=reference,
                        items=[
                            rq.Item(
                                quantity=1,
                                description=p.description,
                                itemValue=rq.Currency(value=p.item_value, unit=p.currency),
                                weight=rq.Weight(unit=p.weight_unit, value=p.weight),
                                isHazmat=False,
                            )
                        ],
                    )
                ],
                "channelDetails": rq.ChannelDetails(channelType="EXTERNAL"),
            }
        )


@cache
def samples() -> dict[str, Sample]:
    path = checks_dir() / "samples.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {business_id: Sample.model_validate(entry) for business_id, entry in data.items()}
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"{path} cannot be read: {str(exc).splitlines()[0]}") from None


def sample_for(business_id: str) -> Sample:
    try:
        return samples()[business_id]
    except KeyError:
        raise ConfigError(
            f"no sample shipment for {business_id}", f"add one to checks/samples.toml ({', '.join(samples())})"
        ) from None
