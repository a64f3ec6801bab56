"""A person's decision in reports (the session's and the history's): in the PDF table's note cell and a CSV
column, the machine verdict kept."""

from __future__ import annotations

import csv

import numpy as np

from radar_desktop.core.records import InspectionResult, ScanOutcome
from radar_desktop.core.verdict import Verdict
from radar_desktop.history.database import HistoryDatabase, HistoryFilter
from radar_desktop.history.report_export import history_figures, history_report
from radar_desktop.reports.entries import entry_from_outcome, review_text
from radar_desktop.reports.export import ReportFiles, export_report
from radar_desktop.reports.session import build_report
from tests.test_history_export import stored_record
from tests.test_reports import _figure_for, _session, _text, needs_poppler


def outcome(name: str, score: float, verdict: Verdict) -> ScanOutcome:
    result = InspectionResult(f"/parts/{name}", "features", np.zeros((8, 8), np.float32), score, verdict)
    return ScanOutcome(result.source, result, None, 10.0, None, "2026-12-02T13:58:00+01:00")


def test_a_decision_reads_as_who_when_and_why():
    assert review_text("OK", "ann", "2026-12-02T14:03:27+01:00", "scratch is dust") == "OK by ann, 2026-12-02 14:03: scratch is dust"
    assert review_text("NOK", "", "2026-12-02T14:03:27+01:00") == "NOK, 2026-12-02 14:03"


@needs_poppler
def test_a_report_of_reviewed_rows_shows_the_decision_and_keeps_the_machine_verdict(tmp_path):
    entries = [
        entry_from_outcome(1, outcome("part_0001.png", 0.6, Verdict.REVIEW),
                           review=review_text("OK", "ann", "2026-12-02T14:03:00+01:00", "scratch is dust")),
        entry_from_outcome(2, outcome("part_0002.png", 0.9, Verdict.NOK),
                           review=review_text("NOK", "bob", "2026-12-02T14:05:00+01:00")),
        entry_from_outcome(3, outcome("part_0003.png", 0.7, Verdict.REVIEW)),
    ]
    report = build_report(_session(), entries)
    files = ReportFiles(tmp_path / "reviewed.pdf", tmp_path / "reviewed.csv")
    export_report(report, _figure_for, files)

    table = " ".join(_text(files.pdf, 2).split())  # the table page, its columns run together
    assert "reviewed OK by ann, 2026-12-02 14:03: scratch is dust" in table
    assert "reviewed NOK by bob, 2026-12-02 14:05" in table
    assert table.count("REVIEW") >= 2 and "NOK" in table  # the Verdict column still says what the machine found
    assert report.summary.counts["REVIEW"] == 2  # counted by machine verdict, as before

    with files.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["verdict"], r["review"]) for r in rows] == [
        ("REVIEW", "OK by ann, 2026-12-02 14:03: scratch is dust"), ("NOK", "NOK by bob, 2026-12-02 14:05"), ("REVIEW", "")]


@needs_poppler
def test_a_history_report_of_reviewed_rows_shows_each_decision_beside_the_verdict(tmp_path):
    with HistoryDatabase(tmp_path / "history" / "history.sqlite3") as database:
        ids = database.insert([stored_record(database, i, tmp_path / f"part_{i}.png", verdict=verdict)
                               for i, verdict in ((1, "REVIEW"), (2, "NOK"), (3, "REVIEW"))])
        database.add_review(ids[0], "OK", reason="scratch is dust", reviewer="ann", reviewed_at="2026-12-02T14:03:00+01:00")
        database.add_review(ids[1], "NOK", reviewer="bob", reviewed_at="2026-12-02T14:05:00+01:00")
        made = history_report(database, HistoryFilter(), operator="carla")
        files = ReportFiles(tmp_path / "reviewed.pdf", tmp_path / "reviewed.csv")
        export_report(made.report, history_figures(database.files_dir, made.rows), files)
    assert [(e.verdict, e.review) for e in made.report.entries] == [
        ("REVIEW", "OK by ann, 2026-12-02 14:03: scratch is dust"), ("NOK", "NOK by bob, 2026-12-02 14:05"), ("REVIEW", "")]
    table = " ".join(_text(files.pdf, 2).split())
    assert "reviewed OK by ann, 2026-12-02 14:03: scratch is dust" in table and "reviewed NOK by bob" in table
    assert table.count("REVIEW") >= 2
