"""Score drift: the history's scores on a control chart from the profile's calibration, and its report page."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from radar_desktop.core.control_chart import control_chart, control_limits
from radar_desktop.history.database import HistoryDatabase
from radar_desktop.history.drift import drift_record
from radar_desktop.reports.drift_page import signal_summary
from radar_desktop.reports.export import ReportFiles, export_report
from radar_desktop.reports.session import build_report
from radar_desktop.reports.time_axis import time_ticks
from tests.drift_history import calibrated_profile, fill_history
from tests.test_pod_report import _record as selftest_record
from tests.test_reports import _entries, _figure_for, _info, _session, _text, needs_poppler

DRIFT_FROM = 40


def _steady_then_shifted(count: int = 60) -> np.ndarray:
    """Within 1σ of the calibration's mean, alternating sides; from DRIFT_FROM on, 1.5σ above it."""
    scores = np.where(np.arange(count) % 2 == 0, 0.09, 0.11)
    scores[DRIFT_FROM:] = 0.13
    return scores


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "history.sqlite3"
    profile = calibrated_profile()
    fill_history(path, profile, _steady_then_shifted())
    with HistoryDatabase(path) as database:
        yield database, profile


def test_the_record_charts_the_profiles_scores_against_its_calibration(history):
    database, profile = history
    record = drift_record(database, profile)
    json.dumps(record)  # a report's JSON carries it
    limits = control_limits(profile.entry().good_scores)
    assert (record["centre"], record["sigma"], record["calibration_images"]) == (limits.centre, limits.sigma, 40)
    assert (record["kind"], record["scorer"], record["profile_name"]) == ("individuals", "features", "Tile A")
    assert len(record["epochs"]) == len(record["scores"]) == len(record["verdicts"]) == 60
    assert record["epochs"] == sorted(record["epochs"]) and record["scores"][-1] == pytest.approx(0.13)
    flagged = {s["index"]: s["rules"] for s in record["signals"]}
    # 4 of 5 beyond 1σ completes at the 4th shifted point; 8 in a row above the centre at the 7th, since
    # the point before the shift is above it too (within 1σ); nothing before the shift
    assert min(flagged) == DRIFT_FROM + 3 and flagged[DRIFT_FROM + 5] == ["rule 3"]
    assert flagged[DRIFT_FROM + 6] == ["rule 3", "rule 4"] and sorted(flagged) == list(range(DRIFT_FROM + 3, 60))
    assert signal_summary(record).startswith("17 signals: rule 3 and rule 4 at 09:54")


def test_ewma_kind_span_and_scorer(history):
    database, profile = history
    record = drift_record(database, profile, kind="ewma", last=30)
    assert record["rules"] == ["EWMA limit"] and len(record["scores"]) == 30
    chart = control_chart(record["scores"], control_limits(profile.entry().good_scores), "ewma")
    assert [s["index"] for s in record["signals"]] == chart.signals.tolist() != []
    assert record["statistic"] == pytest.approx(chart.statistic.tolist())


def test_no_scores_give_an_empty_record_and_a_bad_calibration_is_refused(history, tmp_path):
    database, profile = history
    assert drift_record(database, replace(profile, name="Tile B")) == {}
    other = replace(profile, scorers={"forest": profile.entry()}, default_scorer="forest")
    assert drift_record(database, other) == {}  # the rows were scored by "features"
    one = replace(profile, scorers={"features": replace(profile.entry(), good_scores=[0.1])})
    with pytest.raises(ValueError, match="at least 2"):
        drift_record(database, one)


