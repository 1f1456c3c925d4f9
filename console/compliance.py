"""Advertising-law check (广告法 §9 absolute terms) for scripts and show plans.

Headless: no Qt. The word list is data (``resources/banned_words.yaml``, user
editable): terms with a category, severity and suggested replacements (per
matched phrase where the plain term would leave broken text), plus an
allow-list of ordinary phrases (最近, 第一次 ...), trademarks, and context
patterns (self-comparison, material content, purchase limits, consumption
tips, advice to the buyer ...). Context matters: a hit inside an allowed
phrase, trademark or context match is not reported.

Text is matched after normalisation (NFKC, so full-width １００％ is 100%;
lower case; whitespace dropped, so "TOP 1" is top1); hits carry indices into
the original text. :func:`apply_replacement` is what the editor's one-click
replacement runs. docs/compliance.md describes the list and its measured
precision and recall.

``livedesk check-plan FILE [--words FILE]`` -> :func:`run_check_plan`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


from console.core.plan import ShowPlan, plan_from_dict
from console.support.resources import banned_words_path, load_yaml_data

DEFAULT_WORDS = banned_words_path()
SNIPPET = 8  # characters of context either side of a hit


@dataclass(frozen=True)
class Term:
    term: str
    category: str = "绝对化"
    severity: str = "high"
    suggestions: tuple[str, ...] = ()
    context_ok: bool = True
    #: Longer phrases containing the term, each with its own replacements: when one of them
    #: is in the text, a replacement takes the whole phrase (全网最低价 -> 超值价, not 超值价价).
    forms: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Hit:
    term: str
    start: int
    end: int
    category: str
    suggestions: tuple[str, ...]
    context: str              # snippet around the hit
    severity: str = "high"
    #: The span a replacement takes: the matched form (全网最低价) or the term itself.
    replace_start: int = -1
    replace_end: int = -1

    def __post_init__(self) -> None:
        if self.replace_start < 0:
            object.__setattr__(self, "replace_start", self.start)
        if self.replace_end < 0:
            object.__setattr__(self, "replace_end", self.end)

    def describe(self) -> str:
        sugg = "、".join(self.suggestions) if self.suggestions else "-"
        return f"「{self.term}」 ({self.category}, {self.severity}) in “{self.context}” -> {sugg}"


@dataclass(frozen=True)
class PlanHit:
    location: str             # e.g. products[3] (LD-004 羽绒服).cue_card.pitch_lines[1]
    hit: Hit
    text: str                 # the full checked text


@dataclass
class WordList:
    terms: list[Term] = field(default_factory=list)
    allow_phrases: list[str] = field(default_factory=list)
    trademarks: list[str] = field(default_factory=list)
    contexts: list[tuple[str, re.Pattern]] = field(default_factory=list)
    source: str = "<words>"

    def with_terms(self, extra: Iterable[Term]) -> "WordList":
        return WordList(list(extra) + self.terms, self.allow_phrases, self.trademarks,
                        self.contexts, self.source)


class WordListError(ValueError):
    pass


# ---- Loading ------------------------------------------------------------------
def load_words(path: str | Path | None = None) -> WordList:
    """Read a word-list YAML (default: resources/banned_words.yaml); cached by mtime."""
    return load_yaml_data(Path(path) if path else DEFAULT_WORDS, words_from_dict, WordListError,
                          "word list")


def words_from_dict(raw: Any, source: str = "<words>") -> WordList:
    if not isinstance(raw, dict):
        raise WordListError(f"{source}: top level must be a mapping with 'terms' and 'allow'")
    problems: list[str] = []
    terms: list[Term] = []
    for i, item in enumerate(raw.get("terms") or []):
        if isinstance(item, str):
            item = {"term": item}
        if not isinstance(item, dict) or not isinstance(item.get("term"), (str, int)) \
                or not str(item.get("term")).strip():
            problems.append(f"terms[{i}]: needs a non-empty 'term'")
            continue
        sugg = item.get("suggest", item.get("suggestions")) or []
        if isinstance(sugg, str):
            sugg = [sugg]
        term = str(item["term"]).strip()
        forms = []
        raw_forms = item.get("forms") or {}
        if not isinstance(raw_forms, dict):
            problems.append(f"terms[{i}] ({term}).forms: must map a phrase to its replacements")
            raw_forms = {}
        for phrase, fsugg in raw_forms.items():
            phrase = str(phrase).strip()
            if normalise(term)[0] not in normalise(phrase)[0]:
                problems.append(f"terms[{i}] ({term}).forms: {phrase!r} does not contain the term")
                continue
            fsugg = [fsugg] if isinstance(fsugg, str) else list(fsugg or [])
            forms.append((phrase, tuple(str(x) for x in fsugg)))
        terms.append(Term(term, str(item.get("category", "绝对化")),
                          str(item.get("severity", "high")), tuple(str(s) for s in sugg),
                          bool(item.get("context_ok", True)), tuple(forms)))
    allow = raw.get("allow") or {}
    if not isinstance(allow, dict):
        problems.append("allow: must be a mapping")
        allow = {}
    contexts = []
    for i, ctx in enumerate(allow.get("contexts") or []):
        if isinstance(ctx, str):
            ctx = {"name": ctx, "pattern": ctx}
        try:
            contexts.append((str(ctx.get("name", f"context {i}")), re.compile(ctx["pattern"])))
        except (KeyError, TypeError, AttributeError, re.error) as exc:
            problems.append(f"allow.contexts[{i}]: bad pattern: {exc}")
    if problems:
        raise WordListError(f"{source}: " + "; ".join(problems))
    return WordList(terms=terms,
                    allow_phrases=[str(s) for s in allow.get("phrases") or []],
                    trademarks=[str(s) for s in allow.get("trademarks") or []],
                    contexts=contexts, source=source)


# ---- Checking -----------------------------------------------------------------
def normalise(text: str) -> tuple[str, list[int]]:
    """The text as it is matched, and for each of its characters the index it came from.

    Each character is NFKC-normalised (full-width letters, digits and punctuation become
    their ASCII forms: １００％ -> 100%, ，-> ,) and lower-cased; whitespace is dropped, so
    "TOP 1" matches top1. Terms, allow phrases and trademarks are normalised the same way;
    context patterns see this form of the text.
    """
    out: list[str] = []
    src: list[int] = []
    for i, c in enumerate(text):
        for ch in unicodedata.normalize("NFKC", c).lower():
            if not ch.isspace():
                out.append(ch)
                src.append(i)
    return "".join(out), src


@lru_cache(maxsize=8192)
def _needle(text: str) -> str:
    """A term, phrase or trademark as it is matched (normalised once, then cached)."""
    return normalise(text)[0]


def _spans(norm: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    out = []
    for needle in needles:
        n = _needle(needle)
        if not n:
            continue
        i = norm.find(n)
        while i >= 0:
            out.append((i, i + len(n)))
            i = norm.find(n, i + 1)
    return out


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _form_at(norm: str, start: int, end: int, term: Term) -> tuple[int, int, tuple[str, ...]] | None:
    """The longest of the term's forms found around the hit at ``start:end`` (normalised)."""
    best = None
    tn = norm[start:end]
    for phrase, sugg in term.forms:
        fn = _needle(phrase)
        off = fn.find(tn)
        s = start - off
        if off >= 0 and s >= 0 and norm.startswith(fn, s) and (best is None or len(fn) > best[1] - best[0]):
            best = (s, s + len(fn), sugg)
    return best


