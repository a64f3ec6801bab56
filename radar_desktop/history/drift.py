"""A profile's score drift: its recent scores from the history on a control chart from its calibration.

The record is a JSON-friendly dict, so a report can carry it (``SessionInfo.drift``) and the window and
the report draw the same chart from it.
"""

from __future__ import annotations

from pathlib import Path

from radar_desktop.core.control_chart import EWMA_L, EWMA_LAMBDA, control_chart, control_limits
from radar_desktop.history.database import HistoryDatabase, HistoryError
from radar_desktop.core.promise import watch_promise
from radar_desktop.profiles.profile import Profile, ProfileError
from radar_desktop.profiles.promises import profile_promises
from radar_desktop.profiles.store import open_profile

SPANS = (100, 500, 2000)  # the window's choices of how many of the latest inspections to chart


def drift_record(
    database: HistoryDatabase, profile: Profile, *, scorer: str | None = None, kind: str = "individuals", last: int = 500
) -> dict:
    """The ``kind`` chart (``individuals`` or ``ewma``) of the profile's ``last`` scores with ``scorer``
    (default: its own); an empty dict when the history holds none.

    Rows are matched by profile name and scorer, not by content hash: editing notes or thresholds
    changes the hash but not the model whose scores are charted. Raises ValueError when the scorer's
    calibration cannot give limits (fewer than 2 good scores, or all equal) and ProfileError when the
    profile has no calibration for ``scorer``.
    """
    name = scorer or profile.default_scorer
    limits = control_limits(profile.entry(name).good_scores)
    series = database.scores_over_time(profile.name, scorer=name, last=last)
    if series.scores.size == 0:
        return {}
    chart = control_chart(series.scores, limits, kind)
    nok, review = profile_promises(profile, name)
    watch = watch_promise(series.verdicts, series.decisions, review.target, nok.target)
    return {
        "profile_name": profile.name,
        "profile_hash": profile.content_hash,
        "scorer": name,
        "kind": kind,
        "last": last,
        "calibration_images": limits.n,
        "centre": limits.centre,
        "sigma": limits.sigma,
        "ewma_lambda": EWMA_LAMBDA,
        "ewma_l": EWMA_L,
        "rules": list(chart.rules),
        "ids": series.ids.tolist(),
        "epochs": series.epochs.tolist(),
        "scores": series.scores.tolist(),
        "verdicts": list(series.verdicts),
        "statistic": chart.statistic.tolist(),
        "lower": chart.lower.tolist(),
        "upper": chart.upper.tolist(),
        "signals": [{"index": int(i), "rules": list(chart.rules_at(i))} for i in chart.signals],
        "promise": {"broken": list(watch.broken), "broken_now": watch.broken_now, "message": watch.message()},
    }


def report_drift(profile_name: str, scorer: str | None = None, *, path: Path | None = None, last: int = 500) -> dict:
    """The drift record a report carries: the profile's latest ``last`` scores in the history at ``path``.

    Empty (the report then has no drift page) when the history cannot be read, the profile is gone or
    its calibration gives no limits; a report is never refused over its drift page.
    """
    try:
        profile = open_profile(profile_name)
        with HistoryDatabase(path) as database:
            return drift_record(database, profile, scorer=scorer, last=last)
    except (HistoryError, ProfileError, OSError, ValueError):
        return {}
