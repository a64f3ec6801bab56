"""The score a technician reads: 0 for a typical good part, 1 at the NOK line.

Pooled scores are z-scores against held-back good images: a typical good part scores anywhere from -1
to +1 and the NOK line sits near 3, which says little at a glance. A profile made now keeps the affine
map that puts the median held-back good score at 0 and its calibrated NOK threshold at 1; everything
after it (thresholds, history, drift, reports) is in those units. A profile without one keeps its
scores as they were (the identity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCALE_KEY = "score_scale"


@dataclass(frozen=True)
class ScoreScale:
    """``(raw - zero) / unit``: 0 where a typical good part scores, 1 at the NOK line it was set with."""

    zero: float = 0.0
    unit: float = 1.0

    @classmethod
    def from_calibration(cls, good_scores: np.ndarray, nok: float) -> "ScoreScale":
        zero = float(np.median(good_scores))
        return cls(zero, max(float(nok) - zero, 1e-9))

    def apply(self, raw):
        return (raw - self.zero) / self.unit

    def to_array(self) -> np.ndarray:
        return np.array([self.zero, self.unit])

    @classmethod
    def from_array(cls, values: np.ndarray) -> "ScoreScale":
        zero, unit = (float(v) for v in np.asarray(values).ravel())
        return cls(zero, unit)