@needs_poppler
def test_a_report_with_a_drift_record_gets_its_page_after_the_self_test(history, tmp_path):
    database, profile = history
    drift = drift_record(database, profile)
    plain = export_report(build_report(_session(), _entries(60)), _figure_for, ReportFiles(tmp_path / "plain.pdf", None))
    files = ReportFiles(tmp_path / "drift.pdf", None)
    pages = export_report(build_report(replace(_session(), drift=drift), _entries(60)), _figure_for, files)
    assert pages == plain + 1 == int(_info(files.pdf)["Pages"])
    page = _text(files.pdf, 2).replace("\n", " ")
    assert "Score drift (control chart)" in page and "40 held-back good images" in page
    assert "60 inspections of Tile A" in page and "17 of them signal: 17 by rule 3" in page
    assert "14 by rule 4 (8 in a row on one side of the centre)" in page
    assert "2026-11-30 09:26" in page and "2026-11-30 09:58" in page and "rule 3, rule 4" in page  # one row for the run
    assert "Page 2: score drift (control chart)." in _text(files.pdf, 1).replace("\n", " ")
    assert "All results" in _text(files.pdf, 3)

    both = ReportFiles(tmp_path / "both.pdf", None)
    session = replace(_session(), drift=drift, selftest=selftest_record())
    total = export_report(build_report(session, _entries(60)), _figure_for, both)
    assert total == plain + 2
    assert "Detection sensitivity" in _text(both.pdf, 2) and "Score drift" in _text(both.pdf, 3)
    assert "All results" in _text(both.pdf, 4) and "Page 3: score drift" in _text(both.pdf, 1).replace("\n", " ")
    for number in range(1, total + 1):
        assert f"Page {number} of {total}" in _text(both.pdf, number)


@needs_poppler
def test_an_unreadable_drift_record_is_stated_not_fatal(tmp_path):
    files = ReportFiles(tmp_path / "r.pdf", None)
    export_report(build_report(replace(_session(), drift={"scores": [0.1], "epochs": []}), _entries(3)), _figure_for, files)
    assert "The drift record could not be read." in _text(files.pdf, 2)


@pytest.mark.parametrize("hours, labels", [
    (3, ["08:30\n30 Nov", "09:00", "09:30", "10:00", "10:30", "11:00"]),
    (30, ["12:00\n30 Nov", "18:00", "00:00\n01 Dec", "06:00", "12:00"]),
    (20 * 24, ["03 Dec\n2026", "06 Dec", "09 Dec", "12 Dec", "15 Dec", "18 Dec"]),
    (800 * 24, ["Jan\n2027", "Jul", "Jan\n2028", "Jul", "Jan\n2029"]),
])
def test_time_ticks_fall_on_round_local_times_and_name_the_date_where_it_changes(hours, labels):
    start = datetime(2026, 11, 30, 8, 3).timestamp()
    ticks = time_ticks(start, start + hours * 3600, most=8)
    assert [label for _, label in ticks] == labels
    assert all(start <= t <= start + hours * 3600 and datetime.fromtimestamp(t).second == 0 for t, _ in ticks)


def test_the_summary_counts_signals_of_the_same_minute_once():
    minute = datetime(2026, 12, 2, 7, 52).timestamp()
    epochs = [minute + second for second in range(5)] + [minute + 600]
    signals = [{"index": i, "rules": ["rule 4"]} for i in range(5)] + [{"index": 5, "rules": ["rule 1"]}]
    summary = signal_summary({"epochs": epochs, "signals": signals})
    assert summary == "6 signals: rule 4 at 07:52 (×5), rule 1 at 08:02"
    assert signal_summary({"epochs": epochs, "signals": []}) == "no signals"


def test_reviewed_good_parts_flagged_above_the_promise_mark_it_broken_in_the_record_and_the_report(tmp_path):
    from tests.drift_history import drifting_scores, review_flagged_as_good

    path = tmp_path / "history.sqlite3"
    profile = calibrated_profile()
    fill_history(path, profile, drifting_scores(400, drift_from=200, seed=1) + np.r_[np.zeros(200), np.full(200, 0.04)])
    assert review_flagged_as_good(path, profile.name) > 20
    with HistoryDatabase(path) as database:
        record = drift_record(database, profile)
        promise = record["promise"]
        assert promise["broken_now"] and min(promise["broken"]) >= 200
        assert promise["message"].startswith("False-reject promise broken:") and "Recalibrate" in promise["message"]
        newest = drift_record(database, profile, last=150)  # a shorter span still sees it
    assert newest["promise"]["broken_now"]
    with HistoryDatabase(path) as database:
        database_rows = database.scores_over_time(profile.name)
    assert set(database_rows.decisions) == {"", "OK"}
