"""``livedesk douyin doctor|serve|replay``: check the profile against the live pages, serve the
Douyin consoles as a feed, replay a raw capture as a feed. Headless (no Qt).

The Douyin plugin's contribution to the ``livedesk`` command line (entry-point group
``livedesk.commands``, name ``douyin``): :func:`add_parser` and :func:`run`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from plugins.douyin.profile import Profile, ProfileError, user_profile_path

log = logging.getLogger("livedesk.douyin.cli")

#: selectors the doctor looks for on the control page (profile key -> what it is for)
CONTROL_SELECTORS = {"product_row": "product rows (讲解 buttons)",
                     "product_id_in_row": "promotion id in a row",
                     "product_action": "row action buttons",
                     "comment_box": "comment box", "comment_send": "comment send button"}


def add_parser(sub: Any, name: str = "douyin") -> argparse.ArgumentParser:
    """The ``douyin`` sub-commands, added to livedesk's argument parser."""
    dy = sub.add_parser(name, help="the Douyin (抖音) console connector")
    dsub = dy.add_subparsers(dest="douyin_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", default=None,
                        help="profile file (default: the bundled one, with the user override)")
    common.add_argument("--browser-path", default=None, help="the browser to drive")
    common.add_argument("--channel", default=None, help="Playwright channel: chrome or msedge")
    common.add_argument("--headless", action="store_true", help="no browser window")
    common.add_argument("--user-data-dir", default=None, help="browser profile directory")

    doc = dsub.add_parser("doctor", parents=[common],
                          help="open the pages and report which patterns matched")
    doc.add_argument("--wait", type=float, default=60.0,
                     help="seconds to watch the pages after they are ready (default 60)")
    doc.add_argument("--login-wait", type=float, default=180.0,
                     help="seconds to wait for a login in the browser window")
    doc.add_argument("--json", action="store_true", help="machine-readable report")

    srv = dsub.add_parser("serve", parents=[common],
                          help="serve the Douyin consoles as a protocol v1 feed on loopback")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--session-id", default=None)
    srv.add_argument("--no-capture", action="store_true", help="keep no raw capture")

    rpl = dsub.add_parser("replay", help="serve a raw capture file as a feed")
    rpl.add_argument("capture", help="capture file (.jsonl.gz or .jsonl)")
    rpl.add_argument("--profile", default=None)
    rpl.add_argument("--port", type=int, default=8765)
    rpl.add_argument("--speed", type=float, default=1.0, help="0 = as fast as possible")
    rpl.add_argument("--exit-when-done", action="store_true")
    return dy


