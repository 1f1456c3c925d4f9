"""OBS overlay: drive OBS Studio text sources from the live session (obs-websocket v5).

On ``card.pushed`` it sets the product, price, stock and flash-countdown text
inputs, and optionally switches the program scene and shows a scene item.
Stock changes of the current product are throttled (``stock_hz``, default
2 updates per second); the flash countdown ticks once a second while a flash
sale of the current product runs. Settings live in the plugin config; the
obs-websocket password lives in the system keyring (service
``livedesk-obs``, user ``<host>:<port>``): see :func:`set_password`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from console.core import protocol as p
from console.fold.state import SessionState
from console.plugin_host import INTEGRATIONS, Plugin, PluginContext

log = logging.getLogger("livedesk.plugins.obs_overlay")

KEYRING_SERVICE = "livedesk-obs"
NO_KEYRING_HELP = ("no usable system keyring: unlock or install one (GNOME Keyring / KWallet "
                   "through Secret Service, Windows Credential Locker, macOS Keychain), or choose a "
                   "keyring backend explicitly with PYTHON_KEYRING_BACKEND (docs/plugins.md)")


class KeyringUnavailable(RuntimeError):
    """The system keyring cannot store or read the OBS password (clear message in ``str``)."""


def keyring_user(host: str, port: int) -> str:
    return f"{host}:{port}"


def _keyring():
    try:
        import keyring
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise KeyringUnavailable("python module 'keyring' is not installed") from exc
    return keyring


def keyring_name() -> str:
    """Human-readable name of the active keyring backend ("" if none is usable)."""
    try:
        kr = _keyring().get_keyring()
    except Exception:  # noqa: BLE001 - any backend failure means "none"
        return ""
    if type(kr).__module__.startswith("keyring.backends.fail"):
        return ""
    return getattr(kr, "name", type(kr).__name__)


def get_password(host: str, port: int) -> str:
    """The stored obs-websocket password ("" if none). Raises KeyringUnavailable when
    there is no usable keyring: the password is never read from plain config."""
    keyring = _keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user(host, port)) or ""
    except Exception as exc:  # NoKeyringError, locked collection, no D-Bus session ...
        raise KeyringUnavailable(f"{NO_KEYRING_HELP} ({type(exc).__name__}: {exc})") from exc


def set_password(host: str, port: int, password: str) -> None:
    """Store the obs-websocket password in the system keyring ("" deletes it)."""
    keyring = _keyring()
    try:
        if password:
            keyring.set_password(KEYRING_SERVICE, keyring_user(host, port), password)
        else:
            try:
                keyring.delete_password(KEYRING_SERVICE, keyring_user(host, port))
            except keyring.errors.PasswordDeleteError:
                pass
    except KeyringUnavailable:
        raise
    except Exception as exc:
        raise KeyringUnavailable(f"{NO_KEYRING_HELP} ({type(exc).__name__}: {exc})") from exc


def has_password(host: str, port: int) -> bool | None:
    """Whether a password is stored (None: no usable keyring)."""
    try:
        return bool(get_password(host, port))
    except KeyringUnavailable:
        return None


#: obs-websocket close codes (WebSocketCloseCode in the v5 protocol) -> what to tell the user.
CLOSE_CODES = {
    4009: "authentication failed: the password stored in the keyring does not match OBS "
          "(Tools > WebSocket Server Settings)",
    4010: "unsupported RPC version (this plugin speaks obs-websocket v5)",
    4006: "OBS asked for authentication but no password was sent",
}


def format_price(value: float | None, currency: str = "¥") -> str:
    if value is None:
        return ""
    return currency + f"{value:.2f}".rstrip("0").rstrip(".")


def format_countdown(seconds: float) -> str:
    s = max(0, int(seconds + 0.999))
    return f"{s // 60:02d}:{s % 60:02d}"


class ObsOverlay(Plugin):
    """Integration: product / price / stock / countdown text in OBS."""

    name = "obs_overlay"
    title = "OBS overlay"
    description = ("Updates OBS text sources (product, price, stock left, flash countdown) "
                   "on each card push over obs-websocket v5; can switch scene.")
    kind = INTEGRATIONS
    requires = ["simpleobsws", "keyring", "setting:host"]
    settings = {
        "host": "127.0.0.1",
        "port": 4455,
        "product_source": "LD Product",
        "price_source": "LD Price",
        "stock_source": "LD Stock",
        "countdown_source": "LD Countdown",
        "scene": "",              # switch the program scene to this on card push ("" = don't)
        "show_source": "",        # enable this scene item on card push ("" = don't)
        "show_in_scene": "",      # scene holding show_source (default: scene)
        "stock_hz": 2.0,
        "stock_format": "仅剩 {stock}",
        "sold_out_text": "已售罄",
        "currency": "¥",
        "connect_timeout_s": 5.0,
        "request_timeout_s": 5.0,
    }
    default_enabled = False

    def __init__(self) -> None:
        self.ws: Any = None
        self.cfg: dict = {}
        self.sent: list[tuple[str, dict]] = []   # (requestType, requestData) in order, for tests/UI
        self.errors = 0
        self._pending: dict[str, str] = {}       # input name -> text
        self._actions: list[tuple[str, dict]] = []
        self._wake = asyncio.Event()
        self._stock_due = 0.0
        self._stock_value: str | None = None
        self._last_text: dict[str, str] = {}
        self._flash_ends: float | None = None
        self._sku: str | None = None
        self._worker: asyncio.Task | None = None
        self._ticker: asyncio.Task | None = None
        self.context: PluginContext | None = None
        self.obs_version = ""

    # ---- Lifecycle -----------------------------------------------------------------
    async def start(self, context: PluginContext) -> None:
        import simpleobsws
        import websockets

        self.context = context
        self.cfg = dict(context.settings)
        self._last_text.clear()            # (re)connecting: OBS may hold anything
        self._pending.clear()
        self._actions.clear()
        host, port = self.cfg["host"], int(self.cfg.get("port") or 4455)
        try:
            password, keyring_error = get_password(host, port), None
        except KeyringUnavailable as exc:   # fine while OBS needs no password
            password, keyring_error = "", str(exc)
        timeout = float(self.cfg.get("connect_timeout_s") or 5.0)
        self.ws = simpleobsws.WebSocketClient(
            url=f"ws://{host}:{port}", password=password,
            identification_parameters=simpleobsws.IdentificationParameters(eventSubscriptions=0))
        try:
            await asyncio.wait_for(self.ws.connect(), timeout)
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
            self.ws = None
            raise ConnectionError(f"cannot reach OBS at {host}:{port} ({type(exc).__name__}: "
                                  f"{exc}); is OBS running with its WebSocket server enabled?") from exc
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.ws.identified and self.ws.ws_open and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if not self.ws.identified:
            hello = self.ws.hello_message or {}
            code = getattr(self.ws.ws, "close_code", None) if self.ws.ws is not None else None
            await self._disconnect()
            if "authentication" in hello and not password:
                raise ConnectionError(
                    f"OBS at {host}:{port} requires a password and "
                    + (keyring_error if keyring_error else
                       "none is stored in the keyring (set it in Plugins > OBS connection)"))
            why = CLOSE_CODES.get(code, f"closed with code {code}" if code else "no answer")
            raise ConnectionError(f"OBS at {host}:{port} did not identify us: {why}")
        version = await self.ws.call(simpleobsws.Request("GetVersion"), timeout=timeout)
        self.obs_version = (version.responseData or {}).get("obsVersion", "?")
        log.info("connected to OBS %s at %s:%s", self.obs_version, host, port)
        self._worker = asyncio.create_task(self._work())
        self._worker.add_done_callback(self._worker_done)
        self._ticker = asyncio.create_task(self._tick())

    def _worker_done(self, task: asyncio.Task) -> None:
        if task.cancelled() or task.exception() is None:
            return
        exc = task.exception()
        log.error("lost OBS: %r", exc)
        if self.context is not None:
            self.context.report_failure(ConnectionError(f"lost OBS: {exc}"))

    async def _disconnect(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                await ws.disconnect()
            except Exception as exc:  # noqa: BLE001 - already closed
                log.debug("disconnect: %r", exc)

    async def stop(self) -> None:
        for task in (self._ticker, self._worker):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (self._ticker, self._worker) if t), return_exceptions=True)
        self._worker = self._ticker = None
        await self._disconnect()

    # ---- Settings (GUI only) -------------------------------------------------------------
    def settings_widget(self, context: PluginContext, parent: Any = None) -> Any:
        """The "OBS connection" form for the Plugins dock (Qt is imported there only)."""
        from plugins.obs_overlay.settings_widget import ObsSettingsWidget

        return ObsSettingsWidget(context, parent)

    # ---- Events (sync, quick: only queue work) -----------------------------------------
    def on_events(self, events: list, state: SessionState | None) -> None:
        worker = self._worker
        if worker is not None and worker.done() and not worker.cancelled() and worker.exception():
            raise RuntimeError(f"lost OBS: {worker.exception()!r}")
        for ev in events:
            t = ev.type
            if t == p.CARD_PUSHED:
                self._on_card(ev.data.get("sku"), state, ev.ts)
            elif t == p.CARD_CLEARED or t == p.SESSION_ENDED:
                self._sku = None
                self._flash_ends = None
                for key in ("product_source", "price_source", "stock_source", "countdown_source"):
                    self._set(key, "")
            elif self._sku is None:
                continue
            elif t in (p.INVENTORY_SET, p.ORDER_PAID, p.ORDER_REFUNDED, p.PRODUCT_UPSERT):
                if ev.data.get("sku") == self._sku:
                    self._queue_stock(self._stock_text(state, self._sku))
                    if t == p.PRODUCT_UPSERT:
                        self._set("product_source", str(ev.data.get("title", "")))
                        self._set("price_source", self._price_text(state, self._sku))
            elif t == p.FLASH_STARTED and ev.data.get("sku") == self._sku:
                self._flash_ends = float(ev.data["ends_at"])
                self._set("price_source", format_price(float(ev.data["deal_price"]),
                                                       self.cfg.get("currency", "¥")))
                self._set("countdown_source", format_countdown(self._flash_ends - time.time()))
                self._queue_stock(self._stock_text(state, self._sku))
            elif t == p.FLASH_ENDED and ev.data.get("sku") == self._sku:
                self._flash_ends = None
                self._set("countdown_source", "")
                self._set("price_source", self._price_text(state, self._sku))
        self._wake.set()

    def _on_card(self, sku: str | None, state: SessionState | None, ts: float) -> None:
        if not sku:
            return
        self._sku = sku
        prod = state.products.get(sku) if state is not None else None
        self._set("product_source", (prod.title if prod and prod.title else sku))
        self._set("price_source", self._price_text(state, sku))
        self._stock_value = None  # a card push sends stock immediately
        self._stock_due = 0.0
        self._queue_stock(self._stock_text(state, sku))
        flash = state.active_flash(sku) if state is not None else None
        self._flash_ends = flash.ends_at if flash else None
        self._set("countdown_source", format_countdown(self._flash_ends - time.time())
                  if self._flash_ends else "")
        if self.cfg.get("scene"):
            self._actions.append(("SetCurrentProgramScene", {"sceneName": self.cfg["scene"]}))
        if self.cfg.get("show_source"):
            scene = self.cfg.get("show_in_scene") or self.cfg.get("scene")
            if scene:
                self._actions.append(("_show", {"sceneName": scene,
                                                 "sourceName": self.cfg["show_source"]}))

    # ---- Text ------------------------------------------------------------------------
    def _price_text(self, state: SessionState | None, sku: str) -> str:
        cur = self.cfg.get("currency", "¥")
        flash = state.active_flash(sku) if state is not None else None
        if flash:
            return format_price(flash.deal_price, cur)
        prod = state.products.get(sku) if state is not None else None
        return format_price(prod.price, cur) if prod else ""

    def _stock_text(self, state: SessionState | None, sku: str) -> str:
        flash = state.active_flash(sku) if state is not None else None
        prod = state.products.get(sku) if state is not None else None
        stock = flash.remaining if flash else (prod.stock if prod else None)
        if stock is None:
            return ""
        if stock <= 0:
            return str(self.cfg.get("sold_out_text", "Sold out"))
        return str(self.cfg.get("stock_format", "{stock}")).format(stock=stock)

    def _set(self, key: str, text: str) -> None:
        name = self.cfg.get(key)
        if name:
            self._pending[name] = text

    def _queue_stock(self, text: str) -> None:
        self._stock_value = text

    # ---- Worker ----------------------------------------------------------------------
    async def _work(self) -> None:
        interval = 1.0 / max(0.1, float(self.cfg.get("stock_hz", 2.0)))
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
            self._check_open()
            self._wake.clear()
            now = time.monotonic()
            stock_name = self.cfg.get("stock_source")
            if self._stock_value is not None and stock_name:
                if now >= self._stock_due:
                    self._pending[stock_name] = self._stock_value
                    self._stock_value = None
                    self._stock_due = now + interval
                else:
                    asyncio.get_running_loop().call_later(self._stock_due - now + 0.001, self._wake.set)
            pending, self._pending = self._pending, {}
            for name, text in pending.items():
                if self._last_text.get(name) == text:
                    continue
                if await self._call("SetInputSettings",
                                    {"inputName": name, "inputSettings": {"text": text}}):
                    self._last_text[name] = text
            actions, self._actions = self._actions, []
            for req, data in actions:
                if req == "_show":
                    await self._show(data["sceneName"], data["sourceName"])
                else:
                    await self._call(req, data)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            if self._flash_ends is not None:
                left = self._flash_ends - time.time()
                self._set("countdown_source", format_countdown(left))
                if left <= 0:
                    self._flash_ends = None
                self._wake.set()

    def _check_open(self) -> None:
        ws = self.ws
        if ws is None or not ws.ws_open:
            code = getattr(getattr(ws, "ws", None), "close_code", None)
            raise ConnectionError("the obs-websocket connection closed"
                                  + (f" (code {code})" if code else ""))

    async def _show(self, scene: str, source: str) -> None:
        res = await self._call("GetSceneItemId", {"sceneName": scene, "sourceName": source})
        if res is not None and res.responseData:
            await self._call("SetSceneItemEnabled", {"sceneName": scene,
                                                     "sceneItemId": res.responseData["sceneItemId"],
                                                     "sceneItemEnabled": True})

    async def _call(self, request_type: str, data: dict) -> Any:
        """Send one request; OBS-side failures (missing source...) are logged, not fatal."""
        import simpleobsws

        self._check_open()
        self.sent.append((request_type, data))
        res = await self.ws.call(simpleobsws.Request(request_type, data),
                                 timeout=float(self.cfg.get("request_timeout_s") or 5.0))
        if not res.ok():
            self.errors += 1
            log.warning("OBS %s %s failed: %s %s", request_type, data,
                        res.requestStatus.code, res.requestStatus.comment)
            return None
        return res
