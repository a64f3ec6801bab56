"""Verdicts and the two thresholds that separate them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(str, enum.Enum):
    """Outcome of one inspection; REVIEW lies between the two thresholds."""

    OK = "OK"
    REVIEW = "REVIEW"
    NOK = "NOK"


@dataclass(frozen=True)
class Thresholds:
    """Score thresholds: ``review <= nok``; scores above ``nok`` are NOK."""

    review: float
    nok: float

    def __post_init__(self) -> None:
        if not self.review <= self.nok:
            raise ValueError(f"review threshold {self.review} exceeds NOK threshold {self.nok}")

    def verdict(self, score: float) -> Verdict:
        """Classify one image score."""
        if score > self.nok:
            return Verdict.NOK
        if score > self.review:
            return Verdict.REVIEW
        return Verdict.OK

    def to_dict(self) -> dict[str, float]:
        return {"review": float(self.review), "nok": float(self.nok)}

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> "Thresholds":
        return cls(review=float(data["review"]), nok=float(data["nok"]))
