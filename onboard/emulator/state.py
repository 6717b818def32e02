"""What the emulator remembers: quotes (requestTokens), shipments, idempotency keys, counters; carrier
accounts per seller, collection forms, claims.

With ``sandbox serve --state FILE`` every change to what Amazon would remember (shipments and their
cancellations, idempotency keys, carrier accounts linked and unlinked, collection forms, claims, and
tracking events after the purchase) also goes to a ``Recorder`` (``onboard.emulator.journal``), so that a
restarted emulator still knows it. Handlers make those changes through the ``Store``'s methods, never by
writing its tables, or the change would be lost on restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol, TypeVar

from onboard.businesses import Business
from onboard.models import requests as rq
from onboard.models import responses as rs

#: purchaseShipment must follow getRates within this many seconds, or it fails with TOKEN_EXPIRED
REQUEST_TOKEN_TTL = 600.0
# Bounds on what a long-running emulator keeps; the oldest entries go first.
MAX_QUOTES = 20_000
MAX_SHIPMENTS = 20_000


class Quote(NamedTuple):
    """A getRates answer kept for the purchase that follows.

    Only bytes, strings and numbers: an emulator under load holds tens of thousands of these, and
    parsed models would give the garbage collector millions of objects to walk on every full pass.
    """

    created: float
    business_id: str
    request_json: bytes
    rates: dict[str, bytes]

    def request(self) -> rq.GetRatesRequest:
        return rq.GetRatesRequest.model_validate_json(self.request_json)

    def rate(self, rate_id: str) -> rs.Rate | None:
        raw = self.rates.get(rate_id)
        return rs.Rate.model_validate_json(raw) if raw is not None else None


@dataclass(slots=True)
class Shipment:
    shipment_id: str
    tracking_id: str
    business: Business
    rate: rs.Rate
    package_reference: str
    label: bytes
    label_format: str
    label_dpi: int
    purchased_at: datetime
    ship_from: rq.Address
    cancelled_at: datetime | None = None
    ship_to: rq.Address | None = None
    #: the value-added services bought with the label
    services: tuple[str, ...] = ()
    #: what happened after the purchase (tracking event code, when), e.g. a failed delivery attempt
    events: list[tuple[str, datetime]] = field(default_factory=list)
    #: the collection form the shipment was manifested on
    collection_form_id: str | None = None
    #: the claims filed for it, by reason
    claims: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class LinkedAccount:
    account_id: str
    carrier_id: str
    account_type: str
    #: the account number as linked: linking the same one again answers the same accountId
    number: str


@dataclass(slots=True)
class CollectionForm:
    form_id: str
    business_id: str
    carrier_id: str
    carrier_name: str
    created: datetime
    ship_from: rq.Address
    shipment_ids: tuple[str, ...]
    pdf: bytes


@dataclass(slots=True)
class Counters:
    """Observable by tests and benchmarks through ``GET /_emulator/state``."""

    tokens_issued: int = 0
    rates: int = 0
    purchases: int = 0
    idempotent_replays: int = 0
    cancellations: int = 0
    faults_injected: int = 0
    throttled: int = 0
    requests: int = 0


class Recorder(Protocol):
    """Told of each change before it is made, so a change it failed to keep is not made either."""

    def shipment_bought(self, shipment: Shipment) -> None: ...

    def shipment_cancelled(self, shipment_id: str, at: datetime) -> None: ...

    def key_remembered(self, key: str, request: bytes, response: bytes) -> None: ...

    def account_linked(self, seller: str, account: LinkedAccount) -> None: ...

    def account_unlinked(self, seller: str, carrier_id: str, account_id: str) -> None: ...

    def form_generated(self, form: CollectionForm) -> None: ...

    def claim_created(self, shipment_id: str, reason: str, claim_id: str) -> None: ...

    def event_happened(self, shipment_id: str, code: str, at: datetime) -> None: ...


@dataclass(slots=True)
class Store:
    quotes: dict[str, Quote] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    by_tracking: dict[str, str] = field(default_factory=dict)
    # idempotency key -> (request body, the response body sent)
    idempotency: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    #: linked carrier accounts per seller (app, refresh token and business), by carrierId
    carrier_accounts: dict[str, dict[str, LinkedAccount]] = field(default_factory=dict)
    collection_forms: dict[str, CollectionForm] = field(default_factory=dict)
    #: claimId -> shipmentId
    claims: dict[str, str] = field(default_factory=dict)
    #: None keeps everything in memory only; quotes and counters are never recorded
    journal: Recorder | None = None

    def add_quote(self, request_token: str, quote: Quote) -> None:
        _bounded_put(self.quotes, request_token, quote, MAX_QUOTES)

    def add_shipment(self, shipment: Shipment) -> None:
        if self.journal is not None:
            self.journal.shipment_bought(shipment)
        if len(self.shipments) >= MAX_SHIPMENTS:
            oldest = next(iter(self.shipments.values()))
            del self.shipments[oldest.shipment_id]
            self.by_tracking.pop(oldest.tracking_id, None)
        self.shipments[shipment.shipment_id] = shipment
        self.by_tracking[shipment.tracking_id] = shipment.shipment_id

    def cancel(self, shipment: Shipment, at: datetime) -> None:
        if self.journal is not None:
            self.journal.shipment_cancelled(shipment.shipment_id, at)
        shipment.cancelled_at = at

    def remember(self, key: str, request: bytes, response: bytes) -> None:
        if self.journal is not None:
            self.journal.key_remembered(key, request, response)
        _bounded_put(self.idempotency, key, (request, response), MAX_SHIPMENTS)

    def link_account(self, seller: str, account: LinkedAccount) -> None:
        if self.journal is not None:
            self.journal.account_linked(seller, account)
        self.carrier_accounts.setdefault(seller, {})[account.carrier_id] = account

    def unlink_account(self, seller: str, carrier_id: str) -> None:
        linked = self.carrier_accounts.get(seller, {})
        account = linked.get(carrier_id)
        if account is None:
            return
        if self.journal is not None:
            self.journal.account_unlinked(seller, carrier_id, account.account_id)
        del linked[carrier_id]

    def add_collection_form(self, form: CollectionForm) -> None:
        """Keep ``form`` and mark its shipments manifested, so getUnmanifestedShipments no longer lists them."""
        if self.journal is not None:
            self.journal.form_generated(form)
        self.collection_forms[form.form_id] = form
        for shipment_id in form.shipment_ids:
            shipment = self.shipments.get(shipment_id)
            if shipment is not None:
                shipment.collection_form_id = form.form_id

    def add_claim(self, shipment: Shipment, reason: str, claim_id: str) -> None:
        if self.journal is not None:
            self.journal.claim_created(shipment.shipment_id, reason, claim_id)
        shipment.claims[reason] = claim_id
        self.claims[claim_id] = shipment.shipment_id

    def add_event(self, shipment: Shipment, code: str, at: datetime) -> None:
        if self.journal is not None:
            self.journal.event_happened(shipment.shipment_id, code, at)
        shipment.events.append((code, at))

    def open_shipments(self) -> list[Shipment]:
        return [s for s in self.shipments.values() if s.cancelled_at is None]


K = TypeVar("K")
V = TypeVar("V")


def _bounded_put(table: dict[K, V], key: K, value: V, limit: int) -> None:
    if len(table) >= limit:
        del table[next(iter(table))]
    table[key] = value
