"""What we send to Amazon Shipping v2: getRates, purchaseShipment, oneClickShipment bodies.

Each class is named after its definition in Amazon's model (``shippingV2.json``) and holds exactly its
properties; ``tests/unit/test_models_schema.py`` holds them to that file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from onboard.labels.formats import LabelFormat

# the address and the units live apart for the TUI's first frame; requests.Address stays a name for them
# (re-exported explicitly, so that strict type checking sees them as this module's too)
from onboard.models.address import AccessPointType as AccessPointType  # noqa: PLC0414
from onboard.models.address import Address as Address  # noqa: PLC0414
from onboard.models.address import DimensionUnit as DimensionUnit  # noqa: PLC0414
from onboard.models.address import WeightUnit as WeightUnit  # noqa: PLC0414
from onboard.models.base import Sent

#: Amazon's label formats are the ones onboard reads and writes (test_models_schema holds both to the model)
DocumentFormat = LabelFormat
DocumentType = Literal["PACKSLIP", "LABEL", "RECEIPT", "CUSTOM_FORM"]
ChannelType = Literal["AMAZON", "EXTERNAL"]
ShipmentType = Literal["FORWARD", "RETURNS"]
LabelAttribute = Literal["PACKAGE_CLIENT_REFERENCE_ID", "SELLER_DISPLAY_NAME", "COLLECT_ON_DELIVERY_AMOUNT"]
LiquidVolumeUnit = Literal["ML", "L", "FL_OZ", "GAL", "PT", "QT", "C"]

NonEmpty = Annotated[str, Field(min_length=1)]


class Weight(Sent):
    unit: WeightUnit
    value: Annotated[float, Field(gt=0)]


class Dimensions(Sent):
    length: Annotated[float, Field(gt=0)]
    width: Annotated[float, Field(gt=0)]
    height: Annotated[float, Field(gt=0)]
    unit: DimensionUnit


class Currency(Sent):
    value: Annotated[float, Field(ge=0)]
    unit: Annotated[str, Field(min_length=3, max_length=3)]


class LiquidVolume(Sent):
    unit: LiquidVolumeUnit
    value: float


class InvoiceDetails(Sent):
    invoiceNumber: str | None = None
    invoiceDate: datetime | None = None


class DangerousGoodsDetails(Sent):
    unitedNationsRegulatoryId: Annotated[str, Field(pattern=r"^(UN|ID|NA)[0-9]{4}$")] | None = None
    transportationRegulatoryClass: Annotated[str, Field(pattern=r"^[1-9](\.[1-9])?$")] | None = None
    packingGroup: Literal["I", "II", "III"] | None = None
    packingInstruction: str | None = None


class DirectFulfillmentItemIdentifiers(Sent):
    lineItemID: str
    pieceNumber: str | None = None


class Item(Sent):
    itemValue: Currency | None = None
    description: str | None = None
    itemIdentifier: str | None = None
    quantity: Annotated[int, Field(ge=1)]
    weight: Weight | None = None
    liquidVolume: LiquidVolume | None = None
    isHazmat: bool | None = None
    dangerousGoodsDetails: DangerousGoodsDetails | None = None
    productType: str | None = None
    invoiceDetails: InvoiceDetails | None = None
    serialNumbers: list[str] | None = None
    directFulfillmentItemIdentifiers: DirectFulfillmentItemIdentifiers | None = None


class ChargeComponent(Sent):
    amount: Currency | None = None
    chargeType: Literal["TAX", "DISCOUNT"] | None = None


class Package(Sent):
    dimensions: Dimensions
    weight: Weight
    insuredValue: Currency
    isHazmat: bool | None = None
    sellerDisplayName: str | None = None
    charges: list[ChargeComponent] | None = None
    packageClientReferenceId: NonEmpty
    items: Annotated[list[Item], Field(min_length=1)]


class AmazonOrderDetails(Sent):
    orderId: NonEmpty


class AmazonShipmentDetails(Sent):
    shipmentId: NonEmpty


class ChannelDetails(Sent):
    channelType: ChannelType
    amazonOrderDetails: AmazonOrderDetails | None = None
    amazonShipmentDetails: AmazonShipmentDetails | None = None


class ShipperInstruction(Sent):
    deliveryNotes: Annotated[str, Field(max_length=256)] | None = None


class CollectOnDelivery(Sent):
    amount: Currency


class ValueAddedServiceDetails(Sent):
    collectOnDelivery: CollectOnDelivery | None = None


class TaxDetail(Sent):
    taxType: Literal["GST"]
    taxRegistrationNumber: str


class ClientReferenceDetail(Sent):
    clientReferenceType: Literal["IntegratorShipperId", "IntegratorMerchantId"]
    clientReferenceId: str


class AccessPointDetails(Sent):
    accessPointId: str | None = None


class CarrierAccount(Sent):
    carrierAccountId: str
    carrierId: str


class GetRatesRequest(Sent):
    shipTo: Address | None = None
    shipFrom: Address
    returnTo: Address | None = None
    shipDate: datetime | None = None
    shipperInstruction: ShipperInstruction | None = None
    packages: Annotated[list[Package], Field(min_length=1)]
    valueAddedServices: ValueAddedServiceDetails | None = None
    taxDetails: list[TaxDetail] | None = None
    channelDetails: ChannelDetails
    clientReferenceDetails: list[ClientReferenceDetail] | None = None
    shipmentType: ShipmentType | None = None
    destinationAccessPointDetails: AccessPointDetails | None = None
    carrierAccounts: list[CarrierAccount] | None = None


class DocumentSize(Sent):
    width: Annotated[float, Field(gt=0)]
    length: Annotated[float, Field(gt=0)]
    unit: DimensionUnit


class RequestedLabelCustomization(Sent):
    requestAttributes: list[LabelAttribute] | None = None


class RequestedDocumentSpecification(Sent):
    format: DocumentFormat
    size: DocumentSize
    dpi: int | None = None
    pageLayout: str | None = None
    needFileJoining: bool
    requestedDocumentTypes: Annotated[list[DocumentType], Field(min_length=1)]
    requestedLabelCustomization: RequestedLabelCustomization | None = None


class RequestedValueAddedService(Sent):
    id: NonEmpty


class PurchaseShipmentRequest(Sent):
    requestToken: NonEmpty
    rateId: NonEmpty
    requestedDocumentSpecification: RequestedDocumentSpecification
    requestedValueAddedServices: list[RequestedValueAddedService] | None = None
    additionalInputs: dict[str, Any] | None = None


class ServiceSelection(Sent):
    serviceId: Annotated[list[str], Field(min_length=1)]


class GoodsOwner(Sent):
    merchantId: str


class OneClickShipmentValueAddedService(Sent):
    id: NonEmpty
    amount: Currency | None = None


class OneClickShipmentRequest(Sent):
    shipTo: Address | None = None
    shipFrom: Address
    returnTo: Address | None = None
    shipDate: datetime | None = None
    goodsOwner: GoodsOwner | None = None
    packages: Annotated[list[Package], Field(min_length=1)]
    valueAddedServicesDetails: list[OneClickShipmentValueAddedService] | None = None
    taxDetails: list[TaxDetail] | None = None
    channelDetails: ChannelDetails
    labelSpecifications: RequestedDocumentSpecification
    serviceSelection: ServiceSelection
    shipperInstruction: ShipperInstruction | None = None
    destinationAccessPointDetails: AccessPointDetails | None = None


# --- directPurchaseShipment ---------------------------------------------------------------------------


class DirectPurchaseRequest(Sent):
    shipTo: Address | None = None
    shipFrom: Address | None = None
    returnTo: Address | None = None
    packages: Annotated[list[Package], Field(min_length=1)] | None = None
    channelDetails: ChannelDetails
    labelSpecifications: RequestedDocumentSpecification | None = None


# --- carrier accounts ---------------------------------------------------------------------------------

AccountType = Literal["SHIPPER_ACCOUNT", "SHIPPER_ACCOUNT_WITH_INVOICE", "AMAZON_ACCOUNT"]


class GetCarrierAccountsRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None


class CarrierAccountAttribute(Sent):
    attributeName: str | None = None
    propertyGroup: str | None = None
    value: str | None = None


class LinkCarrierAccountRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None
    carrierAccountType: NonEmpty
    carrierAccountAttributes: list[CarrierAccountAttribute]
    encryptedCarrierAccountAttributes: list[CarrierAccountAttribute] | None = None


class UnlinkCarrierAccountRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None
    accountId: str | None = None


# --- collection forms ---------------------------------------------------------------------------------


class DateRange(Sent):
    startDate: datetime | None = None
    endDate: datetime | None = None


class GenerateCollectionFormRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None
    carrierId: NonEmpty
    shipFromAddress: Address | None = None


class GetCollectionFormHistoryRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None
    maxResults: Annotated[int, Field(ge=1)] | None = None
    carrierId: str | None = None
    shipFromAddress: Address | None = None
    dateRange: DateRange | None = None


class GetUnmanifestedShipmentsRequest(Sent):
    clientReferenceDetails: list[ClientReferenceDetail] | None = None


# --- after the purchase: NDR feedback and claims -------------------------------------------------------

NdrAction = Literal["RESCHEDULE", "REATTEMPT", "RTO"]
ClaimReason = Literal[
    "LOST_IN_TRANSIT", "DAMAGED_IN_TRANSIT", "DELIVERED_NOT_RECEIVED", "ITEM_MISSING_SWITCHEROO", "COD_ABUSE"
]
SettlementType = Literal["REFUND", "CERTIFICATE_OF_FACT"]


class NdrRequestData(Sent):
    rescheduleDate: datetime | None = None
    additionalAddressNotes: Annotated[str, Field(max_length=256)] | None = None


class SubmitNdrFeedbackRequest(Sent):
    trackingId: NonEmpty
    ndrAction: NdrAction
    ndrRequestData: NdrRequestData | None = None


class CreateClaimRequest(Sent):
    trackingId: NonEmpty
    declaredValue: Currency | None = None
    claimReason: ClaimReason
    isReplacementPackageSent: bool | None = None
    proofs: list[str] | None = None
    settlementType: SettlementType
