"""The certification catalog: cases as data, validated at load, extended or replaced per workspace.

Built-in cases live in ``checks/certification/*.toml``. A workspace may hold ``certification/*.toml``
(an account manager's list): a case with a built-in id replaces it, a new id is added, and a
``certification/catalog.toml`` with ``replace = true`` drops the built-in catalog altogether.

A case may say which sign-off requirement it proves (``requirement = "rates"``): :data:`REQUIREMENTS` is
the vocabulary, the TOML files say which case proves what. A run records which case stood for each
requirement, and ``review`` holds every requirement the built-in catalog marks to a passed case.

A case may also say which shipping businesses it is for, and in which environments it runs (``[applies]``,
with the reasons): elsewhere it is skipped, and says why, before it sends anything.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from onboard.businesses import BUSINESSES
from onboard.errors import ConfigError
from onboard.labels.formats import NAMES, spelled
from onboard.locations import checks_dir
from onboard.models.address import AccessPointType
from onboard.toml_files import read_toml

Operation = Literal[
    "get_rates",
    "purchase",
    "one_click",
    "track",
    "reprint",
    "cancel",
    "age_quote",
    "additional_inputs",
    "access_points",
    "collection_form",
    "collection_form_history",
    "collection_form_reprint",
]
Rule = Literal["exists", "not_empty", "equals", "equals_path", "one_of", "label_passes"]
RequirementId = Literal["rates", "purchase", "track", "cancel"]
EnvironmentName = Literal["emulator", "sandbox", "production"]


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
    #: ``access_points``: the kinds asked for near the sample's ship-to address, in the order one is chosen
    types: list[AccessPointType] = Field(default_factory=lambda: list[AccessPointType](["HELIX"]), min_length=1)
    #: ``get_rates``: deliver to the access point an ``access_points`` step chose (destinationAccessPointDetails)
    to_access_point: bool = False

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


class Applies(BaseModel):
    """Where a case is run: for some shipping businesses only (a shipper of another skips it, told
    ``because``), and in some environments only (elsewhere it is skipped, told ``environments_because``)."""

    model_config = ConfigDict(extra="forbid")

    businesses: list[str] = Field(min_length=1)
    #: why these businesses need the case, in words the skipped detail shows
    because: str = Field(min_length=1)
    #: where the case is run; the others skip it (Amazon's sandbox does not serve every operation)
    environments: list[EnvironmentName] = Field(
        default_factory=lambda: list[EnvironmentName](("emulator", "sandbox", "production")), min_length=1
    )
    #: why not in the other environments (required when ``environments`` leaves one out)
    environments_because: str = ""

    @model_validator(mode="after")
    def _known(self) -> Applies:
        unknown = [b for b in self.businesses if b not in BUSINESSES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is no shipping business (choose from {', '.join(BUSINESSES)})")
        if len(set(self.environments)) < 3 and not self.environments_because:
            raise ValueError("environments_because must say why the case is not run in the other environments")
        return self

    def skip_reason(self, business_id: str, environment: str) -> str | None:
        """None when the case runs for ``business_id`` in ``environment``, else the skipped case's detail."""
        if business_id not in self.businesses:
            return f"for {', '.join(self.businesses)} only ({self.because}); this workspace ships as {business_id}"
        if environment not in self.environments:
            return f"not run against {environment}: {self.environments_because}"
        return None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
    title: str = Field(min_length=1)
    source: Literal["amazon", "onboard", "account-manager"]
    description: str = ""
    #: the sign-off requirement this case proves, if any
    requirement: RequirementId | None = None
    #: the businesses and environments the case is for; None: every one
    applies: Applies | None = None
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
    def definition(self) -> str:
        """The SHA-256 of what the case does (its steps, checks and where it applies), as a run records it:
        ``review`` holds the cases that prove sign-off to onboard's own definitions of them."""
        body = self.model_dump_json(include={"id", "requirement", "applies", "steps", "checks"}, by_alias=True)
        return hashlib.sha256(body.encode()).hexdigest()

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
        # a workspace's own case may come from anyone (an account manager's list): read within bounds
        return Case.model_validate(read_toml(path))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
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


@cache
def built_in_definitions() -> dict[str, str]:
    """Each built-in case's id and :attr:`Case.definition`."""
    return {case.id: case.definition for case in load_catalog(None)}


def load_catalog(workspace: Path | None = None) -> list[Case]:
    """The built-in cases, then the workspace's own on top: same id replaces, new ids are added."""
    cases = {case.id: case for case in map(_load_file, sorted(checks_dir().joinpath("certification").glob("*.toml")))}
    own = workspace / "certification" if workspace else None
    if own and own.is_dir():
        settings = own / "catalog.toml"
        if settings.is_file():
            try:
                replace = read_toml(settings).get("replace", False)
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{settings} cannot be read: {exc}") from None
            if replace is True:
                cases = {}
        for path in sorted(own.glob("*.toml")):
            if path.name != "catalog.toml":
                case = _load_file(path)
                cases[case.id] = case
    if not cases:
        raise ConfigError("the certification catalog is empty", "add cases to the workspace's certification/")
    return sorted(cases.values(), key=lambda c: (c.id != "TC01", c.id))
