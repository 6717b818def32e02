"""The emulator's memory on disk: an append-only JSON Lines journal of what a restart must not forget.

Amazon does not forget a label because a process died: a run killed halfway must still be able to
cancel what it bought once the emulator is back (``onboard certify --cleanup``), and a seller's linked
carrier accounts, the collection forms that manifested its shipments, its claims and the NDR feedback
it gave are still there the next day. So each of these changes is one line, written with a single
``write()`` before the change is made in memory: a shipment bought (``shipment``), cancelled
(``cancel``), an idempotency key answered (``idempotency``), a carrier account linked
(``account_linked``) or unlinked (``account_unlinked``), a collection form generated (``collection_form``,
which also marks its shipments manifested), a claim created (``claim``), and a tracking event after the
purchase (``tracking``: an NDR action, or the control plane's ``tracking_event``). A SIGKILL then loses
at most the line being written, and the OS keeps every line written before it (no fsync: the journal
survives the process, not a power cut, which is all a test double needs).

Versions: version 1 journals only shipments, cancellations and idempotency keys, and its shipments
carry no ``ship_to`` or ``services``; version 2 adds the other events and those two fields. Both are
read (a version 1 shipment reads back as one bought before the emulator kept where it went), and
every new record is written as version 2, so an emulator that reads only version 1 refuses the file
at the first record it would misread, rather than forget the destination of a label or a claim.

Not journalled: quotes (requestTokens), because they expire 10 minutes after getRates and a restarted
emulator is rarely back within them, and they are the hot path (~2,000 getRates/s must not write to
disk); and counters, because they describe this process, not the shipper's account.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onboard.businesses import business
from onboard.emulator.shipping import EVENT_STATUS
from onboard.emulator.state import CollectionForm, LinkedAccount, Shipment, Store
from onboard.errors import ConfigError
from onboard.files import read_json
from onboard.models import requests as rq
from onboard.models import responses as rs

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, and no second-emulator guard
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("onboard.emulator")

#: the version every record is written with; bumped when a record's shape changes, so an emulator that
#: does not know the new shape refuses the journal rather than misread it
VERSION = 2
_VERSION_1_EVENTS = frozenset({"shipment", "cancel", "idempotency"})
#: the events a record of each version may hold: an older version's records keep their meaning
_EVENTS = {
    1: _VERSION_1_EVENTS,
    2: _VERSION_1_EVENTS | {"account_linked", "account_unlinked", "collection_form", "claim", "tracking"},
}


class BadRecord(ValueError):
    """A line that is not a journal record this emulator can replay."""


class Journal:
    """An open journal file; the store calls it before each change it must remember."""

    def __init__(self, path: Path, fd: int, size: int) -> None:
        self.path = path
        self._fd = fd
        # where the last whole record ends: a failed write is cut back to here
        self._size = size

    @classmethod
    def load(cls, path: Path, store: Store) -> Journal:
        """Replay the journal at ``path`` (created when missing) into ``store``, then keep it open for appending.

        ``store`` must not have a journal yet, or the replay would be written again.
        """
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            reason = "its folder does not exist" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
            raise ConfigError(f"cannot open the emulator state file {path}: {reason}") from None
        try:
            _lock(fd, path)
            size = _replay(fd, path, store)
            # a torn last line would glue itself to the next record: cut it off before appending
            os.ftruncate(fd, size)
        except OSError as exc:
            os.close(fd)
            raise ConfigError(f"cannot read the emulator state file {path}: {exc.strerror or exc}") from None
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, size)

    def shipment_bought(self, shipment: Shipment) -> None:
        self._append(
            {
                "v": VERSION,
                "event": "shipment",
                "shipment_id": shipment.shipment_id,
                "tracking_id": shipment.tracking_id,
                "business_id": shipment.business.id,
                # exclude_unset: the rate reads back with the same fields set, so it is answered the same
                "rate": shipment.rate.model_dump(mode="json", exclude_unset=True),
                "package_reference": shipment.package_reference,
                "label": base64.b64encode(shipment.label).decode("ascii"),
                "label_format": shipment.label_format,
                "label_dpi": shipment.label_dpi,
                "purchased_at": shipment.purchased_at.isoformat(),
                "ship_from": shipment.ship_from.model_dump(mode="json", exclude_unset=True),
                # where it goes: a collection form generated after a restart lists its destination
                "ship_to": _address(shipment.ship_to) if shipment.ship_to is not None else None,
                "services": list(shipment.services),
            }
        )

    def shipment_cancelled(self, shipment_id: str, at: datetime) -> None:
        self._append({"v": VERSION, "event": "cancel", "shipment_id": shipment_id, "at": at.isoformat()})

    def key_remembered(self, key: str, request: bytes, response: bytes) -> None:
        self._append(
            {
                "v": VERSION,
                "event": "idempotency",
                "key": key,
                "request": base64.b64encode(request).decode("ascii"),
                "response": base64.b64encode(response).decode("ascii"),
            }
        )

    def account_linked(self, seller: str, account: LinkedAccount) -> None:
        self._append(
            {
                "v": VERSION,
                "event": "account_linked",
                # the app, the seller who authorized it (a digest of its refresh token) and the business
                "seller": seller,
                "carrier_id": account.carrier_id,
                "account_id": account.account_id,
                "account_type": account.account_type,
                # only the number, which linking again is compared with; the confidential inputs are not kept
                "number": account.number,
            }
        )

    def account_unlinked(self, seller: str, carrier_id: str, account_id: str) -> None:
        self._append(
            {
                "v": VERSION,
                "event": "account_unlinked",
                "seller": seller,
                "carrier_id": carrier_id,
                "account_id": account_id,
            }
        )

    def form_generated(self, form: CollectionForm) -> None:
        self._append(
            {
                "v": VERSION,
                "event": "collection_form",
                "form_id": form.form_id,
                "business_id": form.business_id,
                "carrier_id": form.carrier_id,
                "carrier_name": form.carrier_name,
                "created": form.created.isoformat(),
                "ship_from": _address(form.ship_from),
                "shipment_ids": list(form.shipment_ids),
                # the PDF as printed, not made again: a reprint after a restart is the same bytes, even for
                # shipments evicted from the bounded store since
                "pdf": base64.b64encode(form.pdf).decode("ascii"),
            }
        )

    def claim_created(self, shipment_id: str, reason: str, claim_id: str) -> None:
        self._append(
            {"v": VERSION, "event": "claim", "shipment_id": shipment_id, "reason": reason, "claim_id": claim_id}
        )

    def event_happened(self, shipment_id: str, code: str, at: datetime) -> None:
        self._append(
            {"v": VERSION, "event": "tracking", "shipment_id": shipment_id, "code": code, "at": at.isoformat()}
        )

    def _append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        # one write() per record, so a kill leaves at most one torn line, and only the last; on O_APPEND
        # a short write to a regular file means the disk is full: cut it off so the journal stays whole
        try:
            written = os.write(self._fd, line)
            if written != len(line):
                raise OSError(f"only {written} of {len(line)} bytes written to {self.path}")
        except OSError:
            os.ftruncate(self._fd, self._size)
            raise
        self._size += written

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _lock(fd: int, path: Path) -> None:
    # two emulators appending to one file would each miss the other's shipments
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigError(
            f"the emulator state file {path} is in use by another emulator", "stop it, or give another --state"
        ) from None


def _lines(fd: int) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line, whether another line follows), streamed: a journal can hold gigabytes of labels."""
    with open(fd, "rb", closefd=False) as file:
        previous: bytes | None = None
        number = 0
        for line in file:
            if previous is not None:
                yield number, previous, True
            previous, number = line, number + 1
        if previous is not None:
            yield number, previous, False


