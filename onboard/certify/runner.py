"""Running the certification catalog: each case's steps in order, its checks, and the clean-up.

Who calls it: ``onboard certify`` (and later the TUI and ``revalidate``). Order of events:

1. every case runs its steps against one ``ShippingClient`` (a case whose purchase step says
   ``format = "each"`` runs once per format and dpi chosen, each variant buying its own label);
2. each label bought is put on the run's pending list *before* anything else happens to it, then
   saved byte for byte and checked (``onboard.labels.check``) in a worker thread;
3. the checks of the case are evaluated on the stored results;
4. whatever happens (a failed case, an exception, Ctrl+C or SIGTERM), every label still pending is
   cancelled at the end, and the run is written to ``runs/<run_id>/run.json``.

A run is complete only when every selected case reached an outcome. One that was interrupted, lost its
server or met an error of onboard's own stops: the cases it never reached (or cut short) are ``error``
with ``reached: false``, and the record says ``complete: false`` with the reason in ``stopped``. An
answer the runner does not expect (a purchase without its documents, a field of the wrong kind) is the
error of the case it came in, never a crash.

"Every label on the pending list first" holds before anything parses the answer: the shipment ids of a
successful purchase or one-click are read from the raw answer the client recorded, whether or not the
answer then reads as Amazon's model, so a label bought in an answer the runner cannot use is still
cancelled (or listed for ``--cleanup``).

A purchase answered ``TOKEN_EXPIRED`` is re-rated and bought again: that is the recovery Amazon expects.

A oneClickShipment whose outcome is unknown (a 5xx, a connection dropped after sending) cannot be
repeated safely by the client: Amazon's model gives it no idempotency key. Outside production the
runner sends it again (``Options.one_click_resends``) because a sandbox label costs nothing, and says
so in the case's notes; against production it stays a failure for a person to look into.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from onboard import __version__
from onboard.certify.catalog import REQUIREMENTS, Case, Check, Step, required_by_onboard
from onboard.certify.forms import NotAForm, read_form
from onboard.certify.record import (
    LEAKED,
    Call,
    CaseRecord,
    Endpoints,
    FlowRequirement,
    Label,
    LabelCheckRecord,
    Pending,
    Printing,
    RunRecord,
    RunRecorder,
    Selection,
    Variant,
    Verdict,
    judge_label,
    label_holds_a_secret,
    shown,
)
from onboard.certify.redaction import redact_body
from onboard.display import counted
from onboard.errors import DiskError
from onboard.files import read_json
from onboard.labels import formats
from onboard.labels.check import LabelCheck, check_spec_supported, decode_contents
from onboard.models import requests as rq
from onboard.models import responses as rs
from onboard.names import safe_part
from onboard.spapi.client import CALL_TAG, ShippingClient
from onboard.spapi.errors import ApiResponseError, ConnectionFailure, SpApiError
from onboard.spapi.inputs import InputUnknown, fill
from onboard.spapi.retry import RETRYABLE_STATUSES
from onboard.workspace.state import Profile

T = TypeVar("T")
FORMATS: tuple[str, ...] = formats.NAMES
DPIS = (203, 300)
#: the detail of a case (or variant) the run never reached because it had stopped
NOT_RUN = "not run: the run had stopped (the server stopped answering)"
#: the operations whose successful answer means a label was bought
BUYING = frozenset({"purchaseShipment", "oneClickShipment"})


class CaseSkipped(Exception):
    """The case cannot run here (no rate needs it, no clock to age a quote): not a failure."""


class StepFailed(Exception):
    """A step went wrong in a way the case checks for: the case fails with this message."""


@dataclass(frozen=True, slots=True)
class Options:
    formats: tuple[str, ...] = FORMATS
    dpis: tuple[int, ...] = DPIS
    #: POST body → emulator control plane, to age a quote; None where there is none (Amazon)
    control_url: str | None = None
    #: how often a oneClickShipment with an unknown outcome is sent again (0 against production)
    one_click_resends: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run sets out to prove for sign-off, and what its selection leaves out (recorded as partial)."""

    selection: Selection
    printing: Printing
    requirements: list[FlowRequirement]
    lacks: list[str]


def plan_run(
    cases: list[Case],
    catalog: list[Case],
    formats: tuple[str, ...],
    dpis: tuple[int, ...],
    printing: Printing,
) -> Plan:
    """The requirements (every one the built-in catalog marks, and any the run's catalog adds), the case
    that proves each, and what the selected cases, formats and dpis cannot show."""
    marked: dict[str, str] = {}
    for case in catalog:
        if case.requirement and case.requirement not in marked:
            marked[case.requirement] = case.id
    wanted = set(required_by_onboard()) | set(marked)
    requirements = [FlowRequirement(id=name, case=marked.get(name)) for name in REQUIREMENTS if name in wanted]
    selected = {case.id for case in cases}
    lacks: list[str] = []
    for requirement in requirements:
        title = REQUIREMENTS[requirement.id].title
        if requirement.case is None:
            lacks.append(f"{title}: no case in the catalog proves it")
        elif requirement.case not in selected:
            lacks.append(f"{title}: {requirement.case} was not selected")
    buyable: set[tuple[str, int]] = set()
    for case in cases:
        buyable |= case.label_specs(formats, dpis)
    for fmt, dpi in printing.specs():
        if (fmt, dpi) not in buyable:
            why = (
                "--formats/--dpi left it out" if fmt not in formats or dpi not in dpis else "no selected case buys one"
            )
            lacks.append(f"a {fmt} label at {dpi} dpi (the shipper prints it): {why}")
    selection = Selection(
        cases=[case.id for case in cases], catalog=[case.id for case in catalog], formats=list(formats), dpis=list(dpis)
    )
    return Plan(selection, printing, requirements, lacks)