def check_text(text: str, words: WordList | None = None) -> list[Hit]:
    """Every banned term in ``text`` that no allow rule excuses, in text order."""
    if not text:
        return []
    words = words or load_words()
    norm, src = normalise(text)
    if not norm:
        return []
    found: list[tuple[int, int, Term]] = []
    for term in words.terms:
        for s, e in _spans(norm, [term.term]):
            found.append((s, e, term))
    # the longest term wins where terms overlap (全网最低 over 最低 over 最)
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    chosen: list[tuple[int, int, Term]] = []
    taken_until = -1
    for s, e, term in found:
        if s < taken_until:
            continue
        chosen.append((s, e, term))
        taken_until = e
    if not chosen:
        return []
    exact = _spans(norm, words.allow_phrases) + _spans(norm, words.trademarks)
    context = [m.span() for _, rx in words.contexts for m in rx.finditer(norm)]
    hits = []
    for s, e, term in chosen:
        if _covered(s, e, exact):
            continue
        if term.context_ok and _covered(s, e, context):
            continue
        start, end = src[s], src[e - 1] + 1
        form = _form_at(norm, s, e, term) if term.forms else None
        if form is not None:
            rs, re_, sugg = src[form[0]], src[form[1] - 1] + 1, form[2]
        else:
            rs, re_, sugg = start, end, term.suggestions
        snippet = text[max(0, start - SNIPPET):end + SNIPPET].replace("\n", " ")
        hits.append(Hit(text[start:end], start, end, term.category, sugg, snippet, term.severity,
                        rs, re_))
    return hits


