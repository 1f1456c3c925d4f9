"""A fake of the two Douyin consoles (抖店/百应 中控台 and 罗盘 大屏), served on loopback.

Pages and scripts poll JSON endpoints with the real URL patterns and field shapes
(docs/connectors/douyin.md lists the public source of each). The test drives the fake's
state directly (``FakeConsole.state``, under ``lock``):

* a login page (``/login/common``) with a "scan" button that sets the session cookie; an
  expired session makes every API answer ``st: 100704`` and the control page go to login;
* the control page: a virtualised product list (``goodsItem`` rows with the promotion id in
  an ``indexWrapper`` input and 更多 / 讲解 / 取消讲解 buttons in ``goodsAction``), polling
  ``promotions_v2`` and ``comment/info``, posting ``setcurrent`` (form ``promotion_id``,
  ``cancel``) and ``comment/operate`` (``content``, ``operate_type``);
* the 罗盘 home (``div.userName_*``) and the data screen, polling ``message``,
  ``live_order_stream``, ``live_screen/core_data`` and ``live_base_info``.

``generation = 2`` renames the screen endpoints (the platform changed its pages);
``duplicate_polls`` repeats and reverses answers; ``stale_orders`` answers one poll with an
older snapshot of the orders (a reordered poll). ``served`` keeps when each order id and
comment id was first served (for the latency measurement).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ROOM_ID = "7301234567890123456"

LOGIN_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>抖店 登录</title></head>
<body><h1>抖店 · 扫码登录</h1><div id="qr">[二维码]</div>
<form method="post" action="/login/do"><input type="hidden" name="next" value="__NEXT__">
<button id="qr-login" type="submit">模拟扫码</button></form>__AUTO__</body></html>"""

CONTROL_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>直播中控台</title>
<style>
 .goodsPanel_a1 { height: 240px; overflow-y: scroll; position: relative; border: 1px solid #ccc; }
 .goodsInner_a1 { position: relative; }
 .goodsItem_b2 { position: absolute; left: 0; right: 0; height: 40px; display: flex; gap: 8px; }
 .inputSuffix_z9.isDisabled_q { opacity: .4 }
</style></head><body>
<div class="header_h1"><span class="index_userName_u1">栖木生活官方旗舰店</span></div>
<div class="goodsPanel_a1" id="panel"><div class="goodsInner_a1" id="inner"></div></div>
<div id="comments"></div>
<div id="input-comment-block-id"><textarea rows="2"></textarea>
 <label class="pin_l1"><input type="checkbox" id="pin">置顶</label></div>
<div class="inputSuffix_z9" id="send">发送</div>
<script>
const POLL = __POLL__;
const ROW_H = 40;
let promotions = [], current = null, shown = '';
async function api(url, opts) {
  const r = await fetch(url, Object.assign({credentials: 'same-origin'}, opts || {}));
  const j = await r.json();
  if (j.st === 100704) { location.href = '/login/common?redirect=' + encodeURIComponent(location.pathname); }
  return j;
}
function render() {
  const panel = document.getElementById('panel'), inner = document.getElementById('inner');
  const key = JSON.stringify([promotions, current, Math.floor(panel.scrollTop / ROW_H)]);
  if (key === shown) return;                // like a virtual DOM: unchanged rows stay put
  shown = key;
  inner.style.height = (promotions.length * ROW_H) + 'px';
  const first = Math.floor(panel.scrollTop / ROW_H), last = first + Math.ceil(240 / ROW_H) + 1;
  inner.innerHTML = '';
  promotions.forEach((p, i) => {
    if (i < first || i > last) return;      // virtualised: only the rows in view exist
    const row = document.createElement('div');
    row.className = 'goodsItem_b2'; row.style.top = (i * ROW_H) + 'px';
    const explaining = String(current) === String(p.promotion_id);
    row.innerHTML = '<div class="indexWrapper_c3"><input value="' + p.promotion_id + '"></div>' +
      '<span class="title">' + p.title + '</span>' +
      '<div class="goodsAction_d4"><button class="more_e5">更多</button>' +
      '<button class="act_f6' + (p.disabled ? ' isDisabled_g7' : '') + '">' +
      (explaining ? '取消讲解' : '讲解') + '</button></div>';
    row.querySelector('.act_f6').onclick = () => setCurrent(p.promotion_id, explaining);
    inner.appendChild(row);
  });
}
async function setCurrent(pid, cancel) {
  const body = 'promotion_id=' + encodeURIComponent(pid) + '&cancel=' + (cancel ? 'true' : 'false');
  const j = await api('/api/anchor/livepc/setcurrent?verifyFp=fake', {method: 'POST', body,
    headers: {'Content-Type': 'application/x-www-form-urlencoded', 'x-secsdk-csrf-token': 'fake'}});
  if (j.code === 0) { current = cancel ? null : pid; render(); }
}
async function pollPromotions() {
  try {
    const j = await api('/api/anchor/livepc/promotions_v2?list_type=1&source_type=force&page=1');
    if (j.data) { promotions = j.data.promotions || []; current = j.data.current_promotion_id || null; render(); }
  } catch (e) {}
  setTimeout(pollPromotions, POLL);
}
async function pollComments() {
  try {
    const j = await api('/api/anchor/comment/info?room_id=' + (window.ROOM || ''));
    if (j.data) document.getElementById('comments').textContent = (j.data.comment_infos || []).map(c => c.content).join(' | ');
  } catch (e) {}
  setTimeout(pollComments, POLL * 2);
}
document.getElementById('panel').addEventListener('scroll', render);
document.getElementById('send').onclick = async () => {
  const ta = document.querySelector('#input-comment-block-id textarea');
  const top = document.getElementById('pin').checked;
  await api('/api/anchor/comment/operate', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({content: ta.value, operate_type: 2, top: top})});
  ta.value = ''; document.getElementById('pin').checked = false;
};
pollPromotions(); pollComments();
</script></body></html>"""

HOME_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>抖音电商罗盘</title></head>
<body><div class="userName_k1">栖木生活官方旗舰店</div></body></html>"""

