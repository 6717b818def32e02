"""What Amazon Shipping v2 sends back, payload-wrapped: tolerant of the quirks its own examples show.

Enums are open strings here (a new Amazon value must not break a run), numbers may arrive as strings,
``trackingId`` may arrive as a number, and fields we do not model are kept in ``model_extra``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BeforeValidator, Field, ValidationError, model_validator

from onboard.files import read_json
from onboard.models.base import LooseStr, Received


class Weight(Received):
    unit: str
    value: float


class Currency(Received):
    value: float
    unit: str


class DocumentSize(Received):
    width: float
    length: float
    unit: str


class SupportedDocumentDetail(Received):
    name: str
    isMandatory: bool


class PrintOption(Received):
    supportedDPIs: list[int] | None = None
    supportedPageLayouts: list[str] = Field(default_factory=list)
    supportedFileJoiningOptions: list[bool] = Field(default_factory=list)
    supportedDocumentDetails: list[SupportedDocumentDetail] = Field(default_factory=list)


class SupportedDocumentSpecification(Received):
    format: str
    size: DocumentSize
    printOptions: list[PrintOption]


class TimeWindow(Received):
    start: datetime | None = None
    end: datetime | None = None


class Promise(Received):
    deliveryWindow: TimeWindow | None = None
    pickupWindow: TimeWindow | None = None


class ExcludedBenefit(Received):
    benefit: str
    reasonCodes: list[str] | None = None


class Benefits(Received):
    includedBenefits: list[str] = Field(default_factory=list)
    excludedBenefits: list[ExcludedBenefit] = Field(default_factory=list)


class ValueAddedService(Received):
    id: str
    name: str
    cost: Currency


class AvailableValueAddedServiceGroup(Received):
    groupId: str
    groupDescription: str
    isRequired: bool
    valueAddedServices: list[ValueAddedService] | None = None


class RateItem(Received):
    rateItemID: str | None = None
    rateItemType: str | None = None
    rateItemCharge: Currency | None = None
    rateItemNameLocalization: str | None = None


class Rate(Received):
    rateId: str
    carrierId: str
    carrierName: str
    serviceId: str
    serviceName: str
    billedWeight: Weight | None = None
    totalCharge: Currency
    promise: Promise
    supportedDocumentSpecifications: list[SupportedDocumentSpecification]
    availableValueAddedServiceGroups: list[AvailableValueAddedServiceGroup] | None = None
    requiresAdditionalInputs: bool
    rateItemList: list[RateItem] | None = None
    paymentType: str | None = None
    benefits: Benefits | None = None


class IneligibilityReason(Received):
    code: str
    message: str


class IneligibleRate(Received):
    serviceId: str
    serviceName: str
    carrierName: str
    carrierId: str
    ineligibilityReasons: list[IneligibilityReason]


class GetRatesResult(Received):
    requestToken: str
    rates: list[Rate]
    ineligibleRates: list[IneligibleRate] | None = None


class PackageDocument(Received):
    type: str
    format: str
    contents: str


class PackageDocumentDetail(Received):
    packageClientReferenceId: str
    packageDocuments: list[PackageDocument]
    trackingId: LooseStr | None = None


class PurchaseShipmentResult(Received):
    shipmentId: LooseStr
    packageDocumentDetails: list[PackageDocumentDetail]
    promise: Promise
    benefits: Benefits | None = None


class Carrier(Received):
    id: str
    name: str


class Service(Received):
    id: str
    name: str


class OneClickShipmentResult(Received):
    shipmentId: LooseStr
    packageDocumentDetails: list[PackageDocumentDetail]
    promise: Promise
    carrier: Carrier
    service: Service
    totalCharge: Currency


class Location(Received):
    stateOrRegion: str | None = None
    city: str | None = None
    countryCode: str | None = None
    postalCode: str | None = None


class Event(Received):
    eventCode: str
    location: Location | None = None
    eventTime: datetime
    shipmentType: str | None = None


class TrackingDetailCodes(Received):
    forward: list[str] = Field(default_factory=list)
    returns: list[str] = Field(default_factory=list)


class TrackingSummary(Received):
    status: str | None = None
    trackingDetailCodes: TrackingDetailCodes | None = None


class GetTrackingResult(Received):
    trackingId: LooseStr
    # Amazon's example sends the string "null" here; it is kept as received.
    alternateLegTrackingId: LooseStr | None = None
    eventHistory: list[Event]
    promisedDeliveryDate: datetime | None = None
    summary: TrackingSummary


class GetShipmentDocumentsResult(Received):
    shipmentId: LooseStr
    packageDocumentDetail: PackageDocumentDetail
    benefits: Benefits | None = None


class CancelShipmentResult(Received):
    """An open object: Amazon answers a successful cancel with ``{"payload": {}}``."""


W = TypeVar("W", bound="Wrapped")


class Wrapped(Received):
    """A ``{"payload": …}`` success body. ``read`` also accepts a bare payload, as in Amazon's examples."""

    @classmethod
    def read(cls: type[W], body: bytes | dict[str, Any]) -> W:
        # the usual, wrapped body is parsed straight from JSON in Rust; only an unwrapped one pays twice
        if isinstance(body, bytes | bytearray):
            try:
                return cls.model_validate_json(body)
            except ValidationError as exc:
                if not any(e["type"] == "missing" and e["loc"] == ("payload",) for e in exc.errors()):
                    raise
                # bounded as every JSON onboard reads: ValueError past MAX_JSON_DEPTH, never a RecursionError
                body = read_json(body)
        if isinstance(body, dict) and "payload" not in body:
            body = {"payload": body}
        return cls.model_validate(body)


