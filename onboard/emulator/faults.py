"""Fault injection: Amazon's throttling, outages and slowness, on demand and reproducibly.

A spec is a comma-separated list, for example ``429=0.2,500=0.05,slow=0.02,ratelimit=5/15,seed=7``:

=============  =====================================================================================
``429=P``      answer 429 ``QuotaExceeded`` with probability P
``500=P``      answer 500 ``InternalFailure`` before doing anything
``503=P``      answer 503 ``ServiceUnavailable``
``404=P``      answer 404 ``NotFound`` (a call that stopped working: a regression to detect)
``lost=P``     purchase or cancel really happens, then the answer is a 500 (the response is "lost")
``slow=P``     delay the answer by ``slow_seconds`` (default 2) with probability P
``ratelimit``  ``RPS/BURST`` token bucket per client and operation; ``sandbox`` means 5/15
``only``       ``+``-separated operation names the faults apply to (default: every Shipping call)
``seed``       makes the random draws repeatable
``times``      inject at most N faults, then answer normally (``500=1,only=oneClickShipment,times=1``:
               the first one-click fails, the next succeeds)
=============  =====================================================================================
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

SANDBOX_RATE_LIMIT = (5.0, 15)
_STATUS_KEYS = ("429", "500", "503", "404")
_OPERATIONS = frozenset(
    {
        "getRates",
        "purchaseShipment",
        "oneClickShipment",
        "getTracking",
        "getShipmentDocuments",
        "cancelShipment",
        "directPurchaseShipment",
        "getAdditionalInputs",
        "getCarrierAccountFormInputs",
        "getCarrierAccounts",
        "linkCarrierAccount",
        "unlinkCarrierAccount",
        "generateCollectionForm",
        "getCollectionFormHistory",
        "getUnmanifestedShipments",
        "getCollectionForm",
        "getAccessPoints",
        "submitNdrFeedback",
        "createClaim",
    }
)


class FaultSpecError(ValueError):
    """A fault spec that cannot be read; its message is one line naming the bad part."""


@dataclass(slots=True)
class FaultSpec:
    p429: float = 0.0
    p500: float = 0.0
    p503: float = 0.0
    p404: float = 0.0
    lost: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    rate_limit: tuple[float, int] | None = None
    only: frozenset[str] = _OPERATIONS
    seed: int | None = None
    times: int | None = None

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        spec = cls()
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise FaultSpecError(f"fault '{part}' needs a value, e.g. {part}=0.1")
            key = key.strip().lower()
            value = value.strip()
            if key in _STATUS_KEYS or key in ("lost", "slow"):
                setattr(spec, "p" + key if key in _STATUS_KEYS else key, _probability(key, value))
            elif key == "slow_seconds":
                spec.slow_seconds = _number(key, value, low=0.0, high=60.0)
            elif key == "ratelimit":
                spec.rate_limit = _rate_limit(value)
            elif key == "only":
                names = frozenset(n for n in value.split("+") if n)
                unknown = sorted(names - _OPERATIONS)
                if unknown or not names:
                    raise FaultSpecError(
                        f"fault 'only' names unknown operations {unknown}; known: {', '.join(sorted(_OPERATIONS))}"
                    )
                spec.only = names
            elif key == "seed":
                try:
                    spec.seed = int(value)
                except ValueError:
                    raise FaultSpecError(f"fault seed must be a whole number, not '{value}'") from None
            elif key == "times":
                if not value.isdecimal() or not value.isascii() or int(value) < 1:
                    raise FaultSpecError(f"fault 'times' must be a whole number of at least 1, not '{value}'")
                spec.times = int(value)
            else:
                raise FaultSpecError(
                    f"unknown fault '{key}'; known: 429, 500, 503, 404, lost, slow, slow_seconds, ratelimit, only, "
                    "seed, times"
                )
        if spec.p429 + spec.p500 + spec.p503 + spec.p404 > 1.0:
            raise FaultSpecError("fault probabilities 429 + 500 + 503 + 404 add up to more than 1")
        return spec

    def describe(self) -> str:
        parts = [f"{k}={getattr(self, 'p' + k):g}" for k in _STATUS_KEYS]
        parts += [f"lost={self.lost:g}", f"slow={self.slow:g}x{self.slow_seconds:g}s"]
        if self.rate_limit:
            parts.append(f"ratelimit={self.rate_limit[0]:g}/{self.rate_limit[1]}")
        if self.times is not None:
            parts.append(f"{self.times} time(s) at most")
        return ", ".join(p for p in parts if not p.endswith("=0") and "=0x" not in p) or "none"


def _number(key: str, value: str, *, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise FaultSpecError(f"fault '{key}' must be a number, not '{value}'") from None
    if not low <= number <= high:
        raise FaultSpecError(f"fault '{key}' must be between {low:g} and {high:g}, not {value}")
    return number


def _probability(key: str, value: str) -> float:
    return _number(key, value, low=0.0, high=1.0)


def _rate_limit(value: str) -> tuple[float, int]:
    if value == "sandbox":
        return SANDBOX_RATE_LIMIT
    rate, sep, burst = value.partition("/")
    try:
        parsed = (float(rate), int(burst)) if sep else (float(rate), max(1, int(float(rate))))
    except (ValueError, OverflowError):  # OverflowError: int(inf)
        raise FaultSpecError(f"ratelimit must look like 5/15 (requests per second/burst), not '{value}'") from None
    if not math.isfinite(parsed[0]) or parsed[0] <= 0 or parsed[1] < 1:
        raise FaultSpecError(f"ratelimit must be positive, not '{value}'")
    return parsed


@dataclass(slots=True)
class Decision:
    status: int | None = None
    delay: float = 0.0
    lose_response: bool = False


@dataclass(slots=True)
class FaultInjector:
    spec: FaultSpec = field(default_factory=FaultSpec)
    _random: random.Random = field(default_factory=random.Random)
    _injected: int = 0

    def __post_init__(self) -> None:
        self._random.seed(self.spec.seed)

    def replace(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._random.seed(spec.seed)
        self._injected = 0

    def decide(self, operation: str) -> Decision:
        spec = self.spec
        if operation not in spec.only or (spec.times is not None and self._injected >= spec.times):
            return Decision()
        draw = self._random.random()
        status = None
        if draw < spec.p429:
            status = 429
        elif draw < spec.p429 + spec.p500:
            status = 500
        elif draw < spec.p429 + spec.p500 + spec.p503:
            status = 503
        elif draw < spec.p429 + spec.p500 + spec.p503 + spec.p404:
            status = 404
        delay = spec.slow_seconds if spec.slow and self._random.random() < spec.slow else 0.0
        lose = bool(spec.lost) and status is None and self._random.random() < spec.lost
        return Decision(status=status, delay=delay, lose_response=lose)

    def applied(self) -> None:
        """Count one request a fault was applied to, against ``times`` (a lost answer drawn for a call
        that failed anyway was not applied)."""
        self._injected += 1


class TokenBucket:
    """Amazon's usage plans: ``rate`` requests per second on average, bursts of up to ``burst``."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
