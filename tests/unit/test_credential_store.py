"""Credentials at rest: the file store's permissions, the environment's precedence, and what is shown."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from onboard.credentials.model import Credentials, problems
from onboard.credentials.store import FileStore, default_store, resolve
from onboard.errors import ConfigError
from onboard.settings import Settings

CANARY_SECRET = "canary-secret-4c1d9e77"
CANARY_REFRESH = "Atzr|canary-refresh-8b2f"
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789ab3f9a"


def creds(secret: str = CANARY_SECRET) -> Credentials:
    return Credentials(CLIENT_ID, SecretStr(secret), SecretStr(CANARY_REFRESH), "file", date(2026, 6, 1))


def test_without_a_keyring_the_file_store_is_used_outside_any_workspace(private_home: Path) -> None:
    store = default_store()
    assert isinstance(store, FileStore)
    assert store.directory.is_relative_to(private_home / ".config")


def test_the_file_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "creds")
    store.save("ws1", creds())
    path = tmp_path / "creds" / "ws1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "creds").stat().st_mode) == 0o700
    loaded = store.load("ws1")
    assert loaded is not None
    assert loaded.client_secret.get_secret_value() == CANARY_SECRET
    assert loaded.secret_created == date(2026, 6, 1)
    assert store.forget("ws1") is True
    assert store.load("ws1") is None
    assert store.forget("ws1") is False


def test_a_damaged_file_is_named_but_its_content_is_not(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    (tmp_path / "ws1.json").write_text('{"client_id": "x", "client_secret": "' + CANARY_SECRET + '"')
    with pytest.raises(ConfigError) as caught:
        store.load("ws1")
    assert "ws1.json" in caught.value.one_line()
    assert CANARY_SECRET not in caught.value.one_line()


def test_environment_variables_win_over_the_store(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.save("ws1", creds("stored-secret"))
    env = {"LWA_CLIENT_ID": CLIENT_ID, "LWA_CLIENT_SECRET": "from-env", "LWA_REFRESH_TOKEN": CANARY_REFRESH}
    chosen = resolve(Settings.from_env(env), "ws1", store)
    assert chosen is not None
    assert (chosen.source, chosen.client_secret.get_secret_value()) == ("environment", "from-env")
    assert resolve(Settings.from_env({}), "ws1", store).source == "file"  # type: ignore[union-attr]


def test_half_set_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="LWA_CLIENT_ID set but LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN not"):
        Settings.from_env({"LWA_CLIENT_ID": CLIENT_ID})


def test_shown_credentials_hold_no_secret() -> None:
    shown = str(creds().describe())
    assert "amzn1.application-oa2-client.…3f9a" in shown
    assert CANARY_SECRET not in shown and CANARY_REFRESH not in shown
    assert "2026-11-28" in shown  # 180 days after 2026-06-01
    assert CANARY_SECRET not in repr(creds())


@pytest.mark.parametrize(
    ("client_id", "secret", "refresh", "problem"),
    [
        ("amzn1.sp.solution.x", "s", "Atzr|x", "must start with amzn1.application-oa2-client."),
        (CLIENT_ID, "", "Atzr|x", "client secret is empty"),
        (CLIENT_ID, "s", "Atza|x", "must start with Atzr|"),
        (CLIENT_ID, "s e", "Atzr|x", "client secret contains spaces"),
    ],
)
def test_typed_credentials_are_checked(client_id: str, secret: str, refresh: str, problem: str) -> None:
    assert any(problem in p for p in problems(client_id, secret, refresh))
    assert problems(CLIENT_ID, "s", "Atzr|x") == []