class GetRatesResponse(Wrapped):
    payload: GetRatesResult


class PurchaseShipmentResponse(Wrapped):
    payload: PurchaseShipmentResult


class OneClickShipmentResponse(Wrapped):
    payload: OneClickShipmentResult


class GetTrackingResponse(Wrapped):
    payload: GetTrackingResult


class GetShipmentDocumentsResponse(Wrapped):
    payload: GetShipmentDocumentsResult


class CancelShipmentResponse(Wrapped):
    payload: CancelShipmentResult


# --- the operations beyond the purchase flow ----------------------------------------------------------


class Geocode(Received):
    latitude: str | None = None
    longitude: str | None = None


class Address(Received):
    """An address in an answer. Amazon's getAccessPoints example nests it (``addressObject``) and names the
    postal code ``zipOrPostalCode``: read as the flat Address of the schema."""

    name: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    addressLine3: str | None = None
    companyName: str | None = None
    stateOrRegion: str | None = None
    city: str | None = None
    countryCode: str | None = None
    postalCode: str | None = None
    email: str | None = None
    phoneNumber: str | None = None
    geocode: Geocode | None = None

    @model_validator(mode="before")
    @classmethod
    def _flattened(cls, value: Any) -> Any:
        nested = value.get("addressObject") if isinstance(value, dict) else None
        if not isinstance(nested, dict):
            return value
        flat = {**nested, **{k: v for k, v in value.items() if k != "addressObject"}}
        if "postalCode" not in flat and "zipOrPostalCode" in flat:
            flat["postalCode"] = flat.pop("zipOrPostalCode")
        return flat


def _no_placeholder(value: Any) -> Any:
    # Amazon's collection-form examples put the string "<**-redacted-**>" where an address goes: no address
    return None if isinstance(value, str) else value


#: an address that may arrive as a placeholder string instead (read as none)
LooseAddress = Annotated[Address | None, BeforeValidator(_no_placeholder)]


class DirectPurchaseResult(Received):
    shipmentId: LooseStr
    packageDocumentDetailList: list[PackageDocumentDetail] | None = None


class DirectPurchaseResponse(Wrapped):
    payload: DirectPurchaseResult


class GetAdditionalInputsResponse(Wrapped):
    #: a JSON schema (draft 04) of the inputs the rate needs; an empty object when it needs none
    payload: dict[str, Any]


class ValidationMetadata(Received):
    errorMessage: str | None = None
    validationStrategy: str | None = None
    value: str | None = None


class CarrierAccountInput(Received):
    descriptionLocalizationKey: str | None = None
    name: str | None = None
    groupName: str | None = None
    inputType: str | None = None
    isMandatory: bool | None = None
    isConfidential: bool | None = None
    isHidden: bool | None = None
    validationMetadata: list[ValidationMetadata] | None = None


