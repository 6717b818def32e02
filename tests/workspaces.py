"""Workspaces for tests: a shipper's state in memory or on disk, as 'onboard init' would make it."""

from __future__ import annotations

from pathlib import Path

from onboard.businesses import BUSINESSES
from onboard.samples import sample_for
from onboard.workspace.state import Profile, WorkspaceState
from onboard.workspace.workspace import Workspace


def new_state(business_id: str = "AmazonShipping_US", shipper: str = "Acme Ltd") -> WorkspaceState:
    sample = sample_for(business_id)
    profile = Profile.model_validate(
        {
            "shipper_name": shipper,
            "business_id": business_id,
            "region": BUSINESSES[business_id].region,
            "ship_from": sample.ship_from,
            "ship_to": sample.ship_to,
            "package": sample.package,
        }
    )
    return WorkspaceState(profile=profile)


def new_workspace(path: Path, business_id: str = "AmazonShipping_US") -> Workspace:
    workspace = Workspace(path, new_state(business_id))
    workspace.save()
    return workspace
