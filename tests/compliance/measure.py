"""Precision and recall of the advertising-law check on the labelled corpus.

Run ``python -m tests.compliance.measure [WORDS.yaml]`` (from the repository root) to print
the numbers that docs/compliance.md reports, for the corpus and for the held-out lines, with
every false positive and miss.

Two levels:
- lines: a line is flagged when the checker reports any hit. A flagged violation is a true
  positive, a flagged clean line a false positive, an unflagged violation a miss.
- phrases: each offending phrase of a violation (``terms``) is found when a hit overlaps it;
  a hit that overlaps no labelled phrase (also any hit on a clean line) is a false positive.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from console.compliance import WordList, check_text, load_words

CORPUS = Path(__file__).resolve().parent / "corpus.yaml"
HOLDOUT = Path(__file__).resolve().parent / "holdout.yaml"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Result:
    lines: Score = field(default_factory=Score)
    phrases: Score = field(default_factory=Score)
    false_positives: list[tuple[str, list[str]]] = field(default_factory=list)  # (text, hit terms)
    misses: list[tuple[str, list[str]]] = field(default_factory=list)           # (text, phrases)
    n_clean: int = 0
    n_violation: int = 0


def load_corpus(path: Path = CORPUS) -> list[dict]:
    lines = yaml.safe_load(path.read_text(encoding="utf-8"))["lines"]
    for i, line in enumerate(lines):
        if line.get("label") not in ("clean", "violation") or not isinstance(line.get("text"), str):
            raise ValueError(f"{path}: lines[{i}] needs a label (clean | violation) and a text")
        for term in line.get("terms") or []:
            if term not in line["text"]:
                raise ValueError(f"{path}: lines[{i}]: phrase {term!r} is not in the text")
    return lines


def _spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    return [(text.index(t), text.index(t) + len(t)) for t in phrases]


def evaluate(words: WordList | None = None, lines: list[dict] | None = None) -> Result:
    words = words or load_words()
    lines = load_corpus() if lines is None else lines
    res = Result()
    for line in lines:
        text, bad = line["text"], line["label"] == "violation"
        hits = check_text(text, words)
        spans = _spans(text, line.get("terms") or [])
        if bad:
            res.n_violation += 1
            if hits:
                res.lines.tp += 1
            else:
                res.lines.fn += 1
                res.misses.append((text, line.get("terms") or []))
        else:
            res.n_clean += 1
            if hits:
                res.lines.fp += 1
                res.false_positives.append((text, [h.term for h in hits]))
        found = [any(h.start < e and s < h.end for h in hits) for s, e in spans]
        res.phrases.tp += sum(found)
        res.phrases.fn += len(found) - sum(found)
        res.phrases.fp += sum(1 for h in hits if not any(h.start < e and s < h.end for s, e in spans))
        if bad and hits and not all(found):
            res.misses.append((text, [t for t, f in zip(line["terms"], found) if not f]))
    return res


def report(res: Result) -> str:
    out = [f"corpus: {res.n_violation + res.n_clean} lines ({res.n_violation} violations, "
           f"{res.n_clean} clean)"]
    for name, s in (("lines", res.lines), ("phrases", res.phrases)):
        out.append(f"{name}: precision {s.precision:.3f} recall {s.recall:.3f} "
                   f"(tp {s.tp}, fp {s.fp}, fn {s.fn})")
    out += [f"  false positive: {t}  -> {h}" for t, h in res.false_positives]
    out += [f"  missed: {t}  ({'、'.join(p) or 'no banned word'})" for t, p in res.misses]
    return "\n".join(out)


if __name__ == "__main__":
    wl = load_words(sys.argv[1]) if len(sys.argv) > 1 else load_words()
    for title, path in (("corpus.yaml", CORPUS), ("holdout.yaml (never used to tune)", HOLDOUT)):
        print(f"== {title}")
        print(report(evaluate(wl, load_corpus(path))))
