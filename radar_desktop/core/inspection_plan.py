"""What a profile asks of each inspection beyond its score: where to look, where to cut, what to ignore."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from radar_desktop.core.acceptance import AcceptanceRules, Judgement, judge
from radar_desktop.core.inspection_area import fitted_mask
from radar_desktop.core.regions import OutlineLevels, measure_regions
from radar_desktop.core.verdict import Verdict


@dataclass(frozen=True)
class InspectionPlan:
    """Where regions are outlined, the acceptance rules, and the inspection mask (or None)."""

    outline: OutlineLevels
    rules: AcceptanceRules = field(default_factory=AcceptanceRules)
    mask: np.ndarray | None = None

    def judge(self, anomaly_map: np.ndarray, score_verdict: Verdict) -> Judgement:
        """Regions of a flagged image's full-size map and the verdict after the rules (OK images: none)."""
        if score_verdict is Verdict.OK:
            return Judgement(score_verdict, ())
        inspected = None if self.mask is None else fitted_mask(self.mask, anomaly_map.shape[:2])
        return judge(score_verdict, measure_regions(anomaly_map, self.outline, inspected), self.rules)
