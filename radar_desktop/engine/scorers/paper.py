"""The paper's published scorer: Sobel of the predicted noise, then an Isolation Forest on two norms."""

from __future__ import annotations

import numpy as np

from radar_desktop.core.inspection_area import masked_map
from radar_desktop.core.one_class import PaperClassifier, paper_features, paper_heatmap
from radar_desktop.core.verdict import Thresholds
from radar_desktop.engine.models.forward import ForwardOutput
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.scorers.base import Scorer


class PaperScorer(Scorer):
    """The published pipeline: predicted noise -> blur 5 -> Sobel 5 -> Isolation Forest on two norms."""

    name = "paper"
    label = "paper pipeline"
    description = "paper-faithful: Sobel of predicted noise, Isolation Forest (contamination 0.05)"
    pooled_from_map = False

    def __init__(self) -> None:
        super().__init__()
        self._features: list[np.ndarray] = []
        self._classifier: PaperClassifier | None = None

    def maps(self, model: RadarModel, output: ForwardOutput) -> np.ndarray:
        noise = output.noise_pred.float().mean(dim=1).cpu().numpy()
        return np.stack([paper_heatmap(m) for m in noise])

    def score_maps(
        self, content_maps: list[np.ndarray], mask: np.ndarray | None = None, block: int | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """The paper's forest reads each whole map (``block`` does not apply)."""
        if self._classifier is None:
            raise RuntimeError("the paper scorer has not been calibrated")
        maps = [masked_map(m, mask) for m in content_maps]
        return maps, self._classifier.score(np.stack([paper_features(m) for m in maps]))

    def observe_calibration_maps(self, maps: list[np.ndarray], block: int | None = None) -> None:
        self._note_maps(maps)
        self._features.extend(paper_features(m) for m in maps)

    def finish_calibration(self) -> tuple[Thresholds, np.ndarray]:
        self._classifier = PaperClassifier(np.stack(self._features))
        scores = self._classifier.score(self._classifier.good_features)
        return self.thresholds_for(scores), scores

    def thresholds_for(self, good_scores: np.ndarray) -> Thresholds:
        # the forest's own contamination cut is the paper's decision; REVIEW is the 10% false-reject level
        return Thresholds(review=min(float(np.quantile(good_scores, 0.90)), 0.0), nok=0.0)

    def state(self) -> dict[str, np.ndarray]:
        return {"good_features": self._classifier.good_features} if self._classifier else {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self._classifier = PaperClassifier(state["good_features"])
