"""What most commands need first: the settings from the environment and the workspace they act on."""

from __future__ import annotations

import argparse
from pathlib import Path

from onboard.settings import Settings
from onboard.workspace.workspace import Workspace, resolve_dir


def workspace_dir(args: argparse.Namespace, settings: Settings) -> Path:
    return resolve_dir(getattr(args, "workspace", None), settings)


def open_workspace(args: argparse.Namespace, settings: Settings | None = None) -> Workspace:
    settings = settings or Settings.from_env()
    return Workspace.open(workspace_dir(args, settings))
