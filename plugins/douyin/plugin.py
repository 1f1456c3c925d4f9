"""The ``douyin`` feed: the platform's own web consoles, through the operator's browser.

``DouyinFeed`` joins the parts: the :class:`~plugins.douyin.bridge.BrowserBridge` captures
the JSON the consoles fetch, every record goes to the raw capture file and through the
:class:`~plugins.douyin.mapper.ConsoleMapper`, and the events are served as a protocol v1
feed on loopback by :class:`console.feed.server.FeedServer` (so ``LiveSession(feed.url)``
records and folds them like any feed). Commands from the console (``card.push``,
``card.clear``, ``comment.pin``, ``comment.send``) act on the real control page; what the
platform cannot do from there is answered ``unsupported`` with the reason.

Conditions the bridge finds (login needed or expired, page not found, patterns not
matching, browser closed) become ``alert.raised`` / ``alert.cleared`` local events in the
session log once a session is attached (:meth:`DouyinFeed.attach`).

``DouyinCaptureFeed`` serves a raw capture file as a feed (re-deriving a session with this
mapper, or reproducing what a studio sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any, Callable

from console.api import Session
from console.core import protocol as p
from console.feed.server import FeedServer, Rejected, Unsupported
from console.plugin_host import FEEDS, Plugin, PluginContext
from plugins.douyin.capture import CaptureWriter, capture_path, read_capture
from plugins.douyin.mapper import ConsoleMapper
from plugins.douyin.profile import Profile

log = logging.getLogger("livedesk.plugins.douyin")

CRITICAL, WARNING = "critical", "warning"
_STR = (str,)
#: commands this feed takes: the protocol's, plus sending a comment as the room
COMMANDS = dict(p.COMMAND_ARGS, **{"comment.send": {"text": _STR}})
ERROR_MESSAGES = {
    "login_expired": "登录已失效 (平台返回 {code}): 请在浏览器窗口中重新登录",
    "no_permission": "没有这个直播间的数据权限 (平台返回 {code})",
    "wrong_view": "页面视图不对 (平台返回 {code}): 请检查店铺/达人身份",
    "wrong_room": "直播间 id 不属于这个账号 (平台返回 {code})",
}


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class DouyinFeed(Plugin):
    """Feed source: 抖音 中控台 + 罗盘 大屏 in the operator's logged-in browser."""

    name = "douyin"
    title = "抖音 Douyin (shop account, browser)"
    description = ("Opens the Douyin live consoles in your own browser (log in once with the "
                   "shop account), reads orders, comments, traffic and products from them and "
                   "pushes 讲解 and comments back through the page.")
    kind = FEEDS
    requires = ["playwright"]
    settings = {"profile": "", "browser_path": "", "channel": "", "headless": False,
                "port": 0, "retention": 1_000_000, "session_id": "", "user_data_dir": "",
                "capture": True, "capture_dir": ""}
    default_enabled = False

    def __init__(self) -> None:
        self.profile: Profile | None = None
        self.mapper: ConsoleMapper | None = None
        self.server: FeedServer | None = None
        self.bridge: Any = None
        self.capture: CaptureWriter | None = None
        self.session_id = ""
        self._sent = 0                     # comments sent as the room (their ids)
        self.started_at = 0.0
        self.alerts: dict[str, dict] = {}
        self.latency: list[float] = []
        self._sink: Callable[[str, dict], Any] | None = None
        self._held: list[tuple[str, dict]] = []
        self._ticker: asyncio.Task | None = None
        self._error_streams: dict[str, str] = {}
        self._ended = False

    # ---- lifecycle ----------------------------------------------------------------------
    @property
    def url(self) -> str | None:
        return self.server.url if self.server else None

    async def start(self, context: PluginContext) -> None:
        await self.open(context.settings)
        if context.session is not None:
            self.attach(context.session)

    async def open(self, settings: dict | None = None, *, profile: Profile | None = None,
                   clock: Callable[[], float] = time.time) -> str:
        """Start the feed server, the browser and the capture; returns the feed URL."""
        from plugins.douyin.bridge import BrowserBridge

        s = dict(self.settings, **(settings or {}))
        self.profile = profile or Profile.load(s.get("profile") or None)
        self.started_at = clock()
        self.session_id = s.get("session_id") or time.strftime(
            "douyin-%Y%m%d-%H%M%S", time.localtime(self.started_at))
        self.mapper = ConsoleMapper(self.profile, clock=clock)
        self.server = FeedServer(self._session_info, port=int(s.get("port") or 0),
                                 retention=int(s.get("retention") or 1_000_000),
                                 hook=self._command, commands=COMMANDS,
                                 catalog=self.mapper.catalog, clock=clock)
        self.server.emit([{"type": p.SESSION_STARTED, "ts": self.started_at, "data": {
            "session_id": self.session_id, "platform": self.profile.platform,
            "currency": self.profile.currency, "started_at": self.started_at,
            "title": "抖音直播", "source": "douyin"}}])
        if _flag(s.get("capture", True)):
            directory = Path(s["capture_dir"]) if s.get("capture_dir") else None
            self.capture = CaptureWriter(capture_path(self.session_id, directory))
        self.bridge = BrowserBridge(
            self.profile, user_data_dir=Path(s["user_data_dir"]) if s.get("user_data_dir") else None,
            browser_path=s.get("browser_path") or None, channel=s.get("channel") or None,
            headless=_flag(s.get("headless")), on_record=self.on_record,
            on_condition=self._on_condition, on_card_seen=self._on_card_seen, clock=clock)
        await self.server.start()
        try:
            await self.bridge.start()
        except BaseException:
            await self.server.stop()
            if self.capture is not None:
                self.capture.close()
            raise
        self._ticker = asyncio.create_task(self._tick_loop(clock))
        log.info("douyin feed %s on %s (capture %s)", self.session_id, self.server.url,
                 self.capture.path if self.capture else "off")
        return self.server.url

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._ticker
            self._ticker = None
        if self.bridge is not None:
            await self.bridge.stop()
        if self.mapper is not None and self.server is not None:
            self.server.emit(self.mapper.flush_pending())
        if self.capture is not None:
            self.capture.close()
        if self.server is not None:
            await self.server.stop()

    def _session_info(self) -> dict:
        info = {"id": self.session_id, "platform": "douyin", "source": "douyin",
                "currency": self.profile.currency if self.profile else "CNY",
                "started_at": self.started_at, "title": "抖音直播"}
        if self.mapper is not None and self.mapper.room_id:
            info["room"] = self.mapper.room_id
        return info

    # ---- alerts ---------------------------------------------------------------------------
    def attach(self, session: Session) -> None:
        """Record the connector's conditions in ``session``'s log (alert events, source system)."""
        self._sink = lambda type_, data: session.append_local(type_, data, "system")
        held, self._held = self._held, []
        for type_, data in held:
            self._sink(type_, data)

    def _on_condition(self, key: str, alert: dict | None) -> None:
        if alert is not None:
            self.alerts[key] = alert
            item = (p.ALERT_RAISED, dict(alert))
            log.warning("douyin: %s", alert["message"])
        else:
            old = self.alerts.pop(key, None)
            if old is None:
                return
            item = (p.ALERT_CLEARED, dict(old, value=None))
            log.info("douyin: cleared %s", key)
        if self._sink is not None:
            self._sink(*item)
        else:
            self._held.append(item)

    # ---- data in ----------------------------------------------------------------------------
    def on_record(self, record: dict) -> list[dict]:
        """One captured response: keep it, map it, serve the events."""
        assert self.mapper is not None and self.server is not None
        if self.capture is not None:
            self.capture.write(record)
        events = self.mapper.feed(record)
        self._signals(record)
        if events:
            self.server.emit(events)
        return events

    def _signals(self, record: dict) -> None:
        mapper, bridge = self.mapper, self.bridge
        stream = record.get("stream") or (self.profile.classify(str(record.get("url"))) if self.profile else None)
        errored = set()
        for kind, value in mapper.drain_signals():
            if kind == "room" and bridge is not None:
                bridge.room_id = value
            elif kind == "live":
                if bridge is not None:
                    bridge.live = value
                if value is False and not self._ended:
                    self._ended = True
                    self.server.emit([{"type": p.SESSION_ENDED, "data": {
                        "session_id": self.session_id, "ended_at": record.get("t")}}])
                elif value is True:
                    self._ended = False
            elif kind == "platform_error":
                meaning = value.get("meaning")
                errored.add(value.get("stream"))
                if meaning in ERROR_MESSAGES and bridge is not None:
                    self._error_streams[value.get("stream")] = meaning
                    bridge.raise_condition(meaning, CRITICAL if meaning == "login_expired" else WARNING,
                                           ERROR_MESSAGES[meaning].format(code=value.get("code")))
        if stream in self._error_streams and stream not in errored:
            meaning = self._error_streams.pop(stream)
            if meaning not in self._error_streams.values() and bridge is not None:
                bridge.clear_condition(meaning)

    def _on_card_seen(self, promotion_id: str | None) -> None:
        if self.mapper is None or self.server is None:
            return
        events = self.mapper.observe_card(promotion_id)
        if events:
            self.server.emit(events)

    async def _tick_loop(self, clock: Callable[[], float]) -> None:
        while True:
            now = clock()
            await asyncio.sleep(1.0 - (now % 1.0) + 0.01)
            try:
                events = self.mapper.tick(clock())
                if events:
                    self.server.emit(events)
                if self.capture is not None:
                    self.capture.flush()
            except Exception:  # a bad tick must not stop the feed
                log.exception("douyin tick failed")

    # ---- commands out ----------------------------------------------------------------------
    async def _command(self, name: str, args: dict) -> list[dict]:
        mapper, bridge = self.mapper, self.bridge
        if name == p.CMD_CARD_PUSH:
            sku = args["sku"]
            prod = mapper.product_for_sku(sku)
            if prod is None:
                raise Rejected(f"unknown SKU {sku!r}: it is not in the live product list")
            previous = mapper.current_sku
            mapper.set_current(sku)
            try:
                await bridge.explain(prod.promotion_id)
            except BaseException:
                mapper.set_current(previous)
                raise
            data = {"sku": sku, "title": prod.title, "promotion_id": prod.promotion_id,
                    "origin": "livedesk"}
            if prod.price is not None:
                data["price"] = prod.price
            return [{"type": p.CARD_PUSHED, "data": data}]
        if name == p.CMD_CARD_CLEAR:
            previous = mapper.current_sku
            mapper.set_current(None)
            try:
                await bridge.explain(None)
            except BaseException:
                mapper.set_current(previous)
                raise
            return [{"type": p.CARD_CLEARED, "data": {"sku": previous} if previous else {}}]
        if name == p.CMD_COMMENT_PIN:
            comment = mapper.comment_by_id(args["comment_id"])
            if comment is None:
                raise Rejected(f"unknown comment {args['comment_id']!r}")
            text = str(self.profile.behaviour("pin_template", "@{nick} {text}")).format(
                nick=comment["nick"], text=comment["text"])
            await bridge.send_comment(text, pin=True)
            return [{"type": p.COMMENT_PINNED, "data": {
                "comment_id": comment["comment_id"], "nick": comment["nick"],
                "text": comment["text"], "posted": text}}]
        if name == p.CMD_COMMENT_SEND:
            text = args["text"].strip()
            if not text:
                raise Rejected("the comment is empty")
            if len(text) > p.MAX_COMMENT_CHARS:
                raise Rejected(f"the comment is longer than {p.MAX_COMMENT_CHARS} characters")
            reply_to = args.get("reply_to")
            posted = text
            if reply_to is not None:
                comment = mapper.comment_by_id(str(reply_to))
                if comment is None:
                    raise Rejected(f"unknown comment {reply_to!r}")
                posted = str(self.profile.behaviour("reply_template", "@{nick} {text}")).format(
                    nick=comment["nick"], text=text)
            await bridge.send_comment(posted, pin=bool(args.get("pin")))
            self._sent += 1
            data = {"comment_id": f"{self.session_id}-sent-{self._sent}", "text": text,
                    "source": str(args.get("source") or "operator"), "posted": posted}
            if reply_to is not None:
                data["reply_to"] = str(reply_to)
            return [{"type": p.COMMENT_SENT, "data": data}]   # as protocol v1 records a sent comment
        if name == p.CMD_FLASH_START:
            raise Unsupported("抖音中控台 has no flash-sale (秒杀) button Livedesk can press: "
                              "set up 限时限量购 in 抖店 营销中心 before the show")
        if name == p.CMD_INVENTORY_SET:
            raise Unsupported("stock cannot be set from the live console: change it in 抖店 "
                              "商品管理; the console shows the stock the platform reports")
        raise Unsupported(f"{name} is not available on Douyin")

    # ---- the console's controls --------------------------------------------------------------
    async def set_browser_visible(self, visible: bool) -> bool:
        return await self.bridge.set_visible(visible) if self.bridge is not None else False

    def status(self) -> dict:
        out = {"session_id": self.session_id, "url": self.url,
               "alerts": sorted(self.alerts), "capture": str(self.capture.path) if self.capture else None}
        if self.bridge is not None:
            out["browser"] = self.bridge.status()
        if self.mapper is not None:
            out["products"] = len(self.mapper.products)
            out["orders"] = len(self.mapper.orders)
        return out


