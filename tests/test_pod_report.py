"""The report's self-test page: present when the profile has a self-test, counted in every page number."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from radar_desktop.core.verdict import Thresholds
from radar_desktop.reports.export import ReportFiles, export_report
from radar_desktop.reports.pdf import PageLayout, PdfOptions, pictured_entries
from radar_desktop.reports.session import build_report
from tests.test_reports import _entries, _figure_for, _info, _session, _text, needs_poppler


def _record(mm_per_pixel=None) -> dict:
    from radar_desktop.engine.jobs.selftest import SHAPES, SelfTestScores, ShapeScores, selftest_record, size_levels

    rng = np.random.default_rng(1)
    sizes = np.repeat(size_levels(200), 8)
    shapes = {shape: ShapeScores(tuple(sizes), tuple(float(s) for s in 0.1 * np.log(sizes) + rng.normal(0, 0.05, sizes.size)))
              for shape in SHAPES}
    return selftest_record(SelfTestScores(shapes, 200, 0.3, 0, 2.0, 4, (0.0, 0.1, 0.9, 0.0), 1.0, "features"), 0.2, mm_per_pixel)


@needs_poppler
@pytest.mark.parametrize("scale", [None, 0.05])
def test_a_session_with_a_self_test_gets_its_page_and_every_page_number_counts_it(tmp_path, scale):
    session = replace(_session(), selftest=_record(scale), thresholds=Thresholds(0.1, 0.2))
    report = build_report(session, _entries(60))
    files = ReportFiles(tmp_path / "r.pdf", None)
    pages = export_report(report, _figure_for, files)
    plain = export_report(build_report(_session(), _entries(60)), _figure_for, ReportFiles(tmp_path / "plain.pdf", None))
    assert pages == plain + 1 == int(_info(files.pdf)["Pages"])

    page = _text(files.pdf, 2)
    assert "Detection sensitivity (self-test)" in page
    assert "not to the real defects of the product" in page.replace("\n", " ")
    for label in ("disc, darker", "disc, brighter", "stroke, darker", "stroke, brighter"):
        assert label in page
    assert "a90/95" in page and ("a90 (mm)" in page) == bool(scale)
    assert "1 of the 4 held-back images" in page  # the clean images' false calls, at this NOK threshold
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in _text(files.pdf, number)
    assert "All results" in _text(files.pdf, 3) and "Page 2: detection sensitivity" in _text(files.pdf, 1)
    layout = PageLayout.of(report, PdfOptions())
    first, last = pictured_entries(report, False)[0], pictured_entries(report, False)[-1]
    assert layout.detail_page_of(0) == 2 + layout.table_pages + 1
    assert first.name in _text(files.pdf, layout.detail_page_of(0)) and last.name in _text(files.pdf, pages)


@needs_poppler
def test_the_page_refits_at_the_sessions_nok_threshold(tmp_path):
    record = _record()
    strict = replace(_session(), selftest=record, thresholds=Thresholds(0.5, 5.0))  # nothing scores above 5
    files = ReportFiles(tmp_path / "r.pdf", None)
    export_report(build_report(strict, _entries(5)), _figure_for, files)
    page = _text(files.pdf, 2)
    assert page.count("none found") == 4 and "recorded at NOK > 0.2" in page.replace("\n", " ")
