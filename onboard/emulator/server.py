"""Serving the emulator: in the foreground for ``onboard sandbox serve``, or in a background thread
for tests and the embedded ``emulator`` environment. Either way one uvicorn server on a socket we
bind ourselves, so that a port in use is a clear error before anything starts."""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from onboard.emulator.app import Emulator, EmulatorSettings, create_app
from onboard.errors import ConfigError
from onboard.labels.render import warm_up

LOOPBACK = "127.0.0.1"


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "use an address such as 127.0.0.1"
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        hint = "choose another --port, or stop what is using it" if exc.errno == errno.EADDRINUSE else ""
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint) from None
    return sock


def _uvicorn(app: object, **overrides: object) -> uvicorn.Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        date_header=False,
        **overrides,  # type: ignore[arg-type]
    )
    return uvicorn.Server(config)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_forever(app: Starlette, sock: socket.socket) -> None:
    """Serve ``app`` (from ``create_app``, built first so its state can be shown before it serves) until
    Ctrl+C or SIGTERM, then return normally once the requests in flight are answered."""
    server = _uvicorn(app)
    warm_up()
    # uvicorn handles both signals while serving and re-raises the one it caught once it has shut
    # down; a stop the user asked for is a clean exit, so both end here as KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


class EmulatorServer:
    """The emulator on a free loopback port in a background thread, for tests and embedded use.

    >>> with EmulatorServer() as server:
    ...     httpx.post(server.url + "/auth/o2/token", data=...)
    """

    def __init__(self, settings: EmulatorSettings | None = None, host: str = LOOPBACK, port: int = 0) -> None:
        self.app = create_app(settings)
        try:
            self._sock = bind(host, port)
        except ConfigError:
            self.emulator.close()  # let go of the state file, or a retry on another port finds it locked
            raise
        self.url = url_of(self._sock)
        self._server = _uvicorn(self.app)
        self._thread = threading.Thread(target=self._run, name="onboard-emulator", daemon=True)

    @property
    def emulator(self) -> Emulator:
        emulator: Emulator = self.app.state.emulator
        return emulator

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> EmulatorServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._sock.close()
        self.emulator.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