def _overlap(left: str, right: str) -> int:
    """Length of the longest end of ``left`` that ``right`` starts with."""
    for k in range(min(len(left), len(right)), 0, -1):
        if left.endswith(right[:k]):
            return k
    return 0


def apply_replacement(text: str, hit: Hit, replacement: str) -> str:
    """``text`` with ``hit`` replaced by ``replacement`` (the editor's one-click replacement).

    The replacement takes the hit's phrase (a form such as 全网最低价 when the word list has
    one) and never doubles the text around it: where the replacement ends with what follows
    the phrase, or starts with what precedes it, that part is kept once (全网最低 in 全网最低价
    replaced by 直播间专属价 gives 直播间专属价, not 直播间专属价价).
    """
    before, after = text[:hit.replace_start], text[hit.replace_end:]
    if replacement:
        after = after[_overlap(replacement, after):]
        k = _overlap(before, replacement)
        before = before[:len(before) - k]
    return before + replacement + after


def _product_terms(phrases: Iterable[str]) -> list[Term]:
    return [Term(p.strip(), "禁用语(手卡)", "high", (), False) for p in phrases if p and p.strip()]


def words_for_card(words: WordList, banned_phrases: Iterable[str]) -> WordList:
    """The word list for one product: the global list plus its cue card's banned phrases.

    A phrase the global list already has keeps the global entry (with its suggestions).
    """
    known = {t.term for t in words.terms}
    return words.with_terms(_product_terms(p for p in banned_phrases if p.strip() not in known))


#: Cue-card fields spoken on air (checked); cautions and banned phrases are instructions.
CHECKED_CARD_FIELDS = ("selling_points", "pitch_lines")


def check_plan(plan: ShowPlan | dict, words: WordList | None = None) -> list[PlanHit]:
    """Check every host-facing text of a plan; each hit carries its location.

    Checked: session title, product titles, coupons, selling points, pitch lines and the
    free script (by line). Cautions and the card's own banned-phrase list are instructions
    to the host, not things said on air, so they are not checked; the banned phrases are
    added as extra terms for that product.
    """
    words = words or load_words()
    data = plan.to_dict() if isinstance(plan, ShowPlan) else plan
    out: list[PlanHit] = []

    def check(location: str, text: Any, wl: WordList) -> None:
        if isinstance(text, str) and text:
            out.extend(PlanHit(location, h, text) for h in check_text(text, wl))

    check("session.title", (data.get("session") or {}).get("title"), words)
    for i, prod in enumerate(data.get("products") or []):
        where = f"products[{i}] ({prod.get('sku', '?')} {prod.get('title', '')})"
        card = prod.get("cue_card") or {}
        wl = words_for_card(words, card.get("banned_phrases") or [])
        check(f"{where}.title", prod.get("title"), wl)
        check(f"{where}.offer.coupon", (prod.get("offer") or {}).get("coupon"), wl)
        for key in CHECKED_CARD_FIELDS:
            for j, line in enumerate(card.get(key) or []):
                check(f"{where}.cue_card.{key}[{j}]", line, wl)
        for k, line in enumerate((prod.get("script") or "").splitlines(), start=1):
            check(f"{where}.script (line {k})", line, wl)
    automation = plan.automation if isinstance(plan, ShowPlan) else None
    if automation is None and isinstance(data.get("automation"), dict):
        from console.core.plan import automation_from_dict
        automation = automation_from_dict(data["automation"], "automation", [])
    for location, text in (automation.texts() if automation is not None else []):
        check(location, text, words)      # messages, auto-replies, quick replies: said in the room
    return out


# ---- CLI --------------------------------------------------------------------------


__all__ = ["Hit", "PlanHit", "Term", "WordList", "WordListError", "load_words",
           "words_from_dict", "check_text", "check_plan", "plan_from_dict",
           "apply_replacement", "normalise", "DEFAULT_WORDS"]
