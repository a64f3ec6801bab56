"""Numbers as people write them on a form: a few significant digits, thousands grouped, no exponent."""

from __future__ import annotations

import math

import numpy as np


def readable(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits, e.g. 1150.2 -> ``1,150``, 6034 -> ``6,030``,
    0.04217 -> ``0.0422``, 12.0 -> ``12``; never ``1.15e+03``. Whole numbers lose no digits before the point."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, decimals)
    if decimals <= 0:
        return f"{rounded:,.0f}"
    return f"{rounded:,.{decimals}f}".rstrip("0").rstrip(".")


def plain(value: float, digits: int = 6) -> str:
    """``value`` for a machine-read column (CSV): ``digits`` significant digits, no grouping, no exponent."""
    if not math.isfinite(value):
        return str(value)
    return np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-")


def score_text(value: float) -> str:
    """An image score or threshold as shown: four significant digits, no exponent, and scores within a
    thousandth of zero as ``0.000`` (a typical good part reads 0 on a profile's read scale)."""
    if math.isfinite(value) and abs(value) < 5e-4:
        return "0.000"
    return readable(value, 4)


def parts_text(parts: dict[str, float], separator: str = " · ") -> str:
    """What a score is made of in words, e.g. ``memory bank 0.42 · RADAR step 1.31``."""
    return separator.join(f"{label} {score_text(value)}" for label, value in parts.items())