class DouyinCaptureFeed(Plugin):
    """Feed source: a raw Douyin capture file, replayed through the mapper."""

    name = "douyin_capture"
    title = "抖音 Douyin capture (replay)"
    description = "Replays a raw capture of the Douyin consoles as a feed (re-derives the session)."
    kind = FEEDS
    requires = ["setting:capture"]
    settings = {"capture": "", "profile": "", "speed": 1.0, "port": 0, "session_id": ""}
    default_enabled = False

    def __init__(self) -> None:
        self.server: FeedServer | None = None
        self.mapper: ConsoleMapper | None = None
        self.done = asyncio.Event()
        self.records = 0
        self._task: asyncio.Task | None = None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server else None

    async def start(self, context: PluginContext) -> None:
        await self.open(context.settings)

    async def open(self, settings: dict) -> str:
        s = dict(self.settings, **settings)
        path = Path(s["capture"])
        if not path.exists():
            raise FileNotFoundError(f"no such capture file: {path}")
        profile = Profile.load(s.get("profile") or None)
        first = next(iter(read_capture(path)), None)
        t0 = float(first["t"]) if first else time.time()
        sid = s.get("session_id") or "replay-" + path.name.split(".")[0]
        self.mapper = ConsoleMapper(profile, clock=lambda: t0)
        self.server = FeedServer({"id": sid, "platform": "douyin", "source": "douyin_capture",
                                  "currency": profile.currency, "started_at": t0},
                                 port=int(s.get("port") or 0), catalog=self.mapper.catalog,
                                 read_only_reason="a capture replay takes no commands")
        self.server.emit([{"type": p.SESSION_STARTED, "ts": t0, "data": {
            "session_id": sid, "platform": "douyin", "currency": profile.currency,
            "started_at": t0, "source": "douyin_capture", "capture": str(path)}}])
        await self.server.start()
        self._task = asyncio.create_task(self._play(path, float(s.get("speed") or 0)))
        return self.server.url

    async def _play(self, path: Path, speed: float) -> None:
        mapper, server = self.mapper, self.server
        wall0 = time.monotonic()
        t_first = None
        last_t = None
        for record in read_capture(path):
            t = float(record.get("t") or 0)
            t_first = t if t_first is None else t_first
            if speed > 0:
                wait = (t - t_first) / speed - (time.monotonic() - wall0)
                if wait > 0:
                    await asyncio.sleep(wait)
            if last_t is not None:   # one traffic tick per capture second in between
                for second in range(int(last_t) + 1, int(t) + 1):
                    server.emit(mapper.tick(float(second)))
            last_t = t
            self.records += 1
            server.emit(mapper.feed(record))
            mapper.drain_signals()
            if speed <= 0 and self.records % 200 == 0:
                await asyncio.sleep(0)
        if last_t is not None:
            server.emit(mapper.tick(float(int(last_t) + 1)))
            server.emit(mapper.flush_pending(last_t))
        self.done.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.server is not None:
            await self.server.stop()


__all__ = ["DouyinFeed", "DouyinCaptureFeed", "COMMANDS"]
