"""The paper's image-level decision: an Isolation Forest over two map statistics.

The forest is never pickled: it is refitted from the stored feature pairs with a fixed seed,
which reproduces it exactly.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import IsolationForest

from radar_desktop.core.maps import gaussian_blur, sobel_magnitude, window_l2_max

PAPER_CONTAMINATION = 0.05
PAPER_SEED = 0


def paper_heatmap(noise_map: np.ndarray) -> np.ndarray:
    """Blur (5) then Sobel (5) gradient magnitude of the stitched predicted-noise map."""
    return sobel_magnitude(gaussian_blur(noise_map, 5), 5)


def paper_features(heatmap: np.ndarray) -> np.ndarray:
    """[total L2 norm, largest L2 norm over 20x20 windows at stride 20] of a paper heatmap."""
    return np.array([np.linalg.norm(heatmap), window_l2_max(heatmap, 20, 20)], dtype=np.float64)


class PaperClassifier:
    """Isolation Forest fitted on the feature pairs of good images; score > 0 means anomalous."""

    def __init__(self, good_features: np.ndarray, contamination: float = PAPER_CONTAMINATION) -> None:
        features = np.asarray(good_features, dtype=np.float64)
        if features.ndim != 2 or features.shape[1] != 2 or len(features) < 2:
            raise ValueError("the paper classifier needs at least two [total, window] feature pairs")
        self.good_features = features
        self.contamination = contamination
        self._forest = IsolationForest(contamination=contamination, random_state=PAPER_SEED, n_estimators=100)
        self._forest.fit(features)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Anomaly scores (negated decision function): the forest's own cut lies at 0."""
        return -self._forest.decision_function(np.atleast_2d(features))
