"""``livedesk report``: a session review as text, CSV, xlsx or PDF."""

from __future__ import annotations

import sys

from console.replay.replay import SessionNotFound
from console.review.report import (FORMATS, SessionLookupError, build_review, export,
                                   resolve_session)


def run_report(args) -> int:
    """``livedesk report SESSION --format xlsx|csv|html|pdf [-o PATH] [--db URL]``."""
    fmt = getattr(args, "format", None) or "xlsx"
    if fmt not in FORMATS:
        print(f"livedesk report: unknown format {fmt!r} (use {', '.join(FORMATS)})", file=sys.stderr)
        return 2
    store = getattr(args, "store", None)
    if store is None:
        try:
            from console.recorder import Store
        except ImportError as exc:
            print(f"livedesk report: recorder not available: {exc}", file=sys.stderr)
            return 1
        store = Store(getattr(args, "db", None))
    try:
        sid = resolve_session(store, args.session)
        review = build_review(store, sid)
    except SessionLookupError as exc:
        print(f"livedesk report: {exc}", file=sys.stderr)
        return 2
    except SessionNotFound:
        print(f"livedesk report: no session {args.session!r} in the recording database",
              file=sys.stderr)
        return 2
    out = getattr(args, "output", None) or getattr(args, "o", None)
    if not out:
        out = f"review-{sid}.zip" if fmt == "csv" else f"review-{sid}.{fmt}"
    path = export(review, fmt, out)
    print(f"{path}  GMV ¥{review.summary['gmv']:,.2f}  orders {review.summary['orders']}  "
          f"products {len(review.products)}  segments {len(review.segments)}")
    return 0
