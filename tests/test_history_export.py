"""PDF reports of history rows: one profile per report, pictures from what the history kept, and the CLI export."""

from __future__ import annotations

import csv
import subprocess

import cv2
import numpy as np
import pytest

from radar_desktop.app import main
from radar_desktop.history.database import HistoryDatabase, HistoryError, HistoryFilter
from radar_desktop.history.pictures import row_pictures
from radar_desktop.history.recording import HistoryRecord, heatmap_png, thumbnail_png
from radar_desktop.history.report_export import MAX_REPORT_ROWS, history_figures, history_report
from radar_desktop.reports.export import ReportFiles, export_report
from tests.poppler import needs_poppler
from tests.synthetic import scan_folder


def stored_record(database: HistoryDatabase, index: int, image_path, **fields) -> HistoryRecord:
    """A record whose thumbnail and heatmap files exist, as the writer leaves them."""
    thumb, heat = f"2026-03/r{index}_thumb.png", f"2026-03/r{index}_heat.png"
    (database.files_dir / "2026-03").mkdir(parents=True, exist_ok=True)
    pixels = np.full((48, 64, 1), 90 + index, np.uint8)
    (database.files_dir / thumb).write_bytes(thumbnail_png(pixels))
    anomaly = np.zeros((48, 64), np.float32)
    anomaly[10:20, 30:40] = 1.0
    (database.files_dir / heat).write_bytes(heatmap_png(anomaly, (0.0, 1.0)))
    values = dict(
        inspected_at=f"2026-03-02T10:{index:02d}:00+01:00", origin="folder", path=str(image_path),
        verdict="NOK" if index % 3 == 0 else "OK", score=0.2 + index / 100, profile_name="Tile A",
        profile_hash="a" * 64, scorer="peak", review_threshold=0.3, nok_threshold=0.4, operator="ann", lot="L42",
        sha256="0" * 64, width=64, height=48, thumbnail_file=thumb, heatmap_file=heat,
        regions='[{"area": 100, "area_unit": "px²", "length": 10, "length_unit": "px", "bbox": [30, 10, 10, 10]}]',
    )
    values.update(fields)
    return HistoryRecord(**values)


@pytest.fixture
def database(tmp_path):
    with HistoryDatabase(tmp_path / "history" / "history.sqlite3") as opened:
        opened.insert(stored_record(opened, i, tmp_path / f"gone_{i}.png") for i in range(1, 7))
        yield opened


def test_a_report_of_history_rows_keeps_their_verdicts_and_thresholds(database):
    made = history_report(database, HistoryFilter(lot="L42"), operator="bob")
    report = made.report
    assert [e.verdict for e in report.entries] == [r.record.verdict for r in database.query(HistoryFilter(), descending=False)]
    assert report.session.operator == "bob" and report.session.profile_name == "Tile A"
    assert (report.session.thresholds.review, report.session.thresholds.nok) == (0.3, 0.4)
    assert "lot L42" in report.session.source and "2026-03-02" in report.session.source
    assert report.summary.counts["NOK"] == 2


def test_pictures_come_from_the_stored_thumbnail_when_the_file_is_gone(database):
    row = database.query(HistoryFilter(), limit=1)[0]
    pictures = row_pictures(database.files_dir, row, side=128)
    assert pictures.image is not None and pictures.image.shape[:2] == (96, 128)
    assert "thumbnail" in pictures.source and "no longer there" in pictures.source
    assert pictures.heatmap.shape == (96, 128, 3)
    figure = history_figures(database.files_dir, {1: row})(history_report(database, HistoryFilter(ids=(row.id,)), operator="x").report.entries[0])
    assert figure is not None and len(figure.outlines) == 1  # the stored region's box
    assert figure.outlines[0][:, 0].min() == pytest.approx(30 * 360 / 64)  # 64 px wide inspected, 360 px picture


def test_the_image_file_is_used_while_its_hash_matches(database, tmp_path):
    image = tmp_path / "part.png"
    pixels = np.zeros((48, 64), np.uint8)
    pixels[:, 32:] = 255
    cv2.imwrite(str(image), pixels)
    from radar_desktop.history.recording import file_sha256

    [row_id] = database.insert([stored_record(database, 9, image, sha256=file_sha256(image))])
    row = database.get(row_id)
    pictures = row_pictures(database.files_dir, row, side=360)
    assert pictures.source == str(image) and pictures.image.shape == (48, 64)  # never enlarged
    image.write_bytes(cv2.imencode(".png", 255 - pixels)[1].tobytes())  # changed since: its thumbnail instead
    assert "moved or changed" in row_pictures(database.files_dir, row).source


def test_a_report_refuses_several_profiles_and_too_many_rows(database, monkeypatch):
    database.insert([stored_record(database, 20, "x.png", profile_name="Tile B")])
    with pytest.raises(HistoryError, match=r"2 profiles \(Tile A, Tile B\)"):
        history_report(database, HistoryFilter(), operator="x")
    with pytest.raises(HistoryError, match="no inspections match"):
        history_report(database, HistoryFilter(lot="nope"), operator="x")
    monkeypatch.setattr("radar_desktop.history.report_export.MAX_REPORT_ROWS", 3)
    with pytest.raises(HistoryError, match="at most 3"):
        history_report(database, HistoryFilter(profile_name="Tile A"), operator="x")
    assert MAX_REPORT_ROWS >= 1000


@needs_poppler
def test_the_pdf_of_history_rows_pictures_each_row(database, tmp_path):
    made = history_report(database, HistoryFilter(), operator="bob")
    files = ReportFiles(tmp_path / "lot42.pdf")
    pages = export_report(made.report, history_figures(database.files_dir, made.rows), files)
    text = subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert pages >= 3 and "gone_1.png" in text and "gone_6.png" in text and "lot L42" in text
    assert "could not be read" not in text.lower()  # every row had a picture: its thumbnail


@needs_poppler
def test_cli_history_export_writes_csv_and_pdf_of_scanned_images(tiny_profile, dataset, tmp_path, capsys):
    folder = scan_folder(dataset, tmp_path)
    assert main(["scan", "--profile", "tiny", "--input", str(folder), "--csv", str(tmp_path / "a.csv"),
                 "--lot", "L-7", "--device", "cpu"]) == 0
    pdf, table = tmp_path / "out" / "lot7.pdf", tmp_path / "out" / "lot7.csv"
    pdf.parent.mkdir()
    assert main(["history", "export", "--lot", "L-7", "--pdf", str(pdf), "--csv", str(table), "--filed-by", "Eve"]) == 0
    with table.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 13
    assert pdf.exists() and pdf.with_suffix(".json").exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Eve" in text and "tiny" in text
    assert "13 files" in capsys.readouterr().out
    assert main(["history", "export", "--lot", "L-7"]) == 2  # neither --csv nor --pdf
    assert main(["history", "export", "--lot", "nothing", "--pdf", str(tmp_path / "none.pdf")]) == 1
    assert not (tmp_path / "none.pdf").exists()
