"""Reports without Qt: the report model, CSV, and PDFs checked by content with poppler's tools."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest

from radar_desktop.core.cancel import CancelToken, Cancelled
from radar_desktop.core.regions import OutlineLevels
from radar_desktop.core.verdict import Thresholds
from radar_desktop.reports.entries import ReportEntry, entries_csv
from radar_desktop.reports.export import ReportFiles, export_report
from radar_desktop.reports.figures import make_figure
from radar_desktop.reports.pdf import PdfOptions, pictured_entries
from radar_desktop.reports.pdf_text import fit, pdf_text, wrap
from radar_desktop.reports.session import SessionInfo, build_report, summarize
from tests.poppler import needs_poppler
from tests.synthetic import scan_folder

THRESHOLDS = Thresholds(review=0.5, nok=0.8)
HASH = "0123456789abcdef" * 4


def _entries(count: int, seed: int = 0) -> list[ReportEntry]:
    """Entries with scores spread over all three verdicts, one unreadable file and awkward names."""
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(1, count + 1):
        score = float(rng.uniform(0.0, 1.0))
        name = {2: "Träger_中文.png", 3: "<b>bold<i> & co.png"}.get(i, f"part_{i:04d}.png")
        entries.append(ReportEntry(i, f"/parts/lot 7/{name}", "2026-11-30T10:00:00+01:00", score, THRESHOLDS.verdict(score).value))
    entries.append(ReportEntry(count + 1, "/parts/lot 7/broken.png", "2026-11-30T10:00:01+01:00", None, "ERROR", "not a readable image"))
    return entries


def _session(operator: str = "Jane Doe") -> SessionInfo:
    model = {"channels": 1, "image_size": 256, "resize_mode": "fit", "patch_size": 32, "stride": 32,
             "inference_t": 50, "num_train_timesteps": 1000}
    return SessionInfo(operator, "/parts/lot 7", "Bracket B", HASH, "features", "CPU", THRESHOLDS, model)


def _figure_for(entry: ReportEntry):
    """A distinct picture per entry: a gradient part with a bright defect whose place depends on the index."""
    y, x = np.mgrid[0:120, 0:160].astype(np.float32)
    image = (0.3 + 0.4 * x / 160)[:, :, None]
    anomaly = np.zeros((120, 160), np.float32)
    cy, cx = 20 + entry.index % 80, 20 + (entry.index * 7) % 120
    anomaly[cy - 8 : cy + 8, cx - 8 : cx + 8] = 1.0
    image[cy - 8 : cy + 8, cx - 8 : cx + 8] = 0.95
    return make_figure(image, anomaly, (0.0, 1.0), OutlineLevels.at(0.5))


def _text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [] if first is None else ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def test_pdf_text_escapes_what_the_standard_fonts_cannot_show():
    assert pdf_text("Träger_€.png") == "Träger_€.png"
    assert pdf_text("中.png") == "\\u4e2d.png"
    assert pdf_text("a\nb\x00") == "a\\u000ab\\u0000"
    assert pdf_text("🙂") == "\\U0001f642"


def test_fit_keeps_the_extension_and_wrap_keeps_every_word():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    name = "a_very_long_file_name_from_the_line_camera_0001234.png"
    short = fit(name, "Helvetica", 8, 100)
    assert short.endswith("1234.png") and "…" in short and stringWidth(short, "Helvetica", 8) <= 100
    assert fit("short.png", "Helvetica", 8, 100) == "short.png"
    sentence = "the quick brown fox jumps over the lazy dog " * 4
    lines = wrap(sentence.strip(), "Helvetica", 9, 120)
    assert len(lines) > 1 and all(stringWidth(line, "Helvetica", 9) <= 120 for line in lines)
    assert " ".join(lines).split() == sentence.split()


def test_summary_counts_verdicts_and_its_histogram_shows_both_thresholds():
    entries = _entries(40)
    summary = summarize(entries, THRESHOLDS)
    scored = [e.score for e in entries if e.score is not None]
    assert summary.counts == {v: sum(e.verdict == v for e in entries) for v in ("OK", "REVIEW", "NOK", "ERROR")}
    assert summary.counts["ERROR"] == 1 and summary.total == 41
    assert sum(summary.histogram_counts) == len(scored) == summary.statistics["images scored"]
    assert summary.histogram_edges[0] < min(min(scored), THRESHOLDS.review)
    assert summary.histogram_edges[-1] > max(max(scored), THRESHOLDS.nok)
    assert summary.statistics["median"] == pytest.approx(float(np.median(scored)))


def test_an_empty_session_is_refused():
    with pytest.raises(ValueError, match="nothing to report"):
        build_report(_session(), [])


def test_csv_round_trips_names_and_defuses_spreadsheet_formulas():
    entries = [
        ReportEntry(1, '/x/a "quoted", name.png', "t", -0.25, "OK", comment="=HYPERLINK(\"http://x\")"),
        ReportEntry(2, "/x/b.png", "t", None, "ERROR", message="+1 bad", comment="-rm"),
    ]
    rows = list(csv.DictReader(io.StringIO(entries_csv(entries))))
    assert rows[0]["name"] == 'a "quoted", name.png' and rows[0]["score"] == "-0.25"
    assert rows[0]["comment"].startswith("'=")
    assert rows[1]["message"] == "'+1 bad" and rows[1]["comment"] == "'-rm" and rows[1]["score"] == ""


@needs_poppler
def test_pdf_json_and_csv_say_the_same_thing(tmp_path):
    report = build_report(_session(), _entries(120))
    files = ReportFiles(tmp_path / "lot7.pdf", tmp_path / "lot7.csv")
    pages = export_report(report, _figure_for, files)

    pictured = len(pictured_entries(report, only_flagged=False))
    assert pictured == 120
    rows_per_page = 53  # A4: the table's fixed row height
    assert pages == 1 + math.ceil(121 / rows_per_page) + math.ceil(pictured / 3)
    info = _info(files.pdf)
    assert int(info["Pages"]) == pages and "A4" in info["Page size"]
    assert info["Title"] == f"Inspection report {report.report_id}"

    cover = _text(files.pdf, 1)
    counts = report.summary.counts
    for needle in ("Bracket B", HASH, report.report_id, "Jane Doe", "REVIEW when score > 0.5"):
        assert needle in cover
    for label, key in (("OK", "OK"), ("REVIEW", "REVIEW"), ("NOK", "NOK"), ("UNREADABLE", "ERROR")):
        assert f"{counts[key]}" in cover and label in cover
    text = _text(files.pdf)
    for entry in report.entries:
        assert pdf_text(entry.name) in text, entry.name
    assert "Tr\u00e4ger_\\u4e2d\\u6587.png" in text  # escaped, never boxes
    assert f"Page {pages} of {pages}" in _text(files.pdf, pages)

    sidecar = json.loads(files.json.read_text(encoding="utf-8"))
    assert sidecar["report_id"] == report.report_id and sidecar["pdf"]["pages"] == pages
    assert sidecar["session"]["profile_hash"] == HASH and sidecar["summary"]["counts"] == counts
    assert [e["name"] for e in sidecar["entries"]][:3] == ["part_0001.png", "Träger_中文.png", "<b>bold<i> & co.png"]
    with files.csv.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 121

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(files.pdf), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == 3
    import cv2

    for path in rendered:
        pixels = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        assert pixels.shape[0] > pixels.shape[1] and pixels.std() > 5  # portrait, and not blank


@needs_poppler
def test_only_flagged_pictures_fewer_pages_on_letter_paper(tmp_path):
    report = build_report(_session(), _entries(60))
    files = ReportFiles(tmp_path / "flagged.pdf")
    pages = export_report(report, _figure_for, files, PdfOptions(page_size="Letter", only_flagged=True))
    flagged = [e for e in report.entries if e.verdict in ("REVIEW", "NOK")]
    assert pages == 1 + math.ceil(61 / 49) + math.ceil(len(flagged) / 3)
    info = _info(files.pdf)
    assert int(info["Pages"]) == pages and "letter" in info["Page size"]
    pictures = _text(files.pdf, 2 + math.ceil(61 / 49), pages)
    for entry in report.entries:
        assert (pdf_text(entry.name) in pictures) == entry.flagged, entry.name
    assert not files.csv and not (tmp_path / "flagged.csv").exists()


@needs_poppler
def test_a_missing_picture_is_stated_not_fatal(tmp_path):
    report = build_report(_session(), _entries(4))
    files = ReportFiles(tmp_path / "r.pdf")
    export_report(report, lambda entry: None, files)
    assert "picture unavailable" in _text(files.pdf)


def test_cancelling_keeps_the_previous_file_and_leaves_no_temp(tmp_path):
    report = build_report(_session(), _entries(200))
    target = tmp_path / "r.pdf"
    target.write_bytes(b"%PDF- previous report")
    cancel = CancelToken()

    def progress(fraction: float, message: str) -> None:
        cancel.cancel()

    with pytest.raises(Cancelled):
        export_report(report, _figure_for, ReportFiles(target), cancel=cancel, progress=progress)
    assert target.read_bytes() == b"%PDF- previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]


@needs_poppler
def test_report_command_end_to_end(tiny_profile, dataset, tmp_path, capsys):
    from radar_desktop.app import main

    folder = scan_folder(dataset, tmp_path)
    out = tmp_path / "out"
    status = main(["report", "--profile", "tiny", "--input", str(folder), "--pdf", str(out / "lot.pdf"),
                   "--csv", str(out / "lot.csv"), "--only-flagged", "--operator", "Sam Smith"])
    assert status == 0
    sidecar = json.loads((out / "lot.json").read_text(encoding="utf-8"))
    assert sidecar["session"]["operator"] == "Sam Smith"
    assert sidecar["session"]["profile_hash"] == tiny_profile.content_hash
    files = sorted(p.name for p in folder.iterdir())
    assert sidecar["summary"]["counts"]["ERROR"] == 1 and sidecar["summary"]["total"] == len(files)
    flagged = [e["name"] for e in sidecar["entries"] if e["verdict"] in ("REVIEW", "NOK")]
    assert {name for name in files if "_defect_" in name} <= set(flagged)
    text = _text(out / "lot.pdf")
    assert tiny_profile.content_hash in text and "Sam Smith" in text and "zz_corrupt.png" in text
    for name in flagged:
        assert name in text
    assert int(_info(out / "lot.pdf")["Pages"]) == sidecar["pdf"]["pages"]
    assert f"report {sidecar['report_id']}: {len(files)} files" in capsys.readouterr().out


def test_report_command_checks_its_output_folder_before_scanning(tiny_profile, dataset, tmp_path, capsys):
    from radar_desktop.app import main

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output folder should be")
    status = main(["report", "--profile", "tiny", "--input", str(dataset / "test" / "good"),
                   "--pdf", str(blocker / "r.pdf")])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("radar-desktop report: error:") and "not_a_folder" in err


@pytest.mark.slow
def test_a_thousand_image_report_renders(tmp_path):
    report = build_report(_session(), _entries(1000))
    pages = export_report(report, _figure_for, ReportFiles(tmp_path / "big.pdf"))
    assert pages == 1 + math.ceil(1001 / 53) + math.ceil(1000 / 3)
    assert (tmp_path / "big.pdf").stat().st_size < 150 * 2**20
