"""``livedesk check-plan``: banned advertising words in a run of show."""

from __future__ import annotations

import sys

from console.compliance import WordListError, check_plan, load_words
from console.core.plan import PlanError, load_plan


def run_check_plan(args) -> int:
    """``livedesk check-plan FILE [--words FILE]``: 0 clean, 1 hits, 2 invalid plan/words."""
    out = sys.stdout
    try:
        words = load_words(getattr(args, "words", None))
    except WordListError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        plan = load_plan(args.file)
    except PlanError as exc:
        print(exc.report(), file=sys.stderr)
        return 2
    hits = check_plan(plan, words)
    for ph in hits:
        h = ph.hit
        sugg = "、".join(h.suggestions) if h.suggestions else "(rephrase)"
        print(f"{ph.location}: 「{h.term}」 [{h.category}, {h.severity}] “{h.context}”"
              f"  -> suggest: {sugg}", file=out)
    if hits:
        print(f"{args.file}: {len(hits)} advertising-law hit(s) (广告法 §9)", file=out)
        return 1
    print(f"{args.file}: clean ({len(plan.products)} products checked)", file=out)
    return 0