SCREEN_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>直播大屏</title></head>
<body><h1>直播大屏</h1><div id="online"></div><div id="orders"></div><script>
const POLL = __POLL__, ROOM = new URLSearchParams(location.search).get('live_room_id');
const GEN = __GEN__;
const base = '/compass_api/shop/live/';
const paths = GEN === 1
  ? {message: 'live_screen/message?', orders: 'live_order_stream?', core: 'live_screen/core_data?', info: 'live_base_info?'}
  : {message: 'live_screen/msg_feed_v3?', orders: 'live_trade_flow?', core: 'live_screen/core_data?', info: 'live_base_info?'};
async function get(kind) {
  const r = await fetch(base + paths[kind] + 'room_id=' + ROOM + '&_t=' + Date.now(), {credentials: 'same-origin'});
  return r.json();
}
function loop(kind, every, show) {
  const run = async () => { try { show(await get(kind)); } catch (e) {} setTimeout(run, every); };
  run();
}
loop('message', POLL, j => {});
loop('orders', POLL, j => { document.getElementById('orders').textContent = JSON.stringify(j.data || []).length; });
loop('core', POLL, j => {});
loop('info', POLL * 4, j => {});
</script></body></html>"""


class FakeState:
    def __init__(self, products: int = 12) -> None:
        self.generation = 1
        self.token = uuid.uuid4().hex            # the valid session cookie
        self.live_status = 2
        self.promotions = []
        for i in range(products):
            self.promotions.append({
                "promotion_id": f"36{i:05d}",
                "product_id": f"3{i:018d}",
                "art_no": f"QM-{i:03d}",
                "title": f"测试商品 {i}",
                "cover": f"https://example.invalid/{i}.jpg",
                "stock_num": 100 + i,
                "status": 1,
                "price_desc": {"min_price": {"origin": 9900 + i * 100, "integer": str(99 + i),
                                             "decimal": "00"}},
            })
        self.current: str | None = None
        self.orders: list[dict] = []             # newest last
        self.messages: dict[str, list[dict]] = {"comment": [], "room_enter": [], "room_like": [],
                                                "room_follow": [],
                                                "subscribe_merchant_brand_vip": [],
                                                "ecom_fansclub_participate": []}
        self.control_comments: list[dict] = []
        self.core = {"online_user_cnt": 0, "watch_ucnt": 0, "live_show_cnt": 0,
                     "follow_anchor_ucnt": 0, "pay_amt": 0}
        self.card_calls: list[dict] = []
        self.sent_comments: list[dict] = []
        self.compass_separate = False            # the 罗盘 asks for a login of its own
        self.duplicate_polls = False
        self.stale_orders = False
        self._old_orders: list[dict] | None = None
        self.served: dict[str, float] = {}       # order/comment id -> first served (unix time)
        self.hits: dict[str, int] = {}
        self._msg = 0

    # ---- helpers for the tests ----
    def add_order(self, promotion_index: int, qty: int = 1, status: int = 0,
                  nick: str = "买家") -> str:
        p = self.promotions[promotion_index]
        p["stock_num"] = max(0, p["stock_num"] - qty)      # the list shows the stock going down
        oid = f"69{len(self.orders) + 1:017d}"
        self.orders.append({"order_id": oid, "order_status": status, "order_ts": int(time.time()),
                            "product_id": p["product_id"], "product_title": p["title"],
                            "item_num": qty, "nick_name": nick})
        return oid

    def keep_snapshot(self) -> None:
        """Remember the orders as they are now; ``stale_orders`` serves this once later."""
        self._old_orders = [dict(o) for o in self.orders[-50:]]

    def set_status(self, order_id: str, status: int) -> None:
        for o in self.orders:
            if o["order_id"] == order_id:
                o["order_status"] = status

    def add_message(self, kind: str, nick: str, content: str | None = None) -> str:
        self._msg += 1
        mid = f"7{self._msg:018d}"
        item = {"msg_type": kind, "msg_id": mid, "nick_name": nick, "user_id": f"u{hash(nick) & 0xffffff:x}"}
        if content is not None:
            item["content"] = content
        self.messages[kind].append(item)
        return mid


def _compass(path: str) -> bool:
    return path.startswith(("/shop", "/screen", "/compass_api"))


class FakeConsole:
    """The fake consoles on ``http://127.0.0.1:<port>`` (start/stop in a thread)."""

    def __init__(self, poll_ms: int = 300, products: int = 12, auto_login: bool = False) -> None:
        self.poll_ms = poll_ms
        self.auto_login = auto_login       # the login page "scans" by itself after 0.3 s
        self.lock = threading.Lock()
        self.state = FakeState(products)
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def pages(self) -> dict:
        """Profile ``pages`` pointing at this fake."""
        b = self.base
        return {"control": {"urls": [f"{b}/ffa/buyin/dashboard/live/control"]},
                "screen": {"home": [f"{b}/shop"],
                           "url": f"{b}/screen/anchor/shop?live_room_id={{room_id}}"}}

    def start(self) -> "FakeConsole":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    fake._get(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass        # the browser went away (killed by a test)

            def do_POST(self) -> None:
                try:
                    fake._post(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    # ---- HTTP ----
    def _send(self, h: BaseHTTPRequestHandler, code: int, body: bytes, ctype: str,
              headers: dict | None = None) -> None:
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def _json(self, h, obj) -> None:
        self._send(h, 200, json.dumps(obj, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _html(self, h, html: str) -> None:
        self._send(h, 200, html.encode(), "text/html; charset=utf-8")

    def _logged_in(self, h, path: str = "") -> bool:
        cookie = h.headers.get("Cookie") or ""
        with self.lock:
            if self.state.compass_separate and _compass(path):
                return f"fake_compass={self.state.token}" in cookie
            return f"fake_sid={self.state.token}" in cookie

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        url = urlparse(h.path)
        path, q = url.path, parse_qs(url.query)
        st = self.state
        with self.lock:
            st.hits[path] = st.hits.get(path, 0) + 1
        if path == "/login/common":
            nxt = (q.get("redirect") or ["/ffa/buyin/dashboard/live/control"])[0]
            auto = "<script>setTimeout(() => document.forms[0].submit(), 300)</script>"
            return self._html(h, LOGIN_HTML.replace("__NEXT__", nxt)
                              .replace("__AUTO__", auto if self.auto_login else ""))
        if path in ("/ffa/buyin/dashboard/live/control", "/shop", "/screen/anchor/shop"):
            if not self._logged_in(h, path):
                h.send_response(302)
                h.send_header("Location", f"/login/common?redirect={path}")
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            if path == "/shop":
                return self._html(h, HOME_HTML)
            with self.lock:
                gen = st.generation
            html = CONTROL_HTML if path.startswith("/ffa") else SCREEN_HTML
            return self._html(h, html.replace("__POLL__", str(self.poll_ms)).replace("__GEN__", str(gen)))
        if not (path.startswith("/api/") or path.startswith("/compass_api/")):
            return self._send(h, 404, b"not found", "text/plain")
        if not self._logged_in(h, path):
            return self._json(h, {"st": 100704, "msg": "cookie 已失效, 请重新登录", "data": None})
        with self.lock:
            return self._json(h, self._answer(path, q))

    def _answer(self, path: str, q: dict) -> dict:
        st = self.state
        now = time.time()
        if path.endswith("/promotions_v2"):
            live = st.live_status == 2
            return {"code": 0, "st": 0, "msg": "", "data": {
                "room_id": ROOM_ID if live else "0", "promotions": [dict(p) for p in st.promotions],
                "current_promotion_id": st.current}}
        if path.endswith("/comment/info"):
            items = list(st.control_comments[-20:])
            for c in items:
                st.served.setdefault(c["comment_id"], now)
            return {"code": 0, "data": {"comment_infos": items}}
        gen_ok = {"/compass_api/shop/live/live_screen/message": 1,
                  "/compass_api/shop/live/live_order_stream": 1,
                  "/compass_api/shop/live/live_screen/msg_feed_v3": 2,
                  "/compass_api/shop/live/live_trade_flow": 2}
        if path in gen_ok and gen_ok[path] != st.generation:
            return {"st": 10012, "msg": "view mismatch", "data": None}
        if path.endswith("/message") or path.endswith("/msg_feed_v3"):
            msgs = {k: list(v[-15:]) for k, v in st.messages.items()}
            if st.duplicate_polls:
                msgs = {k: list(reversed(v)) + list(v) for k, v in msgs.items()}
            for c in msgs["comment"]:
                st.served.setdefault(c["msg_id"], now)
            return {"st": 0, "msg": "", "data": {"messages": msgs if any(msgs.values()) else None}}
        if path.endswith("/live_order_stream") or path.endswith("/live_trade_flow"):
            current = [dict(o) for o in st.orders[-50:]]
            if st.stale_orders and st._old_orders is not None:
                st.stale_orders = False
                return {"st": 0, "data": st._old_orders}
            if st.duplicate_polls:
                current = list(reversed(current)) + current
            for o in current:
                st.served.setdefault(f"{o['order_id']}:{o['order_status']}", now)
            return {"st": 0, "msg": "", "data": current or None}
        if path.endswith("/core_data"):
            return {"st": 0, "msg": "", "data": {"pay_amt": {"value": st.core.get("pay_amt", 0)},
                                                  "core_data": [
                {"index_name": k, "index_display": k, "value": {"value": v}}
                for k, v in st.core.items() if k != "pay_amt"]}}
        if path.endswith("/live_base_info"):
            return {"st": 0, "data": {"live_status": st.live_status, "start_time": int(now) - 600}}
        return {"st": 404, "msg": "unknown"}

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        url = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length).decode() if length else ""
        if url.path == "/login/do":
            nxt = (parse_qs(raw).get("next") or ["/ffa/buyin/dashboard/live/control"])[0]
            with self.lock:
                token = self.state.token
            name = "fake_compass" if _compass(nxt) else "fake_sid"
            h.send_response(302)
            h.send_header("Set-Cookie", f"{name}={token}; Path=/; Max-Age=86400")
            h.send_header("Location", nxt)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if not self._logged_in(h):
            return self._json(h, {"st": 100704, "code": 100704, "msg": "cookie 已失效"})
        st = self.state
        if url.path == "/api/anchor/livepc/setcurrent":
            form = {k: v[-1] for k, v in parse_qs(raw).items()}
            with self.lock:
                st.card_calls.append(dict(form, at=time.time(),
                                          csrf=h.headers.get("x-secsdk-csrf-token")))
                if st.live_status != 2:
                    return self._json(h, {"code": 20001, "msg": "当前用户未开播"})
                st.current = None if form.get("cancel") == "true" else form.get("promotion_id")
            return self._json(h, {"code": 0, "msg": "success"})
        if url.path == "/api/anchor/comment/operate":
            with self.lock:
                st.sent_comments.append(json.loads(raw or "{}"))
            return self._json(h, {"code": 0, "msg": "success"})
        return self._json(h, {"code": 404, "msg": "unknown"})

    # ---- test helpers ----
    def expire_login(self) -> None:
        with self.lock:
            self.state.token = uuid.uuid4().hex


__all__ = ["FakeConsole", "FakeState", "ROOM_ID"]
