"""The CJK font subsets PDFs embed."""

from __future__ import annotations

import subprocess

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from console.support.fonts import find_cjk_font, register_pdf_font


def test_font_found_with_chinese():
    face = find_cjk_font()
    assert face.path.is_file()


def test_two_subsets_in_one_process_keep_their_own_glyphs(tmp_path):
    """A second report in the same process once drew with the first one's subset (missing glyphs)."""
    first = register_pdf_font("甲乙丙丁")
    second = register_pdf_font("双十一羽绒服专场")
    assert first != second
    assert pdfmetrics.getFont(first).face is not pdfmetrics.getFont(second).face
    path = tmp_path / "two.pdf"
    canvas = Canvas(str(path))
    canvas.setFont(second, 20)
    canvas.drawString(50, 700, "双十一羽绒服专场 ¥1,299.00")
    canvas.setFont(first, 20)
    canvas.drawString(50, 600, "甲乙丙丁")
    canvas.save()
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "双十一羽绒服专场 ¥1,299.00" in text and "甲乙丙丁" in text


def test_same_text_registers_once():
    assert register_pdf_font("直播复盘") == register_pdf_font("直播复盘")
