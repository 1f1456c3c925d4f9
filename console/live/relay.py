"""Prompter relay: serve the session to a remote prompt panel over a websocket.

Headless (no Qt). The console runs a :class:`PrompterRelay` next to its session
log; a remote ``livedesk prompter --connect ws://HOST:PORT --token T`` runs a
:class:`RelayClient` that rebuilds a :class:`SessionState` from the snapshot and
folds every later batch through the same ``SessionState.apply``.

Wire (JSON text frames):

* client -> relay: token in the ``Authorization: Bearer T`` header of the
  handshake, or as the first message ``{"op": "hello", "token": T}``.
  A missing or wrong token is refused with close code 4401.
* relay -> client: ``{"op": "snapshot", "state": state.to_snapshot()}``, then
  every log batch as an array of ``Event.to_json()`` objects.
* client -> relay: ``{"op": "cue_ack", "cue_seq": n}`` (the host acknowledged a
  cue); the relay calls ``on_cue_ack(n)`` (the console appends operator.cue_ack).
  ``{"op": "ping"}`` is answered with ``{"op": "pong"}``.

The relay binds to loopback unless ``allow_remote=True`` is passed explicitly.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
from typing import Any, Callable

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.core.eventlog import Event, SessionLog
from console.fold.state import SessionState

log = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_SLOW = 4408
HELLO_TIMEOUT = 5.0
QUEUE_MAX = 5000           # batches buffered per client before it is dropped (it reconnects)
MAX_MESSAGE = 64 * 1024 * 1024


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _dumps(obj: Any) -> str:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()


class RelayError(RuntimeError):
    pass


class PrompterRelay:
    """Websocket server that mirrors one session log to remote prompt panels.

    ``log_source`` is either an object with ``.log`` (SessionLog) and ``.state``
    (SessionState), such as a LiveSession, or a SessionLog with ``state=`` given.
    Must be started and used on the event loop that appends to the log.
    """

    def __init__(self, log_source: Any, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 *, state: SessionState | None = None,
                 on_cue_ack: Callable[[int | None], None] | None = None,
                 allow_remote: bool = False) -> None:
        if isinstance(log_source, SessionLog):
            self.log = log_source
        else:
            self.log = log_source.log
            state = state if state is not None else log_source.state
        if state is None:
            raise ValueError("PrompterRelay needs a SessionState (log_source.state or state=)")
        self.state: SessionState = state
        if not _is_loopback(host) and not allow_remote:
            raise RelayError(f"refusing to bind the prompter relay to {host!r}: "
                             "pass allow_remote=True to serve beyond this machine")
        self.host = host
        self.port = port
        self.token = token or secrets.token_urlsafe(16)
        self.on_cue_ack = on_cue_ack
        self._server: Server | None = None
        self._clients: dict[ServerConnection, asyncio.Queue] = {}
        self._last_seq = 0

    # ---- Public API ---------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def client_count(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        self._server = await serve(self._handle, self.host, self.port, max_size=MAX_MESSAGE)
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self.log.subscribe(self._on_batch)

    async def stop(self) -> None:
        try:
            self.log.unsubscribe(self._on_batch)
        except ValueError:
            pass
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> "PrompterRelay":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # ---- Internals ------------------------------------------------------------
    def _on_batch(self, events: list[Event]) -> None:
        restarted = bool(events) and events[0].seq <= self._last_seq   # a new session's log
        if events:
            self._last_seq = events[-1].seq
        if not self._clients:
            return
        if restarted:
            # the feed restarted as a new session (docs/session-log.md): its seqs begin at 1
            # again, which a panel's fold would skip; send the new session's state instead
            frame = _dumps({"op": "snapshot", "state": self.state.to_snapshot()})
        else:
            frame = _dumps([ev.to_json() for ev in events])
        for ws, queue in list(self._clients.items()):
            try:
                queue.put_nowait(frame)
            except asyncio.QueueFull:
                self._clients.pop(ws, None)
                asyncio.ensure_future(ws.close(CLOSE_TOO_SLOW, "too slow; reconnect for a snapshot"))

    def _token_ok(self, token: Any) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.token.encode())

    async def _authenticate(self, ws: ServerConnection) -> bool:
        header = ws.request.headers.get("Authorization") if ws.request else None
        if header:
            scheme, _, value = header.partition(" ")
            return scheme.lower() == "bearer" and self._token_ok(value.strip())
        try:
            raw = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
            msg = orjson.loads(raw)
        except (asyncio.TimeoutError, orjson.JSONDecodeError, ConnectionClosed):
            return False
        return isinstance(msg, dict) and msg.get("op") == "hello" and self._token_ok(msg.get("token"))

    async def _handle(self, ws: ServerConnection) -> None:
        if not await self._authenticate(ws):
            await ws.close(CLOSE_UNAUTHORIZED, "unauthorized")
            return
        queue: asyncio.Queue = asyncio.Queue(QUEUE_MAX)
        # Snapshot and registration happen with no await in between: nothing is lost or doubled.
        queue.put_nowait(_dumps({"op": "snapshot", "state": self.state.to_snapshot()}))
        self._clients[ws] = queue
        sender = asyncio.ensure_future(self._send_loop(ws, queue))
        try:
            async for raw in ws:
                self._on_client_message(ws, raw)
        except ConnectionClosed:
            pass
        finally:
            self._clients.pop(ws, None)
            sender.cancel()

    async def _send_loop(self, ws: ServerConnection, queue: asyncio.Queue) -> None:
        try:
            while True:
                await ws.send(await queue.get())
        except ConnectionClosed:
            pass

    def _on_client_message(self, ws: ServerConnection, raw: str | bytes) -> None:
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if not isinstance(msg, dict):
            return
        op = msg.get("op")
        if op == "cue_ack":
            seq = msg.get("cue_seq")
            if self.on_cue_ack is not None and (seq is None or type(seq) is int):
                try:
                    self.on_cue_ack(seq)
                except Exception:  # a console callback must not kill the relay
                    log.exception("on_cue_ack failed")
        elif op == "ping":
            queue = self._clients.get(ws)
            if queue is not None:
                queue.put_nowait(_dumps({"op": "pong"}))


class RelayClient:
    """Remote side: rebuilds a SessionState from the relay (snapshot + the same fold).

    ``on_state(state)`` is called when a snapshot arrives (a new state object, also after
    a reconnect); ``on_update(state)`` after every applied batch.
    """

    def __init__(self, url: str, token: str | None = None, *,
                 on_state: Callable[[SessionState], None] | None = None,
                 on_update: Callable[[SessionState], None] | None = None,
                 on_status: Callable[[str], None] | None = None,
                 reconnect: bool = True, token_in_header: bool = True) -> None:
        self.url = url
        self.token = token
        self.on_state = on_state
        self.on_update = on_update
        self.on_status = on_status
        self.reconnect = reconnect
        self.token_in_header = token_in_header
        self.state: SessionState | None = None
        self.status = "idle"          # connecting | live | reconnecting | unauthorized | closed
        self.last_error: str | None = None
        self.close_code: int | None = None
        self._ws: ClientConnection | None = None
        self._stopping = False
        self.snapshot_received = asyncio.Event()

    def _set_status(self, status: str) -> None:
        self.status = status
        if self.on_status is not None:
            self.on_status(status)

    async def run(self) -> None:
        """Connect and follow until ``close()``; reconnects with backoff unless refused."""
        delay = 0.5
        while not self._stopping:
            self._set_status("connecting" if self.state is None else "reconnecting")
            try:
                await self._session()
                delay = 0.5
            except ConnectionClosed as exc:
                self.close_code = exc.rcvd.code if exc.rcvd else None
                self.last_error = str(exc)
            except (OSError, InvalidStatus, asyncio.TimeoutError) as exc:
                self.last_error = str(exc)
            if self.close_code == CLOSE_UNAUTHORIZED:
                self._set_status("unauthorized")
                return
            if self._stopping or not self.reconnect:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
        self._set_status("closed")

    async def _session(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if (self.token and self.token_in_header) else None
        async with connect(self.url, additional_headers=headers, max_size=MAX_MESSAGE,
                           open_timeout=10) as ws:
            self._ws = ws
            if self.token and not self.token_in_header:
                await ws.send(_dumps({"op": "hello", "token": self.token}))
            try:
                async for raw in ws:
                    self._on_message(raw)
            finally:
                self._ws = None
                if ws.close_code is not None:
                    self.close_code = ws.close_code

    def _on_message(self, raw: str | bytes) -> None:
        msg = orjson.loads(raw)
        if isinstance(msg, dict):
            if msg.get("op") == "snapshot":
                self.state = SessionState.from_snapshot(msg["state"])
                self._set_status("live")
                self.snapshot_received.set()
                if self.on_state is not None:
                    self.on_state(self.state)
            return
        if isinstance(msg, list) and self.state is not None:
            self.state.apply([Event.from_json(obj) for obj in msg])
            if self.on_update is not None:
                self.on_update(self.state)

    async def send_cue_ack(self, cue_seq: int | None) -> bool:
        ws = self._ws
        if ws is None:
            return False
        try:
            await ws.send(_dumps({"op": "cue_ack", "cue_seq": cue_seq}))
            return True
        except ConnectionClosed:
            return False

    async def close(self) -> None:
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()


__all__ = ["PrompterRelay", "RelayClient", "RelayError", "CLOSE_UNAUTHORIZED"]
