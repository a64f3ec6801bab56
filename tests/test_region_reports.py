"""Measured regions and acceptance rules in CSV, JSON and PDF reports."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from radar_desktop.core.records import InspectionResult, ScanOutcome
from radar_desktop.core.regions import OutlineLevels, measure_regions
from radar_desktop.core.verdict import Verdict
from radar_desktop.reports.entries import entries_csv, entry_from_outcome
from radar_desktop.reports.export import ReportFiles, export_report
from radar_desktop.reports.figures import make_figure
from radar_desktop.reports.session import SessionInfo, build_report
from tests.test_reports import HASH, THRESHOLDS, _text, needs_poppler

SCALE = 0.05  # mm per pixel
INSPECTION = {"mm_per_pixel": SCALE, "min_area": 0.2, "min_length": 0.0, "mask": True}


def anomaly_map() -> np.ndarray:
    anomaly = np.zeros((120, 160), np.float32)
    anomaly[30:50, 40:80] = 1.0  # 20 x 40 px: 2 mm² and 2 mm at 0.05 mm/px
    anomaly[90:93, 120:123] = 0.9  # a speck of 9 px²: 0.0225 mm², under the rule
    return anomaly


def outcome() -> ScanOutcome:
    regions = tuple(r if r.area_px > 100 else r.__class__(**{**r.__dict__, "ignored": True})
                    for r in measure_regions(anomaly_map(), 0.5))
    result = InspectionResult("/lot/part_1.png", "features", anomaly_map(), 0.95, Verdict.NOK, regions=regions,
                              rule="1 of 2 regions ignored (ignore regions under 0.2 mm²)")
    return ScanOutcome("/lot/part_1.png", result, None, 12.0)


def test_entries_carry_regions_in_millimetres_to_csv_and_json():
    entry = entry_from_outcome(1, outcome(), mm_per_pixel=SCALE)
    assert [r["area"] for r in entry.regions] == [2.0, 0.0225]
    assert entry.regions[0]["length"] == 2.0 and entry.regions[0]["area_unit"] == "mm²"
    row = next(csv.DictReader(io.StringIO(entries_csv([entry]))))
    assert row["regions"] == "2" and row["largest_area"] == "2" and row["area_unit"] == "mm²"
    assert row["largest_length"] == "2" and row["length_unit"] == "mm"
    assert row["region_list"] == "2 mm² · 2 mm; 0.0225 mm² · 0.15 mm (ignored)"
    assert row["rule"].startswith("1 of 2 regions ignored")
    assert json.loads(json.dumps(entry.to_json()))["regions"][1]["ignored"] is True
    unscaled = entry_from_outcome(1, outcome())
    assert unscaled.regions[0]["area"] == 800 and unscaled.regions[0]["area_unit"] == "px²"


@needs_poppler
def test_the_pdf_lists_regions_and_the_profiles_scale_rule_and_mask(tmp_path):
    entry = entry_from_outcome(1, outcome(), mm_per_pixel=SCALE)
    session = SessionInfo("Jane Doe", "/lot", "Bracket B", HASH, "features", "CPU", THRESHOLDS, inspection=INSPECTION)
    report = build_report(session, [entry])
    image = np.full((120, 160, 1), 0.5, np.float32)
    files = ReportFiles(tmp_path / "r.pdf", tmp_path / "r.csv")
    export_report(report, lambda e: make_figure(image, anomaly_map(), (0.0, 1.0), OutlineLevels.at(0.5)), files)
    cover = _text(files.pdf, 1)
    assert "0.05 mm per pixel" in cover
    assert "ignore regions under 0.2 mm²" in cover
    assert "masked areas are not inspected" in cover
    pictures = _text(files.pdf, 3)
    assert "Regions: 1) 2 mm² · 2 mm" in pictures and "2) 0.0225 mm² · 0.15 mm (ignored)" in pictures
    assert json.loads(files.json.read_text())["entries"][0]["regions"][0]["area"] == 2.0
