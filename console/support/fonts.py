"""A CJK font for documents Livedesk writes (the PDF review, the printable run of show).

A PDF that names a font without embedding it shows no text at all in a viewer that lacks the
font (poppler without ``poppler-data``, many Windows PCs). So every PDF embeds a subset of a
real CJK font: :func:`find_cjk_font` looks for one (``$LIVEDESK_CJK_FONT``, fonts shipped in
``resources/fonts``, then the fonts every desktop system has), and :func:`register_pdf_font`
makes a TrueType subset holding just the characters of the document and registers it with
reportlab, which embeds it.

ReportLab embeds TrueType outlines only. Many CJK fonts (Noto Sans CJK, Source Han Sans) are
OpenType with PostScript (CFF) outlines; their subset is converted to TrueType quadratic
outlines on the way (fontTools' cu2qu), which takes a fraction of a second for the few hundred
characters of a report.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from console.support.resources import resource_path

log = logging.getLogger("livedesk.fonts")

ENV_FONT = "LIVEDESK_CJK_FONT"

# Faces preferred inside a collection (.ttc): Simplified Chinese first.
_PREFERRED_FACES = ("SC", "Simplified", "GB", "CN", "Hans", "YaHei", "SimSun", "SimHei", "Hei")

_WINDOWS_FONTS = ("msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc", "Deng.ttf", "simkai.ttf")
_MAC_FONTS = ("/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
              "/System/Library/Fonts/STHeiti Light.ttc", "/Library/Fonts/Arial Unicode.ttf",
              "/System/Library/Fonts/Supplemental/Arial Unicode.ttf")
_LINUX_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
                "/usr/share/fonts/truetype/arphic/uming.ttc")

# Characters every document may use besides its own text (digits, Latin, punctuation).
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "¥￥·・—–…‰℃×÷←→↑↓●○■□▲△▍、。，：；！？（）《》「」【】％"


class FontNotFound(RuntimeError):
    """No CJK font on this machine: say which paths were tried and how to give one."""


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int = 0          # the face inside a font collection (.ttc)

    def __str__(self) -> str:
        return f"{self.path}#{self.index}" if self.index else str(self.path)


def _candidate_paths() -> list[Path]:
    paths: list[Path] = []
    env = os.environ.get(ENV_FONT)
    if env:
        paths.append(Path(env))
    shipped = resource_path("fonts")
    if shipped.is_dir():
        paths += sorted(p for p in shipped.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc", ".otc"))
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
        for name in _WINDOWS_FONTS:
            paths += [windir / name, local / name]
    elif sys.platform == "darwin":
        paths += [Path(p) for p in _MAC_FONTS]
    else:
        paths += [Path(p) for p in _LINUX_FONTS]
        fc = _fontconfig_match()
        if fc is not None:
            paths.append(fc)
    return paths


def _fontconfig_match() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True,
                             text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def _best_face(path: Path) -> int | None:
    """The index of the face to use in ``path``, or None when it has no Chinese glyphs."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            faces = TTCollection(str(path), lazy=True).fonts
        else:
            faces = [TTFont(str(path), lazy=True)]
    except (OSError, TTLibError, AssertionError) as exc:
        log.debug("font %s unreadable: %s", path, exc)
        return None
    scored: list[tuple[int, int]] = []
    for index, face in enumerate(faces):
        cmap = face.getBestCmap() or {}
        if ord("复") not in cmap or ord("盘") not in cmap:
            continue
        family = str(face["name"].getDebugName(1) or "")
        rank = next((i for i, key in enumerate(_PREFERRED_FACES) if key in family), len(_PREFERRED_FACES))
        scored.append((rank, index))
    return min(scored)[1] if scored else None


_found: FontFace | None = None
_found_lock = threading.Lock()


def find_cjk_font() -> FontFace:
    """The CJK font documents use (found once per process)."""
    global _found
    with _found_lock:
        if _found is not None and _found.path.exists():
            return _found
        tried: list[str] = []
        for path in _candidate_paths():
            tried.append(str(path))
            if not path.is_file():
                continue
            index = _best_face(path)
            if index is not None:
                _found = FontFace(path, index)
                log.debug("CJK font for documents: %s", _found)
                return _found
        raise FontNotFound(
            "no Chinese font found for the PDF (tried: " + ", ".join(tried) + "). Install one "
            "(Debian: fonts-noto-cjk) or set " + ENV_FONT + " to a .ttf/.otf/.ttc file.")


def truetype_subset(face: FontFace, text: str, name: str | None = None) -> bytes:
    """A TrueType (glyf) font holding the glyphs of ``text`` plus :data:`BASE_CHARS`.

    ``name`` becomes the font's own (PostScript and full) name: reportlab keeps one parsed
    face per such name, so two subsets of one font must not share it.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index, lazy=False)
    options = subset.Options()
    options.layout_features = []            # plain horizontal text: no shaping tables
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "GPOS", "GSUB", "GDEF", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + BASE_CHARS)
    subsetter.subset(font)
    if "CFF " in font or "CFF2" in font:
        _cff_to_glyf(font)
    if name:
        names = font["name"]
        for record in list(names.names):
            if record.nameID in (1, 3, 4, 6, 16):
                names.removeNames(nameID=record.nameID)
        for name_id in (1, 3, 4, 6):
            names.setName(name, name_id, 3, 1, 0x409)
            names.setName(name, name_id, 1, 0, 0)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cff_to_glyf(font) -> None:
    """Replace PostScript outlines by TrueType quadratic ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # PostScript contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                  "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


_registered: dict[str, str] = {}
_register_lock = threading.Lock()


def register_pdf_font(text: str, face: FontFace | None = None) -> str:
    """Register (once per character set) an embeddable subset for ``text``; its reportlab name.

    Bold and italic map to the same face, so ``<b>`` in a Paragraph never falls back to a
    non-embedded standard font.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportLabTTFont

    face = face or find_cjk_font()
    chars = "".join(sorted(set(text) | set(BASE_CHARS)))
    key = hashlib.sha1(f"{face}|{chars}".encode()).hexdigest()[:12]
    with _register_lock:
        name = _registered.get(key)
        if name is not None:
            return name
        name = f"LivedeskCJK-{key}"
        pdfmetrics.registerFont(ReportLabTTFont(name, io.BytesIO(truetype_subset(face, chars, name))))
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
        _registered[key] = name
        return name
