"""A profile calibrated on known good scores, and a history of its inspections that drifts upwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from radar_desktop.core.verdict import Thresholds
from radar_desktop.history.database import HistoryDatabase
from radar_desktop.history.recording import HistoryRecord
from radar_desktop.profiles.profile import Profile, ScorerEntry

THRESHOLDS = Thresholds(review=0.16, nok=0.2)
START = datetime(2026, 11, 30, 8, 0).astimezone()


def calibrated_profile(name: str = "Tile A", good: int = 40) -> Profile:
    """A profile whose scorer's held-back good images scored around 0.1 (σ about 0.02)."""
    scores = np.random.default_rng(3).normal(0.1, 0.02, good)
    entry = ScorerEntry(THRESHOLDS, [float(s) for s in scores], (0.0, 1.0))
    return Profile(name, "features", {"features": entry}, content_hash="c" * 64)


def drifting_scores(count: int, drift_from: int, seed: int = 0) -> np.ndarray:
    """Good scores around the calibration's mean, shifted up by 1.5σ from ``drift_from`` on."""
    scores = np.random.default_rng(seed).normal(0.1, 0.02, count)
    scores[drift_from:] += 0.03
    return scores


def fill_history(path: Path, profile: Profile, scores: np.ndarray, minutes: float = 2.0) -> None:
    """Store ``scores`` as the profile's inspections, one every ``minutes`` from 08:00 on 30 Nov 2026."""
    records = []
    for i, score in enumerate(scores):
        when = START + timedelta(minutes=minutes * i)
        records.append(HistoryRecord(
            inspected_at=when.isoformat(timespec="seconds"), origin="live", path=f"/line/frame_{i:05d}.png",
            verdict=THRESHOLDS.verdict(float(score)).value, score=float(score), profile_name=profile.name,
            profile_hash=profile.content_hash, scorer=profile.default_scorer,
        ))
    with HistoryDatabase(path) as database:
        database.insert(records)


def review_flagged_as_good(path: Path, profile_name: str, from_index: int = 0) -> int:
    """A person reviews every flagged inspection from ``from_index`` on as good; how many were reviewed."""
    with HistoryDatabase(path) as database:
        series = database.scores_over_time(profile_name)
        flagged = [int(i) for i, v in zip(series.ids[from_index:], series.verdicts[from_index:]) if v != "OK"]
        for inspection_id in flagged:
            database.add_review(inspection_id, "OK", reason="dust on the lens", reviewer="cy")
    return len(flagged)
