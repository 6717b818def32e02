"""Upgrading an older ``workspace.json`` to the current schema, one version at a time, in memory.

``Workspace.open`` calls :func:`upgrade` on the raw JSON before validating it. Nothing is written on
load: the upgraded state reaches disk with the next save, and the old file becomes the backup.
To change the schema: bump ``SCHEMA_VERSION`` in ``state.py`` and register the step from the old
version here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onboard.labels.formats import NAMES
from onboard.workspace.state import SCHEMA_VERSION

Raw = dict[str, Any]


def _v1_to_v2(raw: Raw) -> Raw:
    # v2 adds the checklist: a record per step and the audit trail, both empty for a v1 workspace
    return {**raw, "schema_version": 2, "steps": {}, "audit": []}


def _v2_to_v3(raw: Raw) -> Raw:
    # v3 records the label formats and dpis the shipper prints; a v2 workspace never said, so sign-off
    # keeps asking for all of them until the shipper narrows it (onboard init --formats/--dpi)
    profile = raw.get("profile")
    if isinstance(profile, dict):
        profile = {"label_formats": list(NAMES), "label_dpis": [203, 300], **profile}
    return {**raw, "schema_version": 3, "profile": profile}


#: the migration from each version to the next
MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {1: _v1_to_v2, 2: _v2_to_v3}


class MigrationError(ValueError):
    pass


def upgrade(raw: Raw) -> Raw:
    """``raw`` at ``SCHEMA_VERSION``; a file without a version is taken to be current, as before v2."""
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise MigrationError(f"schema_version must be a whole number, not {version!r}")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"schema {version} is older than any this onboard can upgrade")
        raw = step(raw)
        version = raw["schema_version"]
    return raw
