"""Acceptance rules: regions under a specification's minimum size do not fail a part.

A specification reads "no hole larger than 0.5 mm²" or "no scratch longer than 2 mm": regions smaller
than the minimum area, or shorter than the minimum length, are ignored. A flagged image whose every
region is ignored passes (OK), and its record names the rule; one with no region at all keeps its
verdict, because its score came from a wide rise of the map, not from a speck.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from radar_desktop.core.quantities import readable
from radar_desktop.core.regions import Region, units

#: A specification's limits are written as the user typed them: up to six significant digits.
SPEC_DIGITS = 6
from radar_desktop.core.verdict import Verdict


@dataclass(frozen=True)
class AcceptanceRules:
    """Minimum area and length (0: no minimum) in mm² / mm with a scale, else px² / px."""

    min_area: float = 0.0
    min_length: float = 0.0
    mm_per_pixel: float | None = None

    @classmethod
    def from_inspection(cls, inspection: dict) -> "AcceptanceRules":
        """The rules a profile's ``inspection`` settings give."""
        scale = inspection.get("mm_per_pixel")
        return cls(float(inspection.get("min_area") or 0.0), float(inspection.get("min_length") or 0.0),
                   float(scale) if scale else None)

    @property
    def active(self) -> bool:
        return self.min_area > 0 or self.min_length > 0

    def ignores(self, region: Region) -> bool:
        """Whether ``region`` is under the specification's minimum size."""
        return region.area(self.mm_per_pixel) < self.min_area or region.length(self.mm_per_pixel) < self.min_length

    def describe(self) -> str:
        """The rule in words, e.g. ``ignore regions under 0.5 mm² or shorter than 2 mm``."""
        area_unit, length_unit = units(self.mm_per_pixel)
        parts = []
        if self.min_area > 0:
            parts.append(f"under {readable(self.min_area, SPEC_DIGITS)} {area_unit}")
        if self.min_length > 0:
            parts.append(f"shorter than {readable(self.min_length, SPEC_DIGITS)} {length_unit}")
        return "ignore regions " + " or ".join(parts) if parts else "no acceptance rule"


@dataclass(frozen=True)
class Judgement:
    """The verdict after the rules, the regions (each marked ignored or not) and what the rule did."""

    verdict: Verdict
    regions: tuple[Region, ...]
    rule: str = ""  # empty when no rule changed or spared anything


def judge(score_verdict: Verdict, regions: tuple[Region, ...], rules: AcceptanceRules) -> Judgement:
    """Apply ``rules`` to one image's regions and its verdict from the score."""
    if not rules.active or not regions:
        return Judgement(score_verdict, regions)
    marked = tuple(replace(r, ignored=rules.ignores(r)) for r in regions)
    ignored = sum(r.ignored for r in marked)
    if not ignored:
        return Judgement(score_verdict, marked)
    if ignored == len(marked) and score_verdict is not Verdict.OK:
        return Judgement(Verdict.OK, marked, f"{score_verdict.value} by score; accepted: all {ignored} "
                                            f"region{'s' if ignored > 1 else ''} under the rule ({rules.describe()})")
    return Judgement(score_verdict, marked, f"{ignored} of {len(marked)} regions ignored ({rules.describe()})")
