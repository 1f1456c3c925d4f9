"""The browser bridge: the operator's own logged-in browser, driven through Playwright.

Generic over platforms: everything platform-specific comes from the
:class:`~plugins.douyin.profile.Profile` (page addresses, response patterns, selectors).
The bridge

* launches Chrome / Edge (Windows, macOS: Playwright channels) or the system Chromium
  (Linux), or the browser at a configured path, with a persistent profile directory
  (user-only), so the operator logs in once and stays logged in;
* opens the control page (and, once the room id is known, the data screen), keeps them
  open, and reopens them or relaunches the browser when they go away (nothing the pages
  show again is counted twice: the mapper deduplicates by the platform's ids);
* hands every response whose URL matches a profile pattern to ``on_record`` as a record
  ``{"t", "url", "page", "status", "body"[, "request"]}``;
* acts on the control page: 讲解 / 取消讲解 through the product row's own button, sending
  (and pinning) a comment through the page's comment box, and confirms each action with the
  call the page makes;
* reports conditions (browser missing or closed, login needed, page not found, patterns
  not matching) through ``on_condition(key, alert | None)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

from console.feed.server import Rejected, Unsupported
from plugins.douyin.profile import Profile, get_path

log = logging.getLogger(__name__)

WARNING, CRITICAL, INFO = "warning", "critical", "info"
LINUX_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                  "/usr/bin/google-chrome-stable", "/usr/bin/microsoft-edge")
NAV_TIMEOUT_MS = 30_000
READY_GRACE_S = 20.0
SCREEN_RETRY_S = 10.0
RELAUNCH_BACKOFF_S = 5.0

# ---- scripts run in the page (parameters come from the profile) -------------------------
_FIND_ROW = """
([rowSel, idSel, actionSel, pid, text, click, disabledCls]) => {
  for (const row of document.querySelectorAll(rowSel)) {
    const input = row.querySelector(idSel);
    const id = input ? (input.value || input.getAttribute('value') || '') : '';
    if (pid !== null && String(id) !== String(pid)) continue;
    for (const b of row.querySelectorAll(actionSel)) {
      if ((b.innerText || b.textContent || '').trim() === text) {
        const cls = String(b.className || '');
        const disabled = !!b.disabled || b.getAttribute('aria-disabled') === 'true' ||
                         (disabledCls && cls.includes(disabledCls));
        if (click && !disabled) b.click();    // found and clicked in one step: a re-render
        return {found: true, id: String(id), cls, disabled, clicked: !!click && !disabled};
      }
    }
    if (pid !== null) return {found: false, row: true, id: String(id)};
  }
  return {found: false, row: false};
}
"""
_SCROLL = """
([scrollSel, step]) => {
  const el = document.querySelector(scrollSel);
  if (!el) return -1;
  const before = el.scrollTop;
  el.scrollTop = step < 0 ? 0 : before + el.clientHeight * 0.8;
  return el.scrollTop === before && step >= 0 ? -1 : el.scrollTop;
}
"""
_CURRENT = """
([rowSel, idSel, actionSel, text]) => {
  for (const row of document.querySelectorAll(rowSel)) {
    for (const b of row.querySelectorAll(actionSel)) {
      if ((b.innerText || b.textContent || '').trim() === text) {
        const input = row.querySelector(idSel);
        return input ? String(input.value || input.getAttribute('value') || '') : '';
      }
    }
  }
  return null;
}
"""
_ANY = """(sels) => sels.some(s => { try { return !!document.querySelector(s); } catch (e) { return false; } })"""


class BrowserMissing(RuntimeError):
    """No usable browser: install one or set its path."""


def default_profile_dir(platform: str = "douyin") -> Path:
    """``<platformdirs.user_data_dir("livedesk")>/browser/<platform>``."""
    env = os.environ.get("LIVEDESK_BROWSER_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("livedesk")) / "browser" / platform


def secure_dir(path: Path) -> Path:
    """Create the browser profile directory, readable by this user only where the OS allows.

    The directory *is* the credential (the platform's login cookies); Livedesk never sees a
    password. On Windows the per-user application data folder already is private.
    """
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
    return path


def launch_options(browser_path: str | None = None, channel: str | None = None,
                   platform: str | None = None) -> list[dict]:
    """Ways to start the user's browser, tried in order."""
    platform = platform or sys.platform
    if browser_path:
        if not Path(browser_path).exists():
            raise BrowserMissing(f"the browser path in the settings does not exist: {browser_path}")
        return [{"executable_path": str(browser_path)}]
    if channel:
        return [{"channel": channel}]
    if platform.startswith("win") or platform == "darwin":
        return [{"channel": "chrome"}, {"channel": "msedge"}]
    for cand in LINUX_BROWSERS:
        if Path(cand).exists():
            return [{"executable_path": cand}]
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return [{"executable_path": found}]
    raise BrowserMissing("no Chromium found: install the Debian package 'chromium' "
                         "(scripts/setup.sh does) or set 'browser_path' in the settings")


class BrowserBridge:
    """One browser, the platform's control page and data screen (see the module docstring)."""

    def __init__(self, profile: Profile, *, user_data_dir: Path | None = None,
                 browser_path: str | None = None, channel: str | None = None,
                 headless: bool = False,
                 on_record: Callable[[dict], None] = lambda r: None,
                 on_condition: Callable[[str, dict | None], None] = lambda k, a: None,
                 on_card_seen: Callable[[str | None], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.profile = profile
        self.user_data_dir = Path(user_data_dir or default_profile_dir(profile.platform))
        self.browser_path, self.channel, self.headless = browser_path, channel, headless
        self.on_record, self.on_condition, self.on_card_seen = on_record, on_condition, on_card_seen
        self.clock = clock
        self.room_id: str | None = None
        self.live: bool | None = None
        self.conditions: dict[str, dict] = {}
        self.matched: dict[str, int] = {}
        self.unmatched_json: list[str] = []
        self.launches = 0
        self.control_url: str | None = None
        self._pw: Any = None
        self._ctx: Any = None
        self.control: Any = None
        self.screen: Any = None
        self._screen_room: str | None = None
        self._closed = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._action = asyncio.Lock()
        self._control_since: float | None = None
        self._screen_since: float | None = None
        self._screen_opened = float("-inf")
        self._control_attempt = float("-inf")
        self._stream_last: dict[str, float] = {}
        self._overlay_at = 0.0
        self.visible = not headless

    # ---- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Launch the browser and open the control page; the watchdog keeps things going."""
        from playwright.async_api import async_playwright

        secure_dir(self.user_data_dir)
        self._pw = await async_playwright().start()
        try:
            await self._launch()
        except BaseException:
            await self._pw.stop()
            self._pw = None
            raise
        self._task = asyncio.create_task(self._watchdog())

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for task in list(self._tasks):
            task.cancel()
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ctx.close(), 10)
        if self._pw is not None:
            with contextlib.suppress(Exception):
                await self._pw.stop()
            self._pw = None

    @property
    def running(self) -> bool:
        return self._ctx is not None and not self._closed.is_set()

    def browser_pids(self) -> list[int]:
        """Process ids of the browser this bridge started (its profile dir is in the command line)."""
        import psutil

        mark = str(self.user_data_dir)
        pids = []
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmd = proc.info.get("cmdline") or []
            if any(mark in part for part in cmd) and not any("--type=" in part for part in cmd):
                pids.append(proc.info["pid"])
        return pids

    async def _launch(self) -> None:
        opts = launch_options(self.browser_path, self.channel)
        last: Exception | None = None
        for opt in opts:
            try:
                self._ctx = await self._pw.chromium.launch_persistent_context(
                    str(self.user_data_dir), headless=self.headless, no_viewport=not self.headless,
                    args=["--no-first-run", "--no-default-browser-check"], **opt)
                break
            except Exception as exc:  # noqa: BLE001 - try the next channel, report the last
                last = exc
                log.warning("browser launch with %s failed: %s", opt, str(exc).splitlines()[0])
        else:
            self._raise("browser_missing", CRITICAL, f"浏览器无法启动: {last}")
            raise BrowserMissing(f"cannot start the browser ({opts}): {last}")
        self._clear("browser_missing")
        self.launches += 1
        self._closed = asyncio.Event()
        ctx = self._ctx
        ctx.on("close", lambda *_: self._closed.set())
        ctx.on("response", self._on_response)
        ctx.set_default_navigation_timeout(NAV_TIMEOUT_MS)
        self.control = ctx.pages[0] if ctx.pages else await ctx.new_page()
        self.screen = None
        self._screen_room = None
        self._screen_opened = float("-inf")
        await self._open_control()

    async def _relaunch(self) -> None:
        self._raise("browser_closed", CRITICAL, "浏览器已关闭, 正在重新打开")
        log.warning("the browser went away; starting it again")
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._ctx.close(), 5)
        self._ctx = None
        await self._launch()
        self._clear("browser_closed")

    # ---- pages ------------------------------------------------------------------------
    def _login_page(self, url: str, page: str = "control") -> bool:
        return any(pat in url for pat in self.profile.page(page).get("login_url_contains") or ())

    async def _open_control(self) -> None:
        """The first control page address that loads logged in; if every one asks for a login,
        the first one's login page (the operator logs in there)."""
        self._control_attempt = self.clock()
        urls = list(self.profile.page("control").get("urls") or ())
        if self.control_url:
            urls = [self.control_url] + [u for u in urls if u != self.control_url]
        errors, wants_login = [], None
        for url in urls:
            try:
                resp = await self.control.goto(url, wait_until="domcontentloaded")
            except Exception as exc:  # noqa: BLE001 - navigation errors are page problems
                errors.append(f"{url}: {str(exc).splitlines()[0]}")
                continue
            if resp is not None and resp.status >= 400:
                errors.append(f"{url}: HTTP {resp.status}")
                continue
            if self._login_page(self.control.url):
                wants_login = wants_login or url
                continue
            self.control_url = url
            self._control_since = self.clock()
            return                              # page_not_found clears once its list shows
        if wants_login is not None:
            self.control_url = wants_login
            self._control_since = self.clock()
            if not self._login_page(self.control.url):
                with contextlib.suppress(Exception):
                    await self.control.goto(wants_login, wait_until="domcontentloaded")
            return
        self._raise("page_not_found", CRITICAL, "中控台页面打不开: " + "; ".join(errors))

    async def _open_screen(self, room_id: str) -> None:
        """The 罗盘 home first (the screen alone asks for a login), then the room's screen.

        On a login page it stops there: the watchdog reports it and comes back after the login.
        """
        spec = self.profile.page("screen")
        if not spec.get("url"):
            return
        page = self.screen
        if page is None or page.is_closed():
            page = self.screen = await self._ctx.new_page()
        try:
            for home in spec.get("home") or ():
                resp = await page.goto(home, wait_until="domcontentloaded")
                if self._login_page(page.url, "screen"):
                    self._screen_room = room_id
                    return
                if resp is not None and resp.status >= 400:
                    continue
                ready = spec.get("home_ready") or []
                if ready:
                    with contextlib.suppress(Exception):
                        await page.wait_for_function(_ANY, arg=ready, timeout=15_000)
                break
            resp = await page.goto(spec["url"].format(room_id=room_id), wait_until="domcontentloaded")
            if self._login_page(page.url, "screen"):
                self._screen_room = room_id
                return
            if resp is not None and resp.status >= 400:
                raise RuntimeError(f"HTTP {resp.status}")
        except Exception as exc:  # noqa: BLE001
            self._raise("screen_not_found", WARNING, f"罗盘大屏打不开: {str(exc).splitlines()[0]}")
            return
        self._clear("screen_not_found")
        self._screen_room = room_id
        self._screen_since = self.clock()

    # ---- responses ------------------------------------------------------------------------
    def _on_response(self, response: Any) -> None:
        url = response.url
        stream = self.profile.classify(url)
        if stream is None:
            ctype = (response.headers or {}).get("content-type", "")
            if "json" in ctype and len(self.unmatched_json) < 200:
                self.unmatched_json.append(url.split("?")[0])
            return
        t = self.clock()
        task = asyncio.get_running_loop().create_task(self._read(response, stream, t))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, response: Any, stream: str, t: float) -> None:
        try:
            body = await response.json()
        except Exception:  # noqa: BLE001 - not JSON (or gone): keep the text for the capture
            try:
                body = {"_text": (await response.text())[:20000]}
            except Exception:  # noqa: BLE001
                return
        try:
            on_screen = self.screen is not None and response.frame.page == self.screen
        except Exception:  # noqa: BLE001 - a response without a frame (service worker)
            on_screen = False
        record = {"t": t, "url": response.url, "status": response.status, "stream": stream,
                  "page": "screen" if on_screen else "control", "body": body}
        with contextlib.suppress(Exception):
            post = response.request.post_data
            if post:
                record["request"] = {"method": response.request.method, "post": post}
        self.matched[stream] = self.matched.get(stream, 0) + 1
        self._stream_last[stream] = t
        try:
            self.on_record(record)
        except Exception:  # a mapper bug must not stop the capture
            log.exception("mapping a %s response failed", stream)

    # ---- watchdog -----------------------------------------------------------------------------
    async def _watchdog(self) -> None:
        poll = float(self.profile.behaviour("poll_s", 1.0))
        while not self._stopping:
            try:
                await self._check()
            except asyncio.CancelledError:
                raise
            except BrowserMissing as exc:
                log.error("%s", exc)
                await asyncio.sleep(RELAUNCH_BACKOFF_S)    # the condition is raised; try again later
            except Exception as exc:  # noqa: BLE001 - keep watching whatever a check hit
                if self._closed.is_set() or "closed" in str(exc).lower():
                    self._closed.set()
                else:
                    log.warning("douyin watchdog: %s", str(exc).splitlines()[0])
            await asyncio.sleep(poll)

    async def _check(self) -> None:
        if self._closed.is_set() or self._ctx is None:
            await self._relaunch()
            return
        page = self.control
        if page is None or page.is_closed():
            self.control = await self._ctx.new_page()
            await self._open_control()
            return
        now = self.clock()
        url = page.url
        if self._login_page(url):
            self._raise("login_needed", WARNING,
                        "需要登录: 请在打开的浏览器窗口中用店铺账号扫码登录")
            self._control_since = now
            return
        if "login_needed" in self.conditions:
            self._clear("login_needed")
            if not self._on_control_url(url):
                await self._open_control()
                return
        if "page_not_found" in self.conditions and now - self._control_attempt >= SCREEN_RETRY_S:
            await self._open_control()          # try again every 10 s (network back, page fixed)
            return
        ready = self.profile.page("control").get("ready") or []
        if ready and not await page.evaluate(_ANY, ready):
            if self._control_since and now - self._control_since > READY_GRACE_S:
                self._raise("page_not_found", CRITICAL,
                            f"中控台页面上找不到商品列表 ({url.split('?')[0]})")
        else:
            self._clear("page_not_found")
            await self._observe_card(page)
        await self._check_screen(now)
        self._check_patterns(now)
        if now - self._overlay_at >= float(self.profile.behaviour("overlay_s", 3.0)):
            self._overlay_at = now
            await self._close_overlays(page)

    async def _check_screen(self, now: float) -> None:
        room, screen = self.room_id, self.screen
        if screen is not None and screen.is_closed():
            self.screen, self._screen_room = None, None
            screen = None
        if screen is not None and self._login_page(screen.url, "screen"):
            self._raise("screen_login_needed", WARNING,
                        "罗盘需要登录: 请在浏览器窗口的罗盘页面中登录")
            self._screen_opened = now
            return
        if "screen_login_needed" in self.conditions:
            self._clear("screen_login_needed")
            self._screen_room = None            # logged in: open the room's screen again
            self._screen_opened = float("-inf")
        marker = str(self.profile.page("screen").get("url") or "").split("?")[0]
        if screen is not None and self._screen_room and marker and \
                not screen.url.startswith(marker) and now - self._screen_opened > READY_GRACE_S:
            self._screen_room = None            # it went elsewhere (a redirect): back to the room
        if room and room != "0" and self._screen_room != room and \
                (self._screen_room is None and now - self._screen_opened >= SCREEN_RETRY_S
                 or self._screen_room is not None):
            self._screen_opened = now
            await self._open_screen(room)

    def _on_control_url(self, url: str) -> bool:
        return any(url.startswith(u.split("?")[0]) for u in self.profile.page("control").get("urls") or ())

    def _check_patterns(self, now: float) -> None:
        minutes = float(self.profile.behaviour("mismatch_minutes", 5))
        live = self.room_id not in (None, "0") and self.live is not False
        if not live or self._screen_since is None:
            self._clear("patterns_mismatch")
            return
        expected = self.profile.behaviour("expect_live", ["orders", "comments"]) or []
        missing = [name for name in expected
                   if now - max(self._screen_since, self._stream_last.get(name, 0.0)) > minutes * 60]
        if missing:
            pats = "; ".join(f"{name}: {', '.join(self.profile.stream(name).get('patterns') or [])}"
                             for name in missing)
            self._raise("patterns_mismatch", WARNING,
                        f"直播中, 但 {minutes:g} 分钟未收到数据 ({pats}): 页面可能已改版, "
                        "请运行 livedesk douyin doctor")
        else:
            self._clear("patterns_mismatch")

    async def _observe_card(self, page: Any) -> None:
        if self.on_card_seen is None or self._action.locked():
            return
        sel = self.profile.selector
        pid = await page.evaluate(_CURRENT, [sel("product_row"), sel("product_id_in_row"),
                                             sel("product_action"), sel("clear_text", "取消讲解")])
        if self._action.locked():
            return
        self.on_card_seen(pid or None)

    async def _close_overlays(self, page: Any) -> None:
        for selector in self.profile.selector("overlays", []) or []:
            with contextlib.suppress(Exception):
                loc = page.locator(selector)
                if await loc.count():
                    await loc.first.dispatch_event("click", timeout=1000)

    # ---- conditions ------------------------------------------------------------------------
    def _raise(self, key: str, level: str, message: str) -> None:
        old = self.conditions.get(key)
        if old is not None and old["message"] == message:
            return
        alert = {"key": f"{self.profile.platform}:{key}", "kind": f"{self.profile.platform}_{key}",
                 "level": level, "message": message, "value": key, "threshold": None, "sku": None}
        self.conditions[key] = alert
        self.on_condition(key, alert)

    def _clear(self, key: str) -> None:
        if self.conditions.pop(key, None) is not None:
            self.on_condition(key, None)

    def raise_condition(self, key: str, level: str, message: str) -> None:
        self._raise(key, level, message)

    def clear_condition(self, key: str) -> None:
        self._clear(key)

    # ---- actions ---------------------------------------------------------------------------
    async def _ready_control(self) -> Any:
        page = self.control
        if page is None or page.is_closed() or not self.running:
            raise Rejected("the platform's control page is not open (the browser is restarting)")
        if self._login_page(page.url):
            raise Rejected("not logged in: log in with the shop account in the browser window")
        return page

    async def _find_button(self, page: Any, pid: str | None, text: str, click: bool = False) -> dict:
        sel = self.profile.selector
        args = [sel("product_row"), sel("product_id_in_row"), sel("product_action"), pid, text,
                click, sel("disabled_class", "isDisabled")]
        found = await page.evaluate(_FIND_ROW, args)
        if found.get("found") or found.get("row") or pid is None:
            return found
        scroller = sel("product_list_scroller")
        if not scroller:
            return found
        step = await page.evaluate(_SCROLL, [scroller, -1])      # the list is virtualised:
        for _ in range(200):                                         # scroll until the row shows
            if step == -1:
                break
            found = await page.evaluate(_FIND_ROW, args)
            if found.get("found") or found.get("row"):
                return found
            step = await page.evaluate(_SCROLL, [scroller, 1])
        return await page.evaluate(_FIND_ROW, args)

    async def explain(self, promotion_id: str | None) -> str:
        """讲解 ``promotion_id`` (None: 取消讲解). Returns a note; raises Rejected when refused."""
        sel = self.profile.selector
        async with self._action:
            page = await self._ready_control()
            text = sel("push_text", "讲解") if promotion_id else sel("clear_text", "取消讲解")
            found = await self._find_button(page, promotion_id, text)
            if not found.get("found"):
                if promotion_id is None:
                    return "nothing was being explained"
                if found.get("row"):
                    current = await self._find_button(page, promotion_id, sel("clear_text", "取消讲解"))
                    if current.get("found"):
                        return "already being explained"
                    raise Rejected(f"the 讲解 button of promotion {promotion_id} is not offered now")
                raise Rejected(f"promotion {promotion_id} is not in the live product list")
            if found.get("disabled"):
                raise Rejected(f"the platform has disabled {text} for this product now")

            async def click() -> None:
                done = await self._find_button(page, promotion_id, text, click=True)
                if not done.get("clicked"):
                    raise Rejected(f"the {text} button went away before it could be clicked")

            return await self._confirmed(page, self.profile.stream("card"), text, click)

    async def _confirmed(self, page: Any, spec: dict, what: str,
                         act: Callable[[], Any]) -> str:
        """Run ``act`` and wait for the page's own call (``spec.patterns``) and its answer."""
        patterns = spec.get("patterns") or []
        timeout = float(self.profile.behaviour("card_confirm_s", 3.0))
        try:
            async with page.expect_response(lambda r: any(pt in r.url for pt in patterns),
                                            timeout=timeout * 1000) as info:
                await act()
            resp = await info.value
        except Rejected:
            raise
        except Exception as exc:  # noqa: BLE001 - timeouts and pages that went away
            raise Rejected(f"{what}: the page did not confirm within {timeout:g} s "
                           f"({str(exc).splitlines()[0][:120]})") from None
        try:
            body = await resp.json()
        except Exception:  # noqa: BLE001
            body = None
        ok = spec.get("ok") or {}
        if isinstance(body, dict) and ok.get("path"):
            if get_path(body, ok["path"]) != ok.get("equals"):
                msg = get_path(body, spec.get("message") or "msg") or "refused"
                raise Rejected(f"{what}: the platform refused: {msg}")
        return "confirmed"

    async def send_comment(self, text: str, pin: bool = False) -> str:
        """Send ``text`` as the room through the control page (ticking 置顶 when pinning)."""
        sel = self.profile.selector
        box, send = sel("comment_box"), sel("comment_send")
        if not box or not send:
            raise Unsupported("this platform profile has no comment box")
        async with self._action:
            page = await self._ready_control()
            if not await page.locator(box).count():
                raise Unsupported("the control page offers no comment box for this account "
                                  "(the console allows comments only for some accounts)")
            await page.fill(box, text)
            if pin:
                pin_sel = sel("comment_pin")
                if not pin_sel or not await page.locator(pin_sel).count():
                    raise Unsupported("the control page offers no 置顶 (pin) option here")
                checked = await page.locator(pin_sel).first.evaluate(
                    "el => { const i = el.querySelector('input') || el; return !!i.checked; }")
                if not checked:
                    await page.locator(pin_sel).first.click()
            cls = await page.locator(send).first.evaluate("el => String(el.className || '')")
            if sel("disabled_class", "isDisabled") in cls:
                raise Rejected("the platform has disabled sending comments now")
            return await self._confirmed(page, self.profile.stream("comment_sent"), "send comment",
                                         lambda: page.locator(send).first.click(timeout=3000))

    async def set_visible(self, visible: bool) -> bool:
        """Minimise or restore the browser window (it keeps working either way). True if done.

        Where the desktop cannot minimise (an X display without a window manager) the window is
        moved off the screen instead and put back where it was.
        """
        if self.headless or self.control is None or self._ctx is None:
            return False
        try:
            cdp = await self._ctx.new_cdp_session(self.control)
            try:
                win = (await cdp.send("Browser.getWindowForTarget"))["windowId"]

                async def bounds() -> dict:
                    return (await cdp.send("Browser.getWindowBounds", {"windowId": win}))["bounds"]

                async def put(b: dict) -> None:
                    await cdp.send("Browser.setWindowBounds", {"windowId": win, "bounds": b})

                if not visible:
                    now = await bounds()
                    if now.get("windowState") == "normal" and now.get("left", 0) > -5000:
                        self._bounds = {k: now[k] for k in ("left", "top", "width", "height") if k in now}
                    await put({"windowState": "minimized"})
                    await asyncio.sleep(0.3)
                    if (await bounds()).get("windowState") != "minimized":
                        await put({"windowState": "normal"})
                        await put({"left": -32000, "top": 0})
                else:
                    if (await bounds()).get("windowState") != "normal":
                        await put({"windowState": "normal"})
                    saved = getattr(self, "_bounds", None)
                    if saved and (await bounds()).get("left", 0) <= -5000:
                        await put(dict(saved))
                    await self.control.bring_to_front()
            finally:
                await cdp.detach()
        except Exception as exc:  # noqa: BLE001
            log.warning("cannot %s the browser window: %s", "show" if visible else "hide", exc)
            return False
        self.visible = visible
        return True

    def status(self) -> dict:
        return {"running": self.running, "launches": self.launches, "room_id": self.room_id,
                "control_url": self.control.url if self.control is not None and
                not self.control.is_closed() else None,
                "screen_url": self.screen.url if self.screen is not None and
                not self.screen.is_closed() else None,
                "matched": dict(self.matched), "conditions": sorted(self.conditions)}


__all__ = ["BrowserBridge", "BrowserMissing", "launch_options", "default_profile_dir",
           "secure_dir"]
