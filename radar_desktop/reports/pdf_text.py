"""Text for the PDF: names from data made safe for the standard fonts, and fitted to a width."""

from __future__ import annotations

import unicodedata

from reportlab.pdfbase.pdfmetrics import stringWidth

ELLIPSIS = "…"


def pdf_text(text: str) -> str:
    """``text`` with every character the standard PDF fonts cannot show, or that controls layout,
    written as an escape (``\\u4e2d``), so a file name is shown faithfully and never as markup or boxes."""
    out = []
    for char in str(text):
        if unicodedata.category(char)[0] == "C" or not _encodable(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fit(text: str, font: str, size: float, width: float, keep_end: bool = True) -> str:
    """``text`` shortened to fit ``width`` points: in the middle, so its end (a file extension) stays,
    or with ``keep_end=False`` at the end (for sentences)."""
    if stringWidth(text, font, size) <= width:
        return text
    keep_end = max(4, len(text) // 3) if keep_end else 0
    head, tail = text[: len(text) - keep_end], text[len(text) - keep_end :]
    while head and stringWidth(head + ELLIPSIS + tail, font, size) > width:
        head = head[:-1]
    while not head and tail and stringWidth(ELLIPSIS + tail, font, size) > width:
        tail = tail[1:]
    return head + ELLIPSIS + tail


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` points: at spaces where possible, else mid-word."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while stringWidth(current, font, size) > width and len(current) > 1:
            cut = len(current)
            while cut > 1 and stringWidth(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    lines.append(current)
    return lines
