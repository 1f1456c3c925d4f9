"""``livedesk simulate``: serve a simulated live room on the feed protocol."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from plugins.simulator.server import DEFAULT_RETENTION, SimServer, _arg, default_plan_path


async def _run(args: Any) -> int:
    plan_path = _arg(args, "plan") or default_plan_path()
    server = SimServer(plan_path, seed=int(_arg(args, "seed", 7)),
                       speed=float(_arg(args, "speed", 1.0)),
                       host=_arg(args, "host", "127.0.0.1"), port=int(_arg(args, "port", 8765)),
                       token=_arg(args, "token"), batch=int(_arg(args, "batch", 1)),
                       load_eps=_arg(args, "load"), load_comments=_arg(args, "load_comments"),
                       retention=int(_arg(args, "retention", DEFAULT_RETENTION)),
                       duration=_arg(args, "duration"), total=_arg(args, "total"),
                       session_id=_arg(args, "session_id"),
                       autopilot=bool(_arg(args, "autopilot", True)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):      # Windows: no loop signal handlers
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    await server.start()
    mode = f"load {server.load_eps:g} events/s" if server.load_eps else f"speed x{server.speed:g}"
    if server.load_eps and server.wait_for_client:
        mode += ", starting when the first client connects"
    print(f"livedesk simulator listening on {server.url} (session {server.session_id}, "
          f"{len(server.plan.products)} products, seed {server.seed}, {mode}"
          f"{', token required' if server.token else ''})", flush=True)
    if server.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {server.host}, not loopback only", file=sys.stderr, flush=True)
    stopper = asyncio.create_task(stop.wait())
    finisher = asyncio.create_task(server.finished.wait())
    await asyncio.wait({stopper, finisher}, return_when=asyncio.FIRST_COMPLETED)
    if finisher.done() and not stop.is_set():
        await server.drain()
    stopper.cancel()
    finisher.cancel()
    await server.stop()
    print(f"simulator stopped after {server.emitted} events (last seq {server.last_seq})", flush=True)
    return 0


def run_simulate(args: Any) -> int:
    """``livedesk simulate``: serve the simulator until SIGINT/SIGTERM or --duration/--total."""
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # PlanError included
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m plugins.simulator.server")
    ap.add_argument("--plan")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--token")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--load", type=float)
    ap.add_argument("--load-comments", dest="load_comments", type=float)
    ap.add_argument("--retention", type=int, default=DEFAULT_RETENTION)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--total", type=int)
    ap.add_argument("--session-id", dest="session_id")
    ap.add_argument("--no-autopilot", dest="autopilot", action="store_false")
    return run_simulate(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