class LinkableAccountType(Received):
    #: ``accountTypeId`` in Amazon's example
    accountType: str | None = Field(default=None, validation_alias=AliasChoices("accountType", "accountTypeId"))
    carrierAccountInputs: list[CarrierAccountInput] | None = None


class LinkableCarrier(Received):
    carrierId: str | None = None
    linkableAccountTypes: list[LinkableAccountType] | None = None


class GetCarrierAccountFormInputsResponse(Received):
    #: ``linkableCarriers`` in Amazon's example
    linkableCarriersList: list[LinkableCarrier] | None = Field(
        default=None, validation_alias=AliasChoices("linkableCarriersList", "linkableCarriers")
    )


class ActiveAccount(Received):
    accountId: str | None = None
    carrierId: str | None = None


class GetCarrierAccountsResponse(Received):
    activeAccounts: list[ActiveAccount]


class LinkCarrierAccountResponse(Received):
    registrationStatus: str | None = None
    accountId: str | None = None


class UnlinkCarrierAccountResponse(Received):
    isUnlinked: bool | None = None


class CollectionsFormDocument(Received):
    base64EncodedContent: str | None = None
    documentFormat: str | None = None


class GenerateCollectionFormResponse(Received):
    collectionsFormDocument: CollectionsFormDocument | None = None


class GetCollectionFormResponse(Received):
    collectionsFormDocument: CollectionsFormDocument | None = None


class CollectionFormsHistoryRecord(Received):
    carrierName: str | None = None
    creationDate: datetime | None = None
    generationStatus: str | None = None
    collectionFormId: str | None = None
    shipFromAddress: LooseAddress = None


class GetCollectionFormHistoryResponse(Received):
    collectionFormsHistoryRecordList: list[CollectionFormsHistoryRecord] | None = None
    lastRefreshedDate: str | None = None


class UnmanifestedShipmentLocation(Received):
    address: LooseAddress = None
    lastManifestDate: datetime | None = None


class UnmanifestedCarrierInformation(Received):
    carrierId: str | None = None
    carrierName: str | None = None
    unmanifestedShipmentLocationList: list[UnmanifestedShipmentLocation] | None = None


class GetUnmanifestedShipmentsResponse(Received):
    unmanifestedCarrierInformationList: list[UnmanifestedCarrierInformation] | None = None


class TimeOfDay(Received):
    hourOfDay: int | None = None
    minuteOfHour: int | None = None
    secondOfMinute: int | None = None


class OperatingHours(Received):
    closingTime: TimeOfDay | None = None
    openingTime: TimeOfDay | None = None
    midDayClosures: list[TimeOfDay] | None = None


class DateRange(Received):
    startDate: datetime | None = None
    endDate: datetime | None = None


class ExceptionOperatingHours(Received):
    dateRange: DateRange | None = None
    operatingHours: OperatingHours | None = None


class AccessibilityAttributes(Received):
    distance: str | None = None
    driveTime: int | None = None


class AccessPoint(Received):
    accessPointId: str | None = None
    name: str | None = None
    timezone: str | None = None
    type: str | None = None
    accessibilityAttributes: AccessibilityAttributes | None = None
    address: LooseAddress = None
    exceptionOperatingHours: list[ExceptionOperatingHours] | None = None
    assistanceType: str | None = None
    score: str | None = None
    standardOperatingHours: dict[str, OperatingHours] | None = None


def _as_list(value: Any) -> Any:
    # Amazon's example gives each type one access point, not the list the schema says
    return [value] if isinstance(value, dict) else value


class GetAccessPointsResult(Received):
    accessPointsMap: dict[str, Annotated[list[AccessPoint], BeforeValidator(_as_list)]]

    @model_validator(mode="before")
    @classmethod
    def _bare_map(cls, value: Any) -> Any:
        # Amazon's example is the map itself, without accessPointsMap (and without the payload wrapper)
        bare = isinstance(value, dict) and value and "accessPointsMap" not in value
        if bare and all(isinstance(points, dict | list) for points in value.values()):
            return {"accessPointsMap": value}
        return value


class GetAccessPointsResponse(Wrapped):
    payload: GetAccessPointsResult


class CreateClaimResponse(Received):
    claimId: str | None = None
