"""``manifest.json``, the pack's list of its files with their SHA-256, and what the pack says about its run.

``pack`` writes it (``onboard.pack.build``) and ``review`` reads it back through :class:`Manifest`; neither
picks at it by key. What it says about the run is a claim only: ``review`` holds it to the run record.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from onboard.certify.record import Endpoints

__all__ = ["Manifest", "ManifestFile"]


class ManifestFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str
    size: int = Field(ge=0)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: int = Field(default=1, alias="schema")
    tool: str = "onboard"
    tool_version: str = ""
    run_id: str
    environment: str | None = None
    made_against_amazon: bool = False
    notice: str | None = None
    endpoints: Endpoints = Field(default_factory=Endpoints)
    shipper: str = ""
    business_id: str = ""
    run_started: str | None = None
    run_finished: str | None = None
    created: str = ""
    files: list[ManifestFile]