@dataclass(slots=True)
class CaseResult:
    id: str
    title: str
    source: str
    status: str = "passed"
    detail: str = ""
    elapsed_ms: float = 0.0
    labels: list[Label] = field(default_factory=list)
    variants: list[dict[str, str]] = field(default_factory=list)
    #: what a reviewer should know although the case passed (a call sent again after an unknown outcome)
    notes: list[str] = field(default_factory=list)
    requirement: str | None = None
    #: the SHA-256 of the case's definition (catalog.Case.definition)
    definition: str | None = None
    #: the case began; and it reached an outcome (every variant ran to its end)
    started: bool = False
    reached: bool = False

    def summary(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "status": self.status, "detail": self.detail}

    def to_record(self) -> CaseRecord:
        return CaseRecord(
            id=self.id,
            title=self.title,
            status=self.status,
            detail=self.detail,
            source=self.source,
            elapsed_ms=round(self.elapsed_ms, 1),
            requirement=self.requirement,
            definition=self.definition,
            reached=self.reached,
            labels=self.labels,
            variants=[Variant.model_validate(variant) for variant in self.variants],
            notes=self.notes,
        )


@dataclass(slots=True)
class _Bought:
    shipment_id: str
    tracking_id: str
    carrier_id: str
    reference: str
    fmt: str
    dpi: int


class _Context:
    """What one run of a case has learnt so far: results by step name, and the last quote and label."""

    def __init__(self, case: Case, variant: tuple[str, int] | None, reference: str) -> None:
        self.case = case
        self.variant = variant
        self.reference = reference
        self.results: dict[str, Any] = {}
        self.quote: rs.GetRatesResult | None = None
        self.request: rq.GetRatesRequest | None = None
        self.bought: _Bought | None = None
        #: the rate an additional_inputs step fetched the schema of, and that schema
        self.inputs: tuple[rs.Rate, dict[str, Any]] | None = None
        #: the access point an access_points step chose, and the collection form a history step found
        self.access_point: str | None = None
        self.collection_form_id: str | None = None
        self.labels: list[Label] = []
        self.notes: list[str] = []
        # label checks under way in worker threads while the case's next calls go out
        self.checking: list[asyncio.Task[None]] = []