def _replay(fd: int, path: Path, store: Store) -> int:
    """Apply every record to ``store``; return the size of the journal's whole records."""
    size = 0
    for number, line, more in _lines(fd):
        try:
            if not line.endswith(b"\n"):
                # every record ends with its newline, written in the same write(): this one was cut short
                raise BadRecord("the line is incomplete")
            if line.strip():
                _apply(read_json(line), store)
        except ValueError as exc:  # BadRecord, JSON, base64, pydantic and UTF-8 errors alike
            # a kill can only cut a line short of its newline; a whole line that cannot be read (damage,
            # or a newer emulator's record) is refused, never dropped
            if more or line.endswith(b"\n"):
                raise ConfigError(
                    f"{path}, line {number}: not an emulator state record ({_why(exc)})",
                    "restore the file, or remove it to start with no shipments",
                ) from None
            # only the last line can be torn by a kill mid-write: what came before it is whole
            log.warning(
                "%s, line %d: ignored the last record, cut short or unreadable (%s); it is removed so that new "
                "records follow whole ones",
                path,
                number,
                _why(exc),
            )
            return size
        size += len(line)
    return size


def _why(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _apply(record: Any, store: Store) -> None:
    if not isinstance(record, dict):
        raise BadRecord("the line is not a JSON object")
    version = record.get("v")
    # bool is an int to isinstance, and True == 1: "v": true is not a version
    if type(version) is not int or version not in _EVENTS:
        raise BadRecord(f"version {version!r}, this emulator reads versions {', '.join(map(str, _EVENTS))}")
    events = _EVENTS[version]
    try:
        event = record["event"]
        if event not in events:
            raise BadRecord(f"unknown event {event!r} in a version {version} record")
        if event == "shipment":
            store.add_shipment(_shipment(record, version))
        elif event == "cancel":
            # a shipment evicted from the bounded store is still in the journal: its cancel has nothing to do
            shipment = store.shipments.get(str(record["shipment_id"]))
            if shipment is not None:
                store.cancel(shipment, _time(record["at"]))
        elif event == "idempotency":
            store.remember(str(record["key"]), _bytes(record["request"]), _bytes(record["response"]))
        elif event == "account_linked":
            store.link_account(_text(record, "seller"), _account(record))
        elif event == "account_unlinked":
            _unlink(record, store)
        elif event == "collection_form":
            store.add_collection_form(_form(record))
        elif event == "claim":
            # as for a cancel: a shipment evicted since has no claims to answer for
            shipment = store.shipments.get(_text(record, "shipment_id"))
            if shipment is not None:
                store.add_claim(shipment, _text(record, "reason"), _text(record, "claim_id"))
        elif event == "tracking":
            _tracking(record, store)
        else:  # in _EVENTS but not replayed here: refused, never dropped
            raise BadRecord(f"unknown event {event!r}")
    except KeyError as exc:
        raise BadRecord(f"{exc.args[0]} is missing") from None
    except (TypeError, AttributeError) as exc:
        raise BadRecord(f"a field has the wrong type ({exc})") from None


def _shipment(record: dict[str, Any], version: int) -> Shipment:
    found = business(str(record["business_id"]))
    if found is None:
        raise BadRecord(f"unknown business id {record['business_id']!r}")
    label_dpi = record["label_dpi"]
    if not isinstance(label_dpi, int):
        raise BadRecord("label_dpi is not a whole number")
    # version 1 kept neither: such a shipment reads back as before, without them
    ship_to, services = (record["ship_to"], record["services"]) if version >= 2 else (None, [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise BadRecord("services is not a list of service ids")
    return Shipment(
        shipment_id=str(record["shipment_id"]),
        tracking_id=str(record["tracking_id"]),
        business=found,
        rate=rs.Rate.model_validate(record["rate"]),
        package_reference=str(record["package_reference"]),
        label=_bytes(record["label"]),
        label_format=str(record["label_format"]),
        label_dpi=label_dpi,
        purchased_at=_time(record["purchased_at"]),
        ship_from=rq.Address.model_validate(record["ship_from"]),
        ship_to=rq.Address.model_validate(ship_to) if ship_to is not None else None,
        services=tuple(services),
    )


def _account(record: dict[str, Any]) -> LinkedAccount:
    return LinkedAccount(
        account_id=_text(record, "account_id"),
        carrier_id=_text(record, "carrier_id"),
        account_type=_text(record, "account_type"),
        number=_text(record, "number"),
    )


def _unlink(record: dict[str, Any], store: Store) -> None:
    seller, carrier_id = _text(record, "seller"), _text(record, "carrier_id")
    current = store.carrier_accounts.get(seller, {}).get(carrier_id)
    # the unlink is of the account linked before it, or the journal has lost or reordered a line
    if current is None or current.account_id != _text(record, "account_id"):
        raise BadRecord(f"account {record['account_id']!r} of {carrier_id} was not linked for this seller")
    store.unlink_account(seller, carrier_id)


def _form(record: dict[str, Any]) -> CollectionForm:
    business_id = _text(record, "business_id")
    if business(business_id) is None:
        raise BadRecord(f"unknown business id {business_id!r}")
    shipment_ids = record["shipment_ids"]
    if not isinstance(shipment_ids, list) or not all(isinstance(s, str) for s in shipment_ids):
        raise BadRecord("shipment_ids is not a list of shipment ids")
    return CollectionForm(
        form_id=_text(record, "form_id"),
        business_id=business_id,
        carrier_id=_text(record, "carrier_id"),
        carrier_name=_text(record, "carrier_name"),
        created=_time(record["created"]),
        ship_from=rq.Address.model_validate(record["ship_from"]),
        shipment_ids=tuple(shipment_ids),
        pdf=_bytes(record["pdf"]),
    )


def _tracking(record: dict[str, Any], store: Store) -> None:
    code = _text(record, "code")
    # getTracking turns each code into a status: one it does not know is a newer emulator's
    if code not in EVENT_STATUS:
        raise BadRecord(f"unknown tracking event code {code!r}")
    shipment = store.shipments.get(_text(record, "shipment_id"))
    if shipment is not None:
        store.add_event(shipment, code, _time(record["at"]))


def _address(address: rq.Address) -> dict[str, Any]:
    # exclude_unset: the address reads back with the same fields set, so it is answered the same
    dumped: dict[str, Any] = address.model_dump(mode="json", exclude_unset=True)
    return dumped


def _text(record: dict[str, Any], name: str) -> str:
    value = record[name]
    if not isinstance(value, str):
        raise BadRecord(f"{name} is not a string")
    return value


def _time(text: Any) -> datetime:
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise BadRecord(f"time {text!r} has no time zone")
    return at


def _bytes(text: Any) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise BadRecord(f"not base64 ({exc})") from None
