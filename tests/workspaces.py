"""Workspaces for tests: a shipper's state in memory or on disk, as 'onboard init' would make it."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

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


#: what a run against Amazon's North American sandbox records as its endpoints
AMAZON_SANDBOX = {
    "api": "https://sandbox.sellingpartnerapi-na.amazon.com",
    "lwa": "https://api.amazon.com/auth/o2/token",
    "custom": False,
}


def stand_in_for_amazons_sandbox(workspace: Path) -> dict[str, Any]:
    """Make a workspace's emulator run of PNG labels look, in every respect ``pack`` and ``review`` can see,
    like a run against Amazon's sandbox (which no test may reach): the workspace and the run record say
    sandbox and Amazon's hosts, and the labels lose the text chunk with the emulator's banner (their
    digests in the record follow). This is what a careful forger does too: a review proves that a pack is
    intact and consistent, and only Amazon can confirm the ids in it. Returns the run record as written."""
    state_file = workspace / "workspace.json"
    state = json.loads(state_file.read_text())
    state["profile"]["environment"] = "sandbox"
    state_file.write_text(json.dumps(state))
    (run_file,) = (workspace / "runs").glob("*/run.json")
    run = json.loads(run_file.read_text())
    run.update(environment="sandbox", region="na", endpoints=dict(AMAZON_SANDBOX))
    for case in run["cases"]:
        for label in case["labels"]:
            if label["file"] and label["format"] == "PNG":
                path = run_file.parent / label["file"]
                with Image.open(path) as image:
                    pixels, dpi = image.copy(), image.info.get("dpi", (203, 203))
                buffer = io.BytesIO()
                pixels.save(buffer, "PNG", dpi=dpi)  # the same pixels, no text chunk
                data = buffer.getvalue()
                path.write_bytes(data)
                label.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    run_file.write_text(json.dumps(run))
    return run