def run(args: Any) -> int:
    """``livedesk douyin ACTION``: run the action; the exit status."""
    action = getattr(args, "douyin_command", None)
    if action == "doctor":
        try:
            report = asyncio.run(doctor(args))
        except (ProfileError, RuntimeError) as exc:
            print(f"livedesk douyin doctor: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
        return 0 if report["ok"] else 1
    if action == "serve":
        return _run(serve(args))
    if action == "replay":
        return _run(replay(args))
    print("usage: livedesk douyin {doctor,serve,replay} ... (livedesk douyin -h)", file=sys.stderr)
    return 2


def _run(coro) -> int:
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        return 0
    except (ProfileError, RuntimeError, FileNotFoundError) as exc:
        print(f"livedesk douyin: {exc}", file=sys.stderr)
        return 2


def _profile(args: Any) -> Profile:
    return Profile.load(getattr(args, "profile", None) or None)


async def doctor(args: Any, profile: Profile | None = None) -> dict:
    """Open the pages, wait for a login if needed, watch the responses, report."""
    from plugins.douyin.bridge import BrowserBridge
    from plugins.douyin.mapper import ConsoleMapper

    profile = profile or _profile(args)
    mapper = ConsoleMapper(profile)
    bridge: BrowserBridge

    def on_record(record: dict) -> None:
        mapper.feed(record)
        for kind, value in mapper.drain_signals():
            if kind == "room":
                bridge.room_id = value
            elif kind == "live":
                bridge.live = value

    notes: list[str] = []
    bridge = BrowserBridge(profile, user_data_dir=Path(args.user_data_dir) if args.user_data_dir else None,
                           browser_path=args.browser_path, channel=args.channel,
                           headless=args.headless, on_record=on_record)
    await bridge.start()
    selectors: dict[str, int] = {}
    try:
        deadline = time.monotonic() + args.login_wait
        told = False
        while time.monotonic() < deadline:
            if "login_needed" not in bridge.conditions and bridge.control is not None and \
                    not bridge._login_page(bridge.control.url):
                break
            if not told:
                print("log in with the shop account in the browser window (QR code) ...",
                      file=sys.stderr, flush=True)
                told = True
            await asyncio.sleep(0.5)
        else:
            notes.append("not logged in: the login was not completed in time")
        await asyncio.sleep(args.wait)
        page = bridge.control
        if page is not None and not page.is_closed():
            for key in CONTROL_SELECTORS:
                sel = profile.selector(key)
                if sel:
                    try:
                        selectors[key] = await page.locator(sel).count()
                    except Exception:  # noqa: BLE001 - an invalid selector counts as not found
                        selectors[key] = -1
        status = bridge.status()
    finally:
        await bridge.stop()
    return build_report(profile, mapper, status, selectors, bridge.unmatched_json, notes,
                        dict(bridge.conditions))


def build_report(profile: Profile, mapper: Any, status: dict, selectors: dict,
                 unmatched: list[str], notes: list[str], conditions: dict) -> dict:
    streams = {}
    for name in profile.streams():
        st = mapper.stats.streams.get(name)
        streams[name] = {"patterns": profile.stream(name).get("patterns"),
                         "matched": st.matched if st else 0, "items": st.items if st else 0,
                         "events": st.events if st else 0, "errors": st.errors if st else 0}
    room = status.get("room_id")
    live = room not in (None, "0")
    expected = ["products"] + (list(profile.behaviour("expect_live", ["orders", "comments"]) or [])
                               if live else [])
    missing = [n for n in expected if not streams.get(n, {}).get("matched")]
    if not live:
        notes.append("the room is not live (room id %r): only the product list can be checked"
                     % room)
    bad_selectors = [k for k, n in selectors.items() if n <= 0 and k != "product_id_in_row"]
    return {"ok": not missing and not bad_selectors and not conditions,
            "profile": list(profile.sources), "user_override": str(user_profile_path(profile.platform)),
            "pages": {"control": status.get("control_url"), "screen": status.get("screen_url")},
            "room_id": room, "streams": streams, "missing": missing,
            "selectors": selectors, "selectors_not_found": bad_selectors,
            "conditions": {k: v["message"] for k, v in conditions.items()},
            "unmatched_json": sorted(set(unmatched))[:50],
            "unknown_order_statuses": dict(mapper.stats.unknown_statuses), "notes": notes}


def format_report(r: dict) -> str:
    lines = [f"profile: {' + '.join(r['profile'])}",
             f"user override path: {r['user_override']}",
             f"control page: {r['pages']['control']}", f"data screen: {r['pages']['screen']}",
             f"room id: {r['room_id']}", "", "responses:"]
    for name, s in r["streams"].items():
        mark = "ok " if s["matched"] else ("-- " if name not in r["missing"] else "NO ")
        lines.append(f"  {mark} {name:<17} {s['matched']:>4} answers, {s['items']:>5} items, "
                     f"{s['events']:>4} events  {', '.join(s['patterns'] or [])}")
    lines.append("selectors on the control page:")
    for key, n in r["selectors"].items():
        lines.append(f"  {'ok ' if n > 0 else 'NO '} {key:<17} {n if n >= 0 else 'invalid'}  "
                     f"({CONTROL_SELECTORS[key]})")
    for key, msg in r["conditions"].items():
        lines.append(f"problem: {key}: {msg}")
    if r["unmatched_json"]:
        lines.append("JSON answers no pattern matched (candidates for a changed pattern):")
        lines.extend(f"  {u}" for u in r["unmatched_json"])
    if r["unknown_order_statuses"]:
        lines.append(f"order statuses the profile does not know: {r['unknown_order_statuses']}")
    lines.extend(f"note: {n}" for n in r["notes"])
    lines.append("")
    lines.append("OK: every expected pattern matched" if r["ok"] else
                 "NOT OK: missing " + ", ".join(r["missing"] + r["selectors_not_found"]
                                                + list(r["conditions"])) +
                 f" — edit the profile override ({r['user_override']}) and run again")
    return "\n".join(lines)


async def serve(args: Any) -> int:
    from plugins.douyin.plugin import DouyinFeed

    feed = DouyinFeed()
    settings = {"port": args.port, "headless": args.headless, "capture": not args.no_capture,
                "browser_path": args.browser_path or "", "channel": args.channel or "",
                "user_data_dir": args.user_data_dir or "", "session_id": args.session_id or "",
                "profile": args.profile or ""}
    url = await feed.open(settings)
    print(f"douyin feed on {url} (session {feed.session_id}); Ctrl-C stops", flush=True)
    if feed.capture is not None:
        print(f"raw capture: {feed.capture.path}", flush=True)
    try:
        shown: set[str] = set()
        while True:
            await asyncio.sleep(1.0)
            for key, alert in feed.alerts.items():
                if key not in shown:
                    print(f"[{alert['level']}] {alert['message']}", flush=True)
            shown = set(feed.alerts)
    finally:
        await feed.stop()


async def replay(args: Any) -> int:
    from plugins.douyin.plugin import DouyinCaptureFeed

    feed = DouyinCaptureFeed()
    url = await feed.open({"capture": args.capture, "port": args.port, "speed": args.speed,
                           "profile": args.profile or ""})
    print(f"replaying {args.capture} on {url}; Ctrl-C stops", flush=True)
    try:
        await feed.done.wait()
        print(f"replayed {feed.records} records ({feed.server.last_seq} events)", flush=True)
        if not args.exit_when_done:
            await asyncio.Event().wait()
    finally:
        await feed.stop()
    return 0


__all__ = ["add_parser", "run", "doctor", "build_report", "format_report"]