class Certification:
    def __init__(
        self,
        client: ShippingClient,
        profile: Profile,
        recorder: RunRecorder,
        options: Options | None = None,
        progress: Callable[[CaseResult], None] | None = None,
    ) -> None:
        self.client = client
        self.profile = profile
        self.recorder = recorder
        self.options = options or Options()
        self.progress = progress
        self.results: list[CaseResult] = []
        self.cancel_failures: list[str] = []
        #: why the run stopped early (the server stopped answering, a signal, an error); None while it runs
        self.stopped: str | None = None
        #: the signal that interrupted the run (``SIGINT``, ``SIGTERM``), set by whoever caught it
        self.interrupted: str | None = None
        self._server_gone = False
        #: purchases under way, let finish even when the run is cancelled (see _shielded)
        self._buying: set[asyncio.Future[Any]] = set()
        #: the client's calls already read for the labels they bought, and every shipment ever listed
        self._scanned: set[int] = set()
        self._listed: set[str] = set()
        self.started = datetime.now(UTC)
        #: what the record written before and after each purchase says of the run (see :meth:`recording`)
        self._recording: tuple[str, Endpoints, Plan] | None = None
        #: the client's calls as recorded (redacted), in the client's order
        self._calls: list[Call] = []
        #: the disk's refusal that stopped the run, if one did: nothing more is bought after it
        self._disk: DiskError | None = None
        #: set once every case has ended or been stopped: the run is cancelling what it bought
        self.cleaning_up = False
        #: the shipments the clean-up at the end of the run cancelled
        self.cancelled_at_end: list[str] = []

    # --- the run --------------------------------------------------------------------------------------

    @property
    def open_labels(self) -> int:
        """Labels bought and not cancelled yet, with the purchases still being answered."""
        return len(self.recorder.pending) + len(self._buying)

    def interrupt(self, signal_name: str) -> None:
        """Say why the run is about to be cancelled (the caller then cancels the task running it)."""
        self.interrupted = self.interrupted or signal_name

    @property
    def complete(self) -> bool:
        return self.stopped is None and all(result.reached for result in self.results)

    async def run(self, cases: list[Case], concurrency: int = 4) -> list[CaseResult]:
        """Run the cases, a few at a time (each case is independent: its own quote, its own label), and
        report each as it ends; the results keep the catalog's order, one per case selected, each either
        reached or marked as not run."""
        gate = asyncio.Semaphore(max(1, concurrency))
        if "PDF" in self.options.formats:
            # PDF labels are drawn in a worker process: started now, its start overlaps the first calls
            from onboard.labels.pdf_worker import warm  # noqa: PLC0415

            warm()
        self.results = [
            CaseResult(
                case.id,
                case.title,
                case.source,
                requirement=case.requirement,
                definition=case.definition,
                status="error",
            )
            for case in cases
        ]

        async def one(case: Case, result: CaseResult) -> None:
            async with gate:
                await self._case(case, result)
            if self.progress:
                self.progress(result)

        try:
            # a TaskGroup, not gather: when anything escapes a case, the others are cancelled and waited
            # for before the clean-up, so nothing buys a label after the pending list was cancelled
            async with asyncio.TaskGroup() as group:
                for case, result in zip(cases, self.results, strict=True):
                    group.create_task(one(case, result))
        except asyncio.CancelledError:
            # a signal (or the TUI) cancelled the run: record it and clean up instead of dying half-way
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            self.stopped = self.stopped or f"interrupted ({self.interrupted or 'cancelled'})"
        except Exception as error:  # an error of onboard's own: the run stops, saved as incomplete
            self.stopped = self.stopped or f"onboard failed: {_describe(error)}"
        finally:
            self.cleaning_up = True
            if self.stopped is None and (failed := self._every_call_failed()) is not None:
                # the run went to its end, but against a server that never answered: no verdict of its own
                self.stopped, self._server_gone = failed, True
            self._mark_unreached()
            if self._buying:
                # a purchase the signal caught mid-flight is answered by now or soon (the client's deadlines
                # bound it): its label goes on the list below, rather than exist with nobody knowing of it
                await asyncio.gather(*self._buying, return_exceptions=True)
            self._pending_from_answers(0, None)
            await self.cancel_pending()
        return self.results

    async def _shielded(self, call: Coroutine[Any, Any, T]) -> T:
        """Await a purchase that a cancelled run lets finish: cancelling it after it was sent would leave
        a label bought whose shipment id nobody ever reads."""
        task = asyncio.ensure_future(call)  # the task copies this one's context: its calls keep the case's tag
        self._buying.add(task)
        task.add_done_callback(_settled(self._buying))
        return await asyncio.shield(task)

    def _mark_unreached(self) -> None:
        for result in self.results:
            if result.reached:
                continue
            result.status = "error"
            if not result.started:
                result.detail = self._not_run()
            else:
                result.detail = f"cut short: {self.stopped or 'the run ended'} before the case ended"

    def _every_call_failed(self) -> str | None:
        """Why a run that went to its end still proves nothing: not one call was answered (each a 429 or a
        5xx through its retries, or no answer at all); None when any was."""
        calls = self.client.calls
        # any other status is an answer (a 2xx, a redirect, a 4xx), and so is one too big to read
        if not calls or any(
            c.error_code == "ResponseTooLarge" or (c.status is not None and c.status not in RETRYABLE_STATUSES)
            for c in calls
        ):
            return None
        return f"every call failed ({len(calls)} attempts); the last: {self.client.budget.last_failure}"

    def _not_run(self) -> str:
        if self.stopped is None or self._server_gone:
            return NOT_RUN
        return f"not run: the run had stopped ({self.stopped})"

    async def cancel_pending(self) -> None:
        """Cancel every label this run bought and has not cancelled yet; remember any that resisted."""
        for pending in list(self.recorder.pending.values()):
            problem = await cancel_left(self.client, pending.shipment_id)
            if problem is None:
                self.recorder.cancelled(pending.shipment_id)
                self.cancelled_at_end.append(pending.shipment_id)
            else:
                self.cancel_failures.append(f"{shown(pending.shipment_id)}: {problem}")

    async def _case(self, case: Case, result: CaseResult) -> None:
        CALL_TAG.set(case.id)  # this task's calls are this case's, in the record
        if self.stopped is not None:
            # the run stopped while this case waited its turn: it stays "not run", and says why
            result.status, result.detail = "error", self._not_run()
            return
        result.started = True
        started = time.perf_counter()
        variants: list[tuple[str, int] | None] = [None]
        if any(step.format == "each" for step in case.steps):
            variants = [(fmt, dpi) for fmt in self.options.formats for dpi in self.options.dpis]
        outcomes = []
        reached = True
        for number, variant in enumerate(variants, start=1):
            if self.stopped is not None:
                status, detail = "error", self._not_run()
                reached = False
            else:
                reference = f"{self.recorder.run_id}-{case.id}-{number}"
                status, detail = await self._variant(case, variant, reference, result)
                if self.stopped is None and self.client.down is not None:
                    # the token URL failed through a whole backoff, or every call failed for the client's whole
                    # window: the server is down, and the other cases with it
                    self.stopped = self.client.down
                    self._server_gone = True
            outcomes.append((variant, status, detail))
            if variant is not None:
                result.variants.append(
                    {"variant": f"{variant[0]} {variant[1]} dpi", "status": status, "detail": detail}
                )
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        statuses = [status for _, status, _ in outcomes]
        for worst in ("error", "failed", "passed", "skipped"):
            if worst in statuses:
                result.status = worst
                break
        details = [(f"{v[0]} {v[1]} dpi: " if v else "") + d for v, s, d in outcomes if s == result.status and d]
        result.detail = "; ".join(details[:3]) + (f" (and {len(details) - 3} more)" if len(details) > 3 else "")
        result.reached = reached

    async def _variant(
        self, case: Case, variant: tuple[str, int] | None, reference: str, result: CaseResult
    ) -> tuple[str, str]:
        context = _Context(case, variant, reference)
        try:
            if case.applies is not None:
                why = case.applies.skip_reason(self.client.business_id, self.profile.environment)
                if why is not None:
                    raise CaseSkipped(why)
            for step in case.steps:
                await self._step(step, context)
            await asyncio.gather(*context.checking)
            failures = [message for check in case.checks if (message := self._check(check, context))]
        except CaseSkipped as skipped:
            return "skipped", str(skipped)
        except StepFailed as failed:
            return "failed", _with_notes(str(failed), context)
        except ApiResponseError as error:
            return "failed", _with_notes(error.one_line(), context)
        except ConnectionFailure as error:
            if not error.sent and self.stopped is None:
                # connections refused through a whole backoff: the server is gone, and the other cases with it
                self.stopped = self.client.down or error.one_line()
                self._server_gone = True
            # else one answer lost (a one-click is never re-sent by the client): this case's error alone
            return "error", _with_notes(error.one_line(), context)
        except SpApiError as error:
            return "error", _with_notes(error.one_line(), context)
        except DiskError as error:
            # the run cannot be recorded: it buys nothing more, and cancels what it bought
            self._disk_refused(error)
            return "error", _with_notes(f"not recorded: {error.message}", context)
        except Exception as error:
            # an answer the runner did not expect (a list empty that must not be, a field of another kind):
            # this case's error, told in one line; the run goes on and cleans up
            return "error", _with_notes(f"unexpected: {_describe(error)}", context)
        finally:
            # labels already bought are recorded (checked) even when a later step fails
            await asyncio.gather(*context.checking, return_exceptions=True)
            result.labels += context.labels
            result.notes += context.notes
        if failures:
            return "failed", _with_notes("; ".join(failures), context)
        return "passed", _with_notes(f"{counted(len(case.checks), 'check')} passed", context)

    # --- the steps ------------------------------------------------------------------------------------

    async def _step(self, step: Step, context: _Context) -> None:
        handler = getattr(self, f"_do_{step.do}")
        try:
            value = await handler(step, context)
        except ApiResponseError as error:
            if step.expect_error is None:
                raise
            expected = step.expect_error
            if (expected.status and error.status not in expected.status) or (
                expected.code and error.code not in expected.code
            ):
                raise StepFailed(f"{step.do} failed otherwise than expected: {error.one_line()}") from None
            context.results[step.key] = {
                "status": error.status,
                "code": error.code,
                "message": error.amazon_message,
                "details": error.details or "",
                "requestId": error.request_id,
            }
            return
        if step.expect_error is not None:
            raise StepFailed(f"{step.do} succeeded where an error was expected ({step.expect_error.model_dump()})")
        context.results[step.key] = value

    async def _do_get_rates(self, step: Step, context: _Context) -> Any:
        request = self.profile.sample().rates_request(context.reference)
        if step.to_access_point:
            if context.access_point is None:
                raise StepFailed("get_rates with to_access_point needs an access_points step before it")
            point = rq.AccessPointDetails(accessPointId=context.access_point)
            request = request.model_copy(update={"destinationAccessPointDetails": point})
        if step.remove or step.replace or step.access_token:
            body = request.model_dump(mode="json", exclude_none=True)
            for path in step.remove:
                _delete(body, path)
            for path, value in step.replace.items():
                _assign(body, path, value)
            raw = await self.client.send_raw(
                "getRates", "POST", "/shipping/v2/shipments/rates", body, access_token=step.access_token
            )
            return redact_body(raw)
        if context.case.buys:
            # the record is written before the quote a purchase will use, not between the two: a quote is
            # bought from within moments (Amazon's requestToken lasts 10 minutes; a case may age it on purpose)
            await self._ready_to_buy()
        quote = await self.client.get_rates(request)
        context.quote, context.request = quote, request
        return quote.model_dump(mode="json", exclude_none=True)

    def _spec_for(self, step: Step, context: _Context, rate: rs.Rate) -> rq.RequestedDocumentSpecification:
        fmt: str
        if step.format in formats.NAMES:
            fmt, dpi = step.format, step.dpi or self.options.dpis[0]
        elif step.format == "each" and context.variant is not None:
            fmt, dpi = context.variant
        else:
            fmt, dpi = self.options.formats[0], step.dpi or self.options.dpis[0]
        offered = {s.format: s for s in rate.supportedDocumentSpecifications}
        spec = offered.get(fmt)
        if spec is None:
            raise CaseSkipped(f"the rate offers no {fmt} label (offered: {', '.join(offered) or 'none'})")
        option = spec.printOptions[0] if spec.printOptions else rs.PrintOption()
        if option.supportedDPIs is not None and dpi not in option.supportedDPIs:
            raise CaseSkipped(f"the rate offers {fmt} at {option.supportedDPIs} dpi, not {dpi}")
        mandatory = [d.name for d in option.supportedDocumentDetails if d.isMandatory] or ["LABEL"]
        return rq.RequestedDocumentSpecification(
            format=fmt,  # type: ignore[arg-type]
            size=rq.DocumentSize(width=spec.size.width, length=spec.size.length, unit=spec.size.unit),  # type: ignore[arg-type]
            dpi=dpi,
            pageLayout=option.supportedPageLayouts[0] if option.supportedPageLayouts else None,
            needFileJoining=option.supportedFileJoiningOptions[0] if option.supportedFileJoiningOptions else False,
            requestedDocumentTypes=mandatory,  # type: ignore[arg-type]
        )

    async def _do_purchase(self, step: Step, context: _Context) -> Any:
        if context.quote is None or context.request is None:
            raise StepFailed("purchase needs a get_rates step before it")
        requoted = False
        for attempt in (1, 2):
            quote = context.quote
            if not quote.rates:
                raise StepFailed("getRates offered no rate to buy")
            rate = _rate_for(step, context, quote)
            spec = self._spec_for(step, context, rate)
            supported = check_spec_supported(spec, rate.supportedDocumentSpecifications)
            request = rq.PurchaseShipmentRequest(
                requestToken=quote.requestToken,
                rateId=rate.rateId,
                requestedDocumentSpecification=spec,
                requestedValueAddedServices=_required_services(rate),
                additionalInputs=self._inputs_for(step, context, rate),
            )
            key = hashlib.sha256(f"{context.reference}:{quote.requestToken}:{rate.rateId}".encode()).hexdigest()[:32]
            self._may_buy()
            since = len(self.client.calls)
            try:
                bought = await self._shielded(self.client.purchase_shipment(request, idempotency_key=key))
                break
            except ApiResponseError as error:
                if error.code != "TOKEN_EXPIRED" or attempt == 2:
                    raise
                # Amazon's 10 minutes are up: rate again and buy with the new token
                context.quote = await self.client.get_rates(context.request)
                requoted = True
            finally:
                self._pending_from_answers(since, context.case.id)
        self._pending_from_result(context, bought.shipmentId, bought.packageDocumentDetails)
        await self._bought_checkpoint()
        value = _without_contents(bought.model_dump(mode="json", exclude_none=True))
        value["requoted"] = requoted
        value["label"] = await self._label(
            context,
            "purchaseShipment",
            bought.shipmentId,
            bought.packageDocumentDetails,
            rate.carrierId,
            spec,
            supported,
        )
        return value

    async def _do_one_click(self, step: Step, context: _Context) -> Any:
        sample = self.profile.sample().rates_request(context.reference)
        service = _resolve(context.results, step.service) if step.service else None
        if context.quote is None or not context.quote.rates:
            raise StepFailed("one_click needs a get_rates step that offered a rate (for the service and spec)")
        rate = context.quote.rates[0]
        spec = self._spec_for(step, context, rate)
        request = rq.OneClickShipmentRequest(
            shipFrom=sample.shipFrom,
            shipTo=sample.shipTo,
            packages=sample.packages,
            channelDetails=sample.channelDetails,
            labelSpecifications=spec,
            serviceSelection=rq.ServiceSelection(serviceId=[str(service or rate.serviceId)]),
        )
        bought = await self._one_click(request, context)
        self._pending_from_result(context, bought.shipmentId, bought.packageDocumentDetails)
        await self._bought_checkpoint()
        value = _without_contents(bought.model_dump(mode="json", exclude_none=True))
        supported = check_spec_supported(spec, rate.supportedDocumentSpecifications)
        value["label"] = await self._label(
            context,
            "oneClickShipment",
            bought.shipmentId,
            bought.packageDocumentDetails,
            bought.carrier.id,
            spec,
            supported,
        )
        return value

    async def _one_click(self, request: rq.OneClickShipmentRequest, context: _Context) -> rs.OneClickShipmentResult:
        attempt = 1
        while True:
            self._may_buy()
            since = len(self.client.calls)
            try:
                return await self._shielded(self.client.one_click_shipment(request))
            except SpApiError as error:
                if not error.outcome_unknown or attempt > self.options.one_click_resends:
                    raise
                context.notes.append(
                    f"oneClickShipment sent again: attempt {attempt} ended in {error.one_line()}, outcome unknown; "
                    "if it bought a label, onboard never learnt its shipment id (a sandbox label costs nothing)"
                )
                await asyncio.sleep(self.client.policy.delay(attempt))
                attempt += 1
            finally:
                self._pending_from_answers(since, context.case.id)

    def _pending_from_answers(self, since: int, case_id: str | None) -> None:
        """Put on the pending list every label a successful purchase answer named since call ``since``
        (of case ``case_id``, or of any case), read from the raw answer: before (and whether or not) it
        reads as Amazon's model. Each answer is read once; a shipment once listed is never listed again."""
        calls = self.client.calls
        for index in range(since, len(calls)):
            call = calls[index]
            if index in self._scanned or (case_id is not None and call.tag != case_id):
                continue
            self._scanned.add(index)
            if call.operation not in BUYING or call.status is None:
                continue
            if not 200 <= call.status < 300 or call.response_body is None:
                continue
            found = _bought_in(call.response_body)
            if found is None:
                # a success that names no shipment: a label may exist that nothing here can cancel
                self.cancel_failures.append(
                    f"{call.operation} answered {call.status} (x-amzn-RequestId {shown(call.request_id or 'none')}) "
                    "without a shipment id: if it bought a label, cancel it in Amazon's own systems"
                )
                continue
            shipment_id, tracking_ids = found
            self._register(call.tag or "", shipment_id, tracking_ids[0] if tracking_ids else "")

    def _pending_from_result(
        self, context: _Context, shipment_id: str, details: list[rs.PackageDocumentDetail]
    ) -> None:
        # the same from the parsed answer, for a client that keeps no bodies
        tracking_id = next((d.trackingId for d in details if d.trackingId), "") or ""
        self._register(context.case.id, shipment_id, tracking_id)

    def _register(self, case_id: str, shipment_id: str, tracking_id: str) -> None:
        if shipment_id and shipment_id not in self._listed:
            self._listed.add(shipment_id)
            self.recorder.bought(
                Pending(
                    shipment_id=shipment_id,
                    tracking_id=tracking_id,
                    case_id=case_id,
                    business_id=self.client.business_id,
                )
            )
            if self.recorder.unsaved is not None:
                self._disk_refused(self.recorder.unsaved)

    def recording(self, environment: str, endpoints: Endpoints, plan: Plan) -> None:
        """From now on, write the record as it stands (not ended) before and after each purchase."""
        self._recording = (environment, endpoints, plan)

    async def _checkpoint(self) -> None:
        if self._recording is None:
            return
        # the record is taken here, on the loop, where the run changes; the writing is done in a thread
        seq, data = self.recorder.snapshot(self.record(*self._recording, ended=False))
        await asyncio.to_thread(self.recorder.write_snapshot, seq, data, durable=False)

    async def _ready_to_buy(self) -> None:
        """Write the pending list and the record as they stand before a case asks the quote it buys from: a
        label is bought only while the run can be recorded. A disk that refuses stops the run here."""
        self._may_buy()
        try:
            await self._checkpoint()
        except DiskError as error:
            self._disk_refused(error)
            raise

    def _may_buy(self) -> None:
        """Right before a purchase is sent (nothing awaited): not once the disk has refused the run's record,
        nor while the pending list on disk is behind the one in memory."""
        try:
            if self._disk is not None:
                raise DiskError(self._disk.message, self._disk.hint)
            self.recorder.flush()
        except DiskError as error:
            self._disk_refused(error)
            raise

    async def _bought_checkpoint(self) -> None:
        # after a purchase: the label is on the list in memory whatever the disk says; a refusal stops the run
        try:
            await self._checkpoint()
        except DiskError as error:
            self._disk_refused(error)

    def _disk_refused(self, error: DiskError) -> None:
        self._disk = self._disk or error
        self.stopped = self.stopped or f"the disk refused the run's record ({error.message})"

    def _request_id(self, context: _Context, operation: str) -> str | None:
        """The x-amzn-RequestId of this case's last successful answer to ``operation``."""
        for call in reversed(self.client.calls):
            if call.tag == context.case.id and call.operation == operation and call.status and call.status < 300:
                return call.request_id
        return None

    async def _label(
        self,
        context: _Context,
        operation: str,
        shipment_id: str,
        details: list[rs.PackageDocumentDetail],
        carrier_id: str,
        spec: rq.RequestedDocumentSpecification,
        supported: LabelCheck,
    ) -> Label:
        if not details:
            raise StepFailed(
                f"{operation} answered without packageDocumentDetails: no label came back for shipment "
                f"{shown(shipment_id)} (it is cancelled with the rest)"
            )
        detail = details[0]
        tracking_id = detail.trackingId or ""
        context.bought = _Bought(
            shipment_id, tracking_id, carrier_id, detail.packageClientReferenceId, spec.format, spec.dpi or 203
        )
        document = next((d for d in detail.packageDocuments if d.type == "LABEL"), None)
        if document is None:
            raise StepFailed(f"shipment {shown(shipment_id)} came back without a LABEL document")
        return await self._keep_label(
            context,
            document,
            tracking_id,
            spec.format,
            spec.dpi or 203,
            LabelCheckRecord.model_validate(supported.to_json()),
            shipment_id=shipment_id,
            request_id=self._request_id(context, operation),
        )

    async def _keep_label(
        self,
        context: _Context,
        document: rs.PackageDocument,
        tracking_id: str,
        fmt: str,
        dpi: int,
        supported: LabelCheckRecord | None,
        kind: str = "label",
        *,
        shipment_id: str,
        request_id: str | None,
    ) -> Label:
        data = decode_contents(document.contents)
        label = Label(
            case=context.case.id,
            kind="reprint" if kind == "reprint" else "label",
            format=fmt,
            dpi=dpi,
            tracking_id=tracking_id,
            shipment_id=shipment_id,
            request_id=request_id,
        )
        if data is not None:
            name = label_file_name(context.case.id, fmt, dpi, tracking_id, reprint=kind == "reprint")
            label.file = self.recorder.save_label(name, data)
            label.sha256 = hashlib.sha256(data).hexdigest()
            label.size = len(data)
        # else not base64 at all (Amazon's sandbox placeholder): nothing to keep; the check says what it is

        def judged() -> tuple[Verdict, bool]:
            verdict = judge_label(document.contents, fmt=fmt, dpi=dpi, tracking_id=tracking_id, spec=supported)
            return verdict, data is not None and label_holds_a_secret(data, fmt)

        async def check() -> None:
            # pixels and barcodes are decoded in a worker thread while the case's next calls go out;
            # the label is completed in place before any check of the case reads it
            verdict, leaked = await asyncio.to_thread(judged)
            label.status, label.passed, label.report = verdict.status, verdict.passed, verdict.report
            if leaked and label.file:
                # a server wrote a credential onto the label: the file goes, so no pack can ever carry it
                self.recorder.drop_label(label.file)
                label.file, label.sha256, label.size = None, None, 0
                label.status, label.passed = "failed", False
                label.report.ok = False
                label.report.checks.insert(0, LabelCheckRecord(name="secrets", ok=False, detail=LEAKED))

        context.checking.append(asyncio.ensure_future(check()))
        context.labels.append(label)
        return label

    async def _do_track(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        tracking = await self.client.get_tracking(bought.tracking_id, bought.carrier_id)
        return tracking.model_dump(mode="json", exclude_none=True)

    async def _do_reprint(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        documents = await self.client.get_shipment_documents(
            _segment(bought.shipment_id), bought.reference, bought.fmt, bought.dpi
        )
        detail = documents.packageDocumentDetail
        document = next((d for d in detail.packageDocuments if d.type == "LABEL"), None)
        if document is None:
            raise StepFailed("getShipmentDocuments returned no LABEL document")
        value = _without_contents(documents.model_dump(mode="json", exclude_none=True))
        value["label"] = await self._keep_label(
            context,
            document,
            bought.tracking_id,
            bought.fmt,
            bought.dpi,
            None,
            kind="reprint",
            shipment_id=bought.shipment_id,
            request_id=self._request_id(context, "getShipmentDocuments"),
        )
        return value

    async def _do_cancel(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        # a cancel that is meant to fail (a second one) must not be taken for a lost first one
        await self.client.cancel_shipment(_segment(bought.shipment_id), lost_cancel_is_done=step.expect_error is None)
        self.recorder.cancelled(bought.shipment_id)
        return {"shipmentId": bought.shipment_id, "cancelled": True}

    async def _do_age_quote(self, step: Step, context: _Context) -> Any:
        if self.options.control_url is None:
            raise CaseSkipped(
                "ageing a requestToken needs a real 10-minute wait against Amazon; run against the emulator"
            )
        if context.quote is None:
            raise StepFailed("age_quote needs a get_rates step before it")
        seconds = step.seconds or 601
        # this quote alone: the cases running beside this one keep theirs fresh
        ask = {"age_quote": {"requestToken": context.quote.requestToken, "seconds": seconds}}
        response = await self.client.http.post(self.options.control_url, json=ask)
        response.raise_for_status()
        return {"aged_seconds": seconds}

    async def _do_additional_inputs(self, step: Step, context: _Context) -> Any:
        if context.quote is None:
            raise StepFailed("additional_inputs needs a get_rates step before it")
        for attempt in (1, 2):
            needing = [rate for rate in context.quote.rates if rate.requiresAdditionalInputs]
            if not needing:
                raise CaseSkipped("no rate offered requires additional inputs")
            try:
                schema = await self.client.get_additional_inputs(context.quote.requestToken, needing[0].rateId)
                break
            except ApiResponseError as error:
                # the quote's 10 minutes are up (another case may have aged the emulator's clock): rate again,
                # as a purchase does
                if error.code != "TOKEN_EXPIRED" or attempt == 2 or context.request is None:
                    raise
                context.quote = await self.client.get_rates(context.request)
        context.inputs = (needing[0], schema)
        return {"rateId": needing[0].rateId, "serviceId": needing[0].serviceId, "schema": schema}

    async def _do_access_points(self, step: Step, context: _Context) -> Any:
        ship_to = self.profile.ship_to
        found = await self.client.get_access_points(step.types, ship_to.countryCode, ship_to.postalCode)
        chosen = next(
            (point for kind in step.types for point in found.accessPointsMap.get(kind) or [] if point.accessPointId),
            None,
        )
        near = f"{ship_to.postalCode} {ship_to.countryCode}"
        if chosen is None:
            raise CaseSkipped(f"getAccessPoints listed no {', '.join(step.types)} access point near {near}")
        context.access_point = chosen.accessPointId
        address = chosen.address
        return {
            "near": near,
            "found": {kind: len(points) for kind, points in found.accessPointsMap.items()},
            "chosen": {
                "accessPointId": chosen.accessPointId,
                "type": chosen.type,
                "name": chosen.name,
                "postalCode": address.postalCode if address else None,
                "countryCode": address.countryCode if address else None,
            },
        }

    async def _do_collection_form(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        request = rq.GenerateCollectionFormRequest(carrierId=bought.carrier_id, shipFromAddress=self.profile.ship_from)
        # one key per case run: a retried generation is the same form, not a second one
        key = hashlib.sha256(f"{context.reference}:collection-form".encode()).hexdigest()[:32]
        made = await self.client.generate_collection_form(request, idempotency_key=key)
        return await self._read_form("generateCollectionForm", made.collectionsFormDocument, context)

    async def _do_collection_form_history(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        request = rq.GetCollectionFormHistoryRequest(
            carrierId=bought.carrier_id, shipFromAddress=self.profile.ship_from
        )
        history = await self.client.get_collection_form_history(request)
        records = [r for r in history.collectionFormsHistoryRecordList or [] if r.collectionFormId]
        if not records:
            raise StepFailed(
                f"getCollectionFormHistory lists no collection form for carrier {shown(bought.carrier_id)} from "
                f"{self.profile.ship_from.postalCode}"
            )
        # the form this case generated moments ago is the newest of its carrier and address
        newest = max(records, key=lambda r: r.creationDate.timestamp() if r.creationDate else float("-inf"))
        context.collection_form_id = newest.collectionFormId
        return {
            "count": len(records),
            "collectionFormId": newest.collectionFormId,
            "generationStatus": newest.generationStatus,
            "creationDate": newest.creationDate.isoformat() if newest.creationDate else None,
        }

    async def _do_collection_form_reprint(self, step: Step, context: _Context) -> Any:
        if context.collection_form_id is None:
            raise StepFailed("collection_form_reprint needs a collection_form_history step before it")
        form = await self.client.get_collection_form(_segment(context.collection_form_id))
        return await self._read_form("getCollectionForm", form.collectionsFormDocument, context)

    async def _read_form(
        self, operation: str, document: rs.CollectionsFormDocument | None, context: _Context
    ) -> dict[str, Any]:
        """What a collection form shows: a PDF, and whether it lists the label this case bought."""
        bought = _need(context)
        if document is None or not document.base64EncodedContent:
            raise StepFailed(f"{operation} answered without a collection form document")
        try:
            # pypdf reads every page: in a worker thread, as label checks are, while other cases' calls go out
            read = await asyncio.to_thread(read_form, document.base64EncodedContent, [bought.tracking_id])
        except NotAForm as error:
            raise StepFailed(str(error)) from None
        return {
            "documentFormat": document.documentFormat,
            "size": read.size,
            "sha256": read.sha256,
            "pages": read.pages,
            "trackingId": bought.tracking_id,
            "listsPurchase": bought.tracking_id in read.listed,
        }

    def _inputs_for(self, step: Step, context: _Context, rate: rs.Rate) -> dict[str, Any] | None:
        if step.rate != "additional_inputs" or not step.inputs or context.inputs is None:
            return None
        if context.request is None:
            raise StepFailed("purchase needs a get_rates step before it")
        try:
            return fill(context.inputs[1], context.request)
        except InputUnknown as unknown:
            raise CaseSkipped(f"{unknown}; give it in a workspace case of your own") from None

    # --- the checks -----------------------------------------------------------------------------------

    def _check(self, check: Check, context: _Context) -> str | None:
        """None when the check holds, else one line saying what was found instead."""
        try:
            value = _resolve(context.results, check.path)
        except KeyError:
            return f"{check.path} is missing"
        rule = check.rule
        if rule == "exists":
            return None
        if rule == "not_empty":
            return None if value not in (None, "", [], {}) else f"{check.path} is empty"
        if rule == "equals":
            return None if value == check.value else f"{check.path} is {value!r}, expected {check.value!r}"
        if rule == "one_of":
            allowed = check.value if isinstance(check.value, list) else [check.value]
            return None if value in allowed else f"{check.path} is {value!r}, expected one of {allowed!r}"
        if rule == "equals_path":
            try:
                other = _resolve(context.results, str(check.value))
            except KeyError:
                return f"{check.value} is missing"
            return None if value == other else f"{check.path} is {value!r}, {check.value} is {other!r}"
        # label_passes
        if not isinstance(value, Label):
            return f"{check.path} is not a label"
        return None if value.passed else value.problem()

    def record(self, environment: str, endpoints: Endpoints, plan: Plan, *, ended: bool = True) -> RunRecord:
        """The run as written to run.json: redacted, with every call's x-amzn-RequestId and timing.
        ``ended=False`` is the record written as the run starts: not finished, not complete."""
        passed = bool(self.results) and all(r.status in ("passed", "skipped") for r in self.results)
        complete = ended and self.complete
        return RunRecord(
            run_id=self.recorder.run_id,
            tool_version=__version__,
            environment=environment,
            endpoints=endpoints,
            business_id=self.client.business_id,
            region=self.profile.region,
            shipper=self.profile.shipper_name,
            started=self.started,
            finished=datetime.now(UTC) if ended else None,
            ok=passed and complete and not self.recorder.pending and not self.cancel_failures,
            complete=complete,
            stopped=self.stopped if ended else "the run has not ended: it is still running, or it was killed",
            selection=plan.selection,
            printing=plan.printing,
            requirements=plan.requirements,
            partial=bool(plan.lacks),
            lacks=plan.lacks,
            cases=[result.to_record() for result in self.results],
            left_open=list(self.recorder.pending),
            cancelled_at_end=list(self.cancelled_at_end),
            cancel_failures=self.cancel_failures,
            calls=self._recorded_calls(),
        )

    def _recorded_calls(self) -> list[Call]:
        # each attempt is redacted once, when first recorded: the record is taken before and after each purchase
        done = self._calls
        done += [
            Call(
                case=c.tag,
                operation=c.operation,
                method=c.method,
                path=c.path,
                attempt=c.attempt,
                status=c.status,
                request_id=c.request_id,
                elapsed_ms=round(c.elapsed_ms, 2),
                error_code=c.error_code,
                request=redact_body(c.request_body),
                response=redact_body(c.response_body),
            )
            for c in self.client.calls[len(done) :]
        ]
        return list(done)


def label_file_name(case_id: str, fmt: str, dpi: int, tracking_id: str, *, reprint: bool = False) -> str:
    """The name a label is kept under in its run's ``labels/``: the case's id (a catalog's, checked there),
    the format, the dpi and the tracking id, which is the server's, so only its safe characters."""
    known = formats.find(fmt)
    extension = known.extension if known else ".bin"
    suffix = "-reprint" if reprint else ""
    return (
        f"{safe_part(case_id, 32)}-{safe_part(fmt, 8)}-{dpi}-{safe_part(tracking_id, 40, 'no-tracking-id')}"
        f"{suffix}{extension}"
    )


async def cancel_left(client: ShippingClient, shipment_id: str) -> str | None:
    """Cancel a label left open: None once it is cancelled (now, or already before), else why not.

    Any id is sent as data, percent-encoded into its one path segment; whatever goes wrong is a reason
    in one line, never an exception, so one strange id cannot stop the clean-up of the others."""
    try:
        await client.cancel_shipment(_segment(shipment_id))
    except ApiResponseError as error:
        if error.status == 400 and "already cancel" in (error.details or "").lower():
            return None
        return shown(error.one_line(), 300)
    except SpApiError as error:
        return shown(error.one_line(), 300)
    except Exception as error:  # the clean-up must go on to the next label whatever this one does
        return f"unexpected: {_describe(error)}"
    return None


def _settled(tasks: set[asyncio.Future[Any]]) -> Callable[[asyncio.Future[Any]], None]:
    def done(task: asyncio.Future[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()  # read here: the awaiting case may have been cancelled before it could be

    return done


def _segment(shipment_id: str) -> str:
    # a shipment id is the server's data: every character but the unreserved ones is percent-encoded, so
    # it is one path segment whatever it holds (a slash, '..', a control character); the client leaves
    # escapes as they are
    return quote(shipment_id, safe="")


def _bought_in(body: bytes) -> tuple[str, list[str]] | None:
    """The shipment id and tracking ids a purchase answer names, read leniently from its raw JSON."""
    try:
        parsed = read_json(body)
    except (ValueError, UnicodeDecodeError):
        return None
    payload = parsed.get("payload") if isinstance(parsed, dict) else None
    if not isinstance(payload, dict):
        return None
    shipment_id = payload.get("shipmentId")
    if isinstance(shipment_id, int | float) and not isinstance(shipment_id, bool):
        shipment_id = str(shipment_id)
    if not isinstance(shipment_id, str) or not shipment_id:
        return None
    details = payload.get("packageDocumentDetails")
    tracking = [
        str(detail["trackingId"])
        for detail in (details if isinstance(details, list) else [])
        if isinstance(detail, dict) and isinstance(detail.get("trackingId"), str | int)
    ]
    return shipment_id, tracking


def _describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup) and error.exceptions:
        return _describe(error.exceptions[0])
    text = str(error).splitlines()[0] if str(error) else ""
    return shown(f"{type(error).__name__}: {text}" if text else type(error).__name__, 300)


def _with_notes(detail: str, context: _Context) -> str:
    # whatever the verdict, a case says what it noted (a one-click sent again: a label may exist that
    # onboard never learnt of)
    return "; ".join([detail, *context.notes])


def _rate_for(step: Step, context: _Context, quote: rs.GetRatesResult) -> rs.Rate:
    """The rate a purchase step buys: the first, or the one of the same service as the additional inputs'
    (a quote taken again after TOKEN_EXPIRED has new rate ids)."""
    if step.rate == "additional_inputs":
        if context.inputs is None:
            raise StepFailed('purchase with rate = "additional_inputs" needs an additional_inputs step before it')
        service = context.inputs[0].serviceId
        found = next((r for r in quote.rates if r.serviceId == service), None)
        if found is None:
            raise StepFailed(f"getRates no longer offers {service}, the service the additional inputs were for")
        return found
    return quote.rates[0]


def _required_services(rate: rs.Rate) -> list[rq.RequestedValueAddedService] | None:
    """A rate's required value-added service groups must be echoed in the purchase (Amazon refuses it otherwise:
    "requested value added services are invalid"); the first service of each is chosen."""
    chosen = [
        rq.RequestedValueAddedService(id=group.valueAddedServices[0].id)
        for group in rate.availableValueAddedServiceGroups or []
        if group.isRequired and group.valueAddedServices
    ]
    return chosen or None


def _need(context: _Context) -> _Bought:
    if context.bought is None:
        raise StepFailed("this step needs a purchase step before it")
    return context.bought


def _without_contents(value: dict[str, Any]) -> dict[str, Any]:
    # the label bytes live in the label files; results keep only what checks read
    trimmed: Any = value
    for detail in trimmed.get("packageDocumentDetails", []) + (
        [trimmed["packageDocumentDetail"]] if "packageDocumentDetail" in trimmed else []
    ):
        for document in detail.get("packageDocuments", []):
            document.pop("contents", None)
    return dict(trimmed)


_TOKEN = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


def _resolve(results: dict[str, Any], path: str) -> Any:
    value: Any = results
    for name, index in _TOKEN.findall(path):
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json")
        if name:
            if not isinstance(value, dict) or name not in value:
                raise KeyError(path)
            value = value[name]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                raise KeyError(path)
            value = value[int(index)]
    return value


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _TOKEN.findall(path)]


def _delete(body: dict[str, Any], path: str) -> None:
    *parents, last = _steps(path)
    target: Any = body
    for part in parents:
        target = target[part]
    if isinstance(target, dict):
        target.pop(str(last), None)


def _assign(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = _steps(path)
    target: Any = body
    for part in parents:
        target = target[part]
    target[last] = value
