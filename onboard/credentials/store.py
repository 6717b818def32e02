"""Where the credentials live: the environment (read-only), else the OS keyring, else a 0600 file.

::

    resolve(settings, workspace_id)  -> Credentials | None   environment first, then the store
    default_store()                  -> KeyringStore | FileStore

One entry per workspace (its id), so an agency's shippers each keep their own app's credentials.
The file store sits under the user's config directory, never in a workspace, and is written with
mode 0600 inside a 0700 directory. Nothing here logs or raises with a secret in the message.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from onboard.credentials.model import Credentials
from onboard.errors import ConfigError
from onboard.files import atomic_write, disk_error, read_json
from onboard.locations import credentials_dir
from onboard.names import checked
from onboard.settings import Settings

SERVICE = "onboard"


class CredentialStore(Protocol):
    @property
    def name(self) -> str:
        """Shown to the user: which store holds their secrets."""
        ...

    def load(self, key: str) -> Credentials | None: ...

    def save(self, key: str, credentials: Credentials) -> None: ...

    def forget(self, key: str) -> bool: ...


def _to_json(credentials: Credentials) -> str:
    return json.dumps(
        {
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.get_secret_value(),
            "refresh_token": credentials.refresh_token.get_secret_value(),
            "secret_created": credentials.secret_created.isoformat() if credentials.secret_created else None,
        }
    )


def _from_json(text: str, source: str, where: str) -> Credentials:
    try:
        data = read_json(text)
        created = data.get("secret_created")
        return Credentials(
            client_id=str(data["client_id"]),
            client_secret=SecretStr(str(data["client_secret"])),
            refresh_token=SecretStr(str(data["refresh_token"])),
            source="keyring" if source == "keyring" else "file",
            secret_created=date.fromisoformat(created) if created else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        # the message names the place, never the content: it holds secrets
        raise ConfigError(
            f"the stored credentials in {where} are damaged", "store them again with 'onboard creds set'"
        ) from None


@dataclass(slots=True)
class FileStore:
    directory: Path

    @property
    def name(self) -> str:
        return f"file (readable only by you) in {self.directory}"

    def _path(self, key: str) -> Path:
        # the key is the workspace's id, from a file anyone may edit: it names a file here only when it
        # cannot name one anywhere else
        return self.directory / f"{checked(key, 'the workspace id')}.json"

    def load(self, key: str) -> Credentials | None:
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
        return _from_json(text, "file", str(path))

    def save(self, key: str, credentials: Credentials) -> None:
        path = self._path(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
        except OSError as exc:
            raise disk_error(exc, self.directory, "make the credential folder") from None
        # its owner's alone from its first byte: the temporary file is 0600 before any secret is written
        atomic_write(path, _to_json(credentials).encode(), mode=0o600)

    def forget(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise disk_error(exc, path, "remove") from None
        return True


@dataclass(slots=True)
class KeyringStore:
    backend_name: str

    @property
    def name(self) -> str:
        return f"OS keyring ({self.backend_name})"

    def load(self, key: str) -> Credentials | None:
        import keyring  # noqa: PLC0415 - loads OS backends; only when the store is used

        text = keyring.get_password(SERVICE, key)
        return _from_json(text, "keyring", self.name) if text else None

    def save(self, key: str, credentials: Credentials) -> None:
        import keyring  # noqa: PLC0415

        keyring.set_password(SERVICE, key, _to_json(credentials))

    def forget(self, key: str) -> bool:
        import keyring  # noqa: PLC0415
        from keyring.errors import PasswordDeleteError  # noqa: PLC0415

        try:
            keyring.delete_password(SERVICE, key)
        except PasswordDeleteError:
            return False
        return True


def default_store() -> CredentialStore:
    """The OS keyring when a usable backend exists, else the 0600 file store."""
    import keyring  # noqa: PLC0415
    from keyring.backends import fail  # noqa: PLC0415

    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring setup means: use the file
        return FileStore(credentials_dir())
    if not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0:
        return KeyringStore(type(backend).__name__)
    return FileStore(credentials_dir())


def resolve(settings: Settings, key: str, store: CredentialStore | None = None) -> Credentials | None:
    """The credentials in force: the LWA_ environment variables win over the store."""
    if settings.credentials is not None:
        env = settings.credentials
        return Credentials(env.client_id, env.client_secret, env.refresh_token, "environment")
    return (store or default_store()).load(key)


def know_stored_secrets(settings: Settings, key: str) -> None:
    """Load the credentials in force, so that their values are known secrets (:mod:`onboard.masking`): what is
    recorded can then be refused for holding them. A store that cannot be read is no reason to refuse."""
    with contextlib.suppress(Exception):
        resolve(settings, key)
