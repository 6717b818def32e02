"""The certification catalog: cases as data, validated at load, extended or replaced per workspace.

Built-in cases live in ``checks/certification/*.toml``. A workspace may hold ``certification/*.toml``
(an account manager's list): a case with a built-in id replaces it, a new id is added, and a
``certification/catalog.toml`` with ``replace = true`` drops the built-in catalog altogether.

A case may say which sign-off requirement it proves (``requirement = "rates"``): :data:`REQUIREMENTS` is
the vocabulary, the TOML files say which case proves what. A run records which case stood for each
requirement, and ``review`` holds every requirement the built-in catalog marks to a passed case.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from onboard.errors import ConfigError
from onboard.labels.formats import NAMES, spelled
from onboard.locations import checks_dir

Operation = Literal[
    "get_rates", "purchase", "one_click", "track", "reprint", "cancel", "age_quote", "additional_inputs"
]
Rule = Literal["exists", "not_empty", "equals", "equals_path", "one_of", "label_passes"]
RequirementId = Literal["rates", "purchase", "track", "cancel"]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A flow sign-off needs, and the Amazon operation whose successful answer proves it was run."""

    title: str
    operation: str


#: what sign-off can require, in the order a report lists it; which case proves each is catalog data
REQUIREMENTS: dict[str, Requirement] = {
    "rates": Requirement("Retrieve rates", "getRates"),
    "purchase": Requirement("Purchase a label from a rate", "purchaseShipment"),
    "track": Requirement("Track the purchased package", "getTracking"),
    "cancel": Requirement("Cancel the shipment", "cancelShipment"),
}
_PATH = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*|\[\d+\])*$")


class ExpectError(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: list[int] = Field(default_factory=list)
    code: list[str] = Field(default_factory=list)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    do: Operation
    name: str | None = Field(default=None, alias="as")
    format: str | None = None
    dpi: int | None = None
    service: str | None = None
    remove: list[str] = Field(default_factory=list)
    replace: dict[str, Any] = Field(default_factory=dict)
    access_token: str | None = None
    #: how far to age a quote: a finite number of seconds above zero
    seconds: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    expect_error: ExpectError | None = None
    #: which rate a purchase buys: the first offered, or the one an ``additional_inputs`` step fetched inputs for
    rate: Literal["first", "additional_inputs"] = "first"
    #: with ``rate = "additional_inputs"``: send the inputs filled from the schema (false: leave them out,
    #: to see the purchase refused)
    inputs: bool = True

    @property
    def key(self) -> str:
        return self.name or self.do

    @model_validator(mode="after")
    def _format_known(self) -> Step:
        if self.format not in (None, "first", "each", *NAMES):
            raise ValueError(f"format must be first, each, {spelled()}, not {self.format!r}")
        if self.dpi not in (None, 203, 300):
            raise ValueError(f"dpi must be 203 or 300, not {self.dpi}")
        return self


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    rule: Rule
    value: Any = None

    @model_validator(mode="after")
    def _path_readable(self) -> Check:
        for path in (self.path, self.value if self.rule == "equals_path" else None):
            if path is not None and (not isinstance(path, str) or not _PATH.match(path)):
                raise ValueError(f"{path!r} is not a path like purchase.packageDocumentDetails[0].trackingId")
        return self


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    title: str = Field(min_length=1)
    source: Literal["amazon", "onboard", "account-manager"]
    description: str = ""
    #: the sign-off requirement this case proves, if any
    requirement: RequirementId | None = None
    steps: list[Step] = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)

    @model_validator(mode="after")
    def _checks_name_steps(self) -> Case:
        names = {step.key for step in self.steps}
        for check in self.checks:
            for path in (check.path, check.value if check.rule == "equals_path" else None):
                if isinstance(path, str) and re.split(r"[.\[]", path, maxsplit=1)[0] not in names:
                    raise ValueError(f"check path {path!r} names no step (steps: {', '.join(sorted(names))})")
        return self

    @property
    def buys(self) -> bool:
        return any(step.do in ("purchase", "one_click") for step in self.steps)

    def label_specs(self, formats: tuple[str, ...], dpis: tuple[int, ...]) -> set[tuple[str, int]]:
        """The (format, dpi) of every label this case buys when the run chose these formats and dpis."""
        specs: set[tuple[str, int]] = set()
        for step in self.steps:
            if step.do not in ("purchase", "one_click"):
                continue
            if step.format == "each":
                specs |= {(fmt, dpi) for fmt in formats for dpi in dpis}
            elif step.format in NAMES:
                specs.add((step.format, step.dpi or dpis[0]))
            else:
                specs.add((formats[0], step.dpi or dpis[0]))
        return specs


def _load_file(path: Path) -> Case:
    try:
        return Case.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path} is not valid TOML: nested too deeply") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "case"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


@cache
def required_by_onboard() -> tuple[str, ...]:
    """The requirements the built-in catalog marks: what every sign-off needs, whatever a workspace's own
    catalog says (a review holds a pack to these with nothing but onboard installed)."""
    marked = {case.requirement for case in load_catalog(None) if case.requirement}
    return tuple(name for name in REQUIREMENTS if name in marked)


def load_catalog(workspace: Path | None = None) -> list[Case]:
    """The built-in cases, then the workspace's own on top: same id replaces, new ids are added."""
    cases = {case.id: case for case in map(_load_file, sorted(checks_dir().joinpath("certification").glob("*.toml")))}
    own = workspace / "certification" if workspace else None
    if own and own.is_dir():
        settings = own / "catalog.toml"
        if settings.is_file():
            try:
                replace = tomllib.loads(settings.read_text(encoding="utf-8")).get("replace", False)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{settings} cannot be read: {exc}") from None
            except RecursionError:
                raise ConfigError(f"{settings} cannot be read: nested too deeply") from None
            if replace is True:
                cases = {}
        for path in sorted(own.glob("*.toml")):
            if path.name != "catalog.toml":
                case = _load_file(path)
                cases[case.id] = case
    if not cases:
        raise ConfigError("the certification catalog is empty", "add cases to the workspace's certification/")
    return sorted(cases.values(), key=lambda c: (c.id != "TC01", c.id))
