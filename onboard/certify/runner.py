"""Running the certification catalog: each case's steps in order, its checks, and the clean-up.

Who calls it: ``onboard certify`` (and later the TUI and ``revalidate``). Order of events:

1. every case runs its steps against one ``ShippingClient`` (a case whose purchase step says
   ``format = "each"`` runs once per format and dpi chosen, each variant buying its own label);
2. each label bought is put on the run's pending list *before* anything else happens to it, then
   saved byte for byte and checked (``onboard.labels.check``) in a worker thread;
3. the checks of the case are evaluated on the stored results;
4. whatever happens (a failed case, an exception, Ctrl+C), every label still pending is cancelled at
   the end, and the run is written to ``runs/<run_id>/run.json``.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from onboard import __version__
from onboard.certify.catalog import Case, Check, Step
from onboard.certify.record import Pending, RunRecorder
from onboard.certify.redaction import redact_body
from onboard.labels.check import check_contents, check_spec_supported, decode_contents
from onboard.models import requests as rq
from onboard.models import responses as rs
from onboard.spapi.client import CALL_TAG, ShippingClient
from onboard.spapi.errors import ApiResponseError, ConnectionFailure, SpApiError
from onboard.workspace.state import Profile

FORMATS = ("PDF", "PNG", "ZPL")
DPIS = (203, 300)
_EXTENSIONS = {"PDF": "pdf", "PNG": "png", "ZPL": "zpl"}
#: the detail of a case (or variant) the run never reached because it had stopped
NOT_RUN = "not run: the run had stopped (the server stopped answering)"


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


@dataclass(slots=True)
class CaseResult:
    id: str
    title: str
    source: str
    status: str = "passed"
    detail: str = ""
    elapsed_ms: float = 0.0
    labels: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, str]] = field(default_factory=list)
    #: what a reviewer should know although the case passed (a call sent again after an unknown outcome)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "status": self.status, "detail": self.detail}


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
        self.labels: list[dict[str, Any]] = []
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
        #: why the run stopped early (the server stopped answering); None while it runs normally
        self.stopped: str | None = None
        self.started = datetime.now(UTC)

    # --- the run --------------------------------------------------------------------------------------

    async def run(self, cases: list[Case], concurrency: int = 4) -> list[CaseResult]:
        """Run the cases, a few at a time (each case is independent: its own quote, its own label), and
        report each as it ends; the results keep the catalog's order."""
        gate = asyncio.Semaphore(max(1, concurrency))
        slots: list[CaseResult | None] = [None] * len(cases)

        async def one(index: int, case: Case) -> None:
            async with gate:
                slots[index] = result = await self._case(case)
            if self.progress:
                self.progress(result)

        try:
            await asyncio.gather(*(one(i, case) for i, case in enumerate(cases)))
        finally:
            self.results = [result for result in slots if result is not None]
            await self.cancel_pending()
        return self.results

    async def cancel_pending(self) -> None:
        """Cancel every label this run bought and has not cancelled yet; remember any that resisted."""
        for pending in list(self.recorder.pending.values()):
            problem = await cancel_left(self.client, pending.shipment_id)
            if problem is None:
                self.recorder.cancelled(pending.shipment_id)
            else:
                self.cancel_failures.append(f"{pending.shipment_id}: {problem}")

    async def _case(self, case: Case) -> CaseResult:
        CALL_TAG.set(case.id)  # this task's calls are this case's, in the record
        result = CaseResult(case.id, case.title, case.source)
        started = time.perf_counter()
        variants: list[tuple[str, int] | None] = [None]
        if any(step.format == "each" for step in case.steps):
            variants = [(fmt, dpi) for fmt in self.options.formats for dpi in self.options.dpis]
        outcomes = []
        for number, variant in enumerate(variants, start=1):
            if self.stopped is not None:
                status, detail = "error", NOT_RUN
            else:
                reference = f"{self.recorder.run_id}-{case.id}-{number}"
                status, detail = await self._variant(case, variant, reference, result)
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
        return result

    async def _variant(
        self, case: Case, variant: tuple[str, int] | None, reference: str, result: CaseResult
    ) -> tuple[str, str]:
        context = _Context(case, variant, reference)
        try:
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
            if not error.sent:
                # connections refused through a whole backoff: the server is gone, and the other cases with it
                self.stopped = self.stopped or error.one_line()
            # else one answer lost (a one-click is never re-sent by the client): this case's error alone
            return "error", _with_notes(error.one_line(), context)
        except SpApiError as error:
            return "error", _with_notes(error.one_line(), context)
        finally:
            # labels already bought are recorded (checked) even when a later step fails
            await asyncio.gather(*context.checking, return_exceptions=True)
            result.labels += context.labels
            result.notes += context.notes
        if failures:
            return "failed", _with_notes("; ".join(failures), context)
        return "passed", _with_notes(f"{len(case.checks)} check(s) passed", context)

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
        quote = await self.client.get_rates(request)
        context.quote, context.request = quote, request
        return quote.model_dump(mode="json", exclude_none=True)

    def _spec_for(self, step: Step, context: _Context, rate: rs.Rate) -> rq.RequestedDocumentSpecification:
        if step.format in ("PDF", "PNG", "ZPL"):
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
            rate = quote.rates[0]
            spec = self._spec_for(step, context, rate)
            supported = check_spec_supported(spec, rate.supportedDocumentSpecifications)
            request = rq.PurchaseShipmentRequest(
                requestToken=quote.requestToken, rateId=rate.rateId, requestedDocumentSpecification=spec
            )
            key = hashlib.sha256(f"{context.reference}:{quote.requestToken}:{rate.rateId}".encode()).hexdigest()[:32]
            try:
                bought = await self.client.purchase_shipment(request, idempotency_key=key)
                break
            except ApiResponseError as error:
                if error.code != "TOKEN_EXPIRED" or attempt == 2:
                    raise
                # Amazon's 10 minutes are up: rate again and buy with the new token
                context.quote = await self.client.get_rates(context.request)
                requoted = True
        detail = bought.packageDocumentDetails[0]
        value = _without_contents(bought.model_dump(mode="json", exclude_none=True))
        value["requoted"] = requoted
        value["label"] = await self._label(
            context, bought.shipmentId, detail, rate.carrierId, spec, supported.to_json()
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
        value = _without_contents(bought.model_dump(mode="json", exclude_none=True))
        supported = check_spec_supported(spec, rate.supportedDocumentSpecifications)
        value["label"] = await self._label(
            context, bought.shipmentId, bought.packageDocumentDetails[0], bought.carrier.id, spec, supported.to_json()
        )
        return value

    async def _one_click(self, request: rq.OneClickShipmentRequest, context: _Context) -> rs.OneClickShipmentResult:
        attempt = 1
        while True:
            try:
                return await self.client.one_click_shipment(request)
            except SpApiError as error:
                if not error.outcome_unknown or attempt > self.options.one_click_resends:
                    raise
                context.notes.append(
                    f"oneClickShipment sent again: attempt {attempt} ended in {error.one_line()}, outcome unknown; "
                    "if it bought a label, onboard never learnt its shipment id (a sandbox label costs nothing)"
                )
                await asyncio.sleep(self.client.policy.delay(attempt))
                attempt += 1

    async def _label(
        self,
        context: _Context,
        shipment_id: str,
        detail: rs.PackageDocumentDetail,
        carrier_id: str,
        spec: rq.RequestedDocumentSpecification,
        supported: dict[str, Any],
    ) -> dict[str, Any]:
        tracking_id = detail.trackingId or ""
        # on the pending list first: whatever happens next, the run's end will cancel this label
        self.recorder.bought(Pending(shipment_id, tracking_id, context.case.id, self.client.business_id))
        context.bought = _Bought(
            shipment_id, tracking_id, carrier_id, detail.packageClientReferenceId, spec.format, spec.dpi or 203
        )
        document = next((d for d in detail.packageDocuments if d.type == "LABEL"), None)
        if document is None:
            raise StepFailed(f"shipment {shipment_id} came back without a LABEL document")
        return await self._keep_label(context, document, tracking_id, spec.format, spec.dpi or 203, supported)

    async def _keep_label(
        self,
        context: _Context,
        document: rs.PackageDocument,
        tracking_id: str,
        fmt: str,
        dpi: int,
        supported: dict[str, Any] | None,
        kind: str = "label",
    ) -> dict[str, Any]:
        data = decode_contents(document.contents)
        summary: dict[str, Any] = {
            "case": context.case.id,
            "kind": kind,
            "format": fmt,
            "dpi": dpi,
            "tracking_id": tracking_id,
        }
        if data is None:
            # not base64 at all (Amazon's sandbox placeholder): nothing to keep; the check says what it is
            summary |= {"file": None, "sha256": None, "size": 0}
        else:
            safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", tracking_id)[:40] or "no-tracking-id"
            suffix = "-reprint" if kind == "reprint" else ""
            name = f"{context.case.id}-{fmt}-{dpi}-{safe_id}{suffix}.{_EXTENSIONS.get(fmt, 'bin')}"
            summary |= {
                "file": self.recorder.save_label(name, data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
            }

        async def check() -> None:
            # pixels and barcodes are decoded in a worker thread while the case's next calls go out;
            # the summary is completed in place before any check of the case reads it
            report = await asyncio.to_thread(
                check_contents, document.contents, expect_tracking=tracking_id, dpi=dpi, expected_format=fmt
            )
            checks = report.to_json()
            if supported is not None:
                checks.setdefault("checks", []).insert(0, supported)
            passed = report.ok and (supported is None or bool(supported.get("ok")))
            summary.update(
                status=report.status if passed or report.status != "passed" else "failed",
                passed=passed,
                report=checks,
            )

        context.checking.append(asyncio.ensure_future(check()))
        context.labels.append(summary)
        return summary

    async def _do_track(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        tracking = await self.client.get_tracking(bought.tracking_id, bought.carrier_id)
        return tracking.model_dump(mode="json", exclude_none=True)

    async def _do_reprint(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        documents = await self.client.get_shipment_documents(
            bought.shipment_id, bought.reference, bought.fmt, bought.dpi
        )
        detail = documents.packageDocumentDetail
        document = next((d for d in detail.packageDocuments if d.type == "LABEL"), None)
        if document is None:
            raise StepFailed("getShipmentDocuments returned no LABEL document")
        value = _without_contents(documents.model_dump(mode="json", exclude_none=True))
        value["label"] = await self._keep_label(
            context, document, bought.tracking_id, bought.fmt, bought.dpi, None, kind="reprint"
        )
        return value

    async def _do_cancel(self, step: Step, context: _Context) -> Any:
        bought = _need(context)
        # a cancel that is meant to fail (a second one) must not be taken for a lost first one
        await self.client.cancel_shipment(bought.shipment_id, lost_cancel_is_done=step.expect_error is None)
        self.recorder.cancelled(bought.shipment_id)
        return {"shipmentId": bought.shipment_id, "cancelled": True}

    async def _do_age_quote(self, step: Step, context: _Context) -> Any:
        if self.options.control_url is None:
            raise CaseSkipped(
                "ageing a requestToken needs a real 10-minute wait against Amazon; run against the emulator"
            )
        response = await self.client.http.post(self.options.control_url, json={"advance_seconds": step.seconds or 601})
        response.raise_for_status()
        return {"aged_seconds": step.seconds or 601}

    async def _do_additional_inputs(self, step: Step, context: _Context) -> Any:
        if context.quote is None:
            raise StepFailed("additional_inputs needs a get_rates step before it")
        needing = [rate for rate in context.quote.rates if rate.requiresAdditionalInputs]
        if not needing:
            raise CaseSkipped("no rate offered requires additional inputs")
        return await self.client.get_additional_inputs(context.quote.requestToken, needing[0].rateId)

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
        if not isinstance(value, dict) or "passed" not in value:
            return f"{check.path} is not a label"
        if value["passed"]:
            return None
        report = value.get("report") or {}
        problems = [c.get("detail", c.get("name", "")) for c in report.get("checks", []) if not c.get("ok")]
        status = value.get("status")
        if status == "placeholder":
            return "placeholder label from the sandbox: " + (report.get("hint") or "not a real label file")
        return f"label {value.get('file') or ''} failed: " + ("; ".join(problems) or str(status))

    def record(self, environment: str, endpoints: dict[str, str]) -> dict[str, Any]:
        """The run as written to run.json: redacted, with every call's x-amzn-RequestId and timing."""
        ok = bool(self.results) and all(r.status in ("passed", "skipped") for r in self.results)
        return {
            "schema": 1,
            "run_id": self.recorder.run_id,
            "tool_version": __version__,
            "environment": environment,
            "endpoints": endpoints,
            "business_id": self.client.business_id,
            "region": self.profile.region,
            "shipper": self.profile.shipper_name,
            "started": self.started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "ok": ok and not self.recorder.pending and self.stopped is None,
            "complete": self.stopped is None,
            "stopped": self.stopped,
            "cases": [
                {
                    **r.summary(),
                    "source": r.source,
                    "elapsed_ms": round(r.elapsed_ms, 1),
                    "labels": r.labels,
                    "variants": r.variants,
                    "notes": r.notes,
                }
                for r in self.results
            ],
            "left_open": [p.shipment_id for p in self.recorder.pending.values()],
            "cancel_failures": self.cancel_failures,
            "calls": [
                {
                    "case": c.tag,
                    "operation": c.operation,
                    "method": c.method,
                    "path": c.path,
                    "attempt": c.attempt,
                    "status": c.status,
                    "request_id": c.request_id,
                    "elapsed_ms": round(c.elapsed_ms, 2),
                    "error_code": c.error_code,
                    "request": redact_body(c.request_body),
                    "response": redact_body(c.response_body),
                }
                for c in self.client.calls
            ],
        }


async def cancel_left(client: ShippingClient, shipment_id: str) -> str | None:
    """Cancel a label left open: None once it is cancelled (now, or already before), else why not."""
    try:
        await client.cancel_shipment(shipment_id)
    except ApiResponseError as error:
        if error.status == 400 and "already cancel" in (error.details or "").lower():
            return None
        return error.one_line()
    except SpApiError as error:
        return error.one_line()
    return None


def _with_notes(detail: str, context: _Context) -> str:
    # whatever the verdict, a case says what it noted (a one-click sent again: a label may exist that
    # onboard never learnt of)
    return "; ".join([detail, *context.notes])


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
