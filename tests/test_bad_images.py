"""Bad and odd image files through every layer without Qt: reading, listing, scanning, the CSV and the PDF report.

The corpus comes from :mod:`tests.bad_images`. Run as root, where permission bits do not stop reads, the unreadable
file and folder are simulated: ``deny_unreadable`` makes reading them raise PermissionError.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from radar_desktop.sources.images import MAX_IMAGE_PIXELS, ImageReadError, list_images, read_image, to_float
from tests.bad_images import UNREADABLE, deny_unreadable, fuzz_seeds, mutate, write_corpus
from tests.poppler import needs_poppler



@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """The corpus folder and its cases (in scan order); unreadable files refuse reads even for root."""
    folder = tmp_path / "corpus"
    cases = write_corpus(folder)
    deny_unreadable(monkeypatch)
    return folder, cases


def _inspector(profile, torch_threads):
    from radar_desktop.engine.jobs.inspection import Inspector

    return Inspector(profile.load_model(torch_threads.device("cpu")), profile.load_scorer(), profile.thresholds())


def _kind(message: str) -> str:
    """A refusal's reason without its particulars (sizes, details in brackets)."""
    return "over the pixel limit" if "the limit is" in message else message.split(" (")[0]


def test_every_case_is_refused_with_its_message_or_read_with_its_values(corpus):
    folder, cases = corpus
    wrong = []
    for case in cases:
        label = f"{case.name} ({case.what})"
        channels = 1 if case.expected is None else case.expected.shape[2]
        try:
            image = read_image(folder / case.name, channels)
        except ImageReadError as error:
            if case.error is None or case.error not in str(error):
                wrong.append(f"{label}: refused with {str(error)!r}, expected {case.error or 'an image'}")
            continue
        if case.error is not None:
            wrong.append(f"{label}: read, expected {case.error!r}")
        elif image.shape != case.expected.shape or image.dtype != np.float32:
            wrong.append(f"{label}: {image.shape} {image.dtype}, expected {case.expected.shape} float32")
        elif not case.shape_only and not np.allclose(image, case.expected, atol=case.atol):
            wrong.append(f"{label}: values {image.ravel()[:8]}, expected {case.expected.ravel()[:8]}")
    assert not wrong, "\n".join(wrong)


def test_memory_bombs_are_refused_from_the_header_without_decoding(corpus, monkeypatch):
    import cv2

    folder, cases = corpus
    monkeypatch.setattr(cv2, "imdecode", lambda *args: pytest.fail("decoding was attempted"))
    for case in cases:
        if case.name.startswith(("huge_declared", "just_over_limit")):
            with pytest.raises(ImageReadError, match=f"the limit is {MAX_IMAGE_PIXELS // 1_000_000} MP"):
                read_image(folder / case.name, 1)
    with pytest.raises(ImageReadError, match=UNREADABLE):  # OpenCV would allocate the 4 GB the chunk claims
        read_image(folder / "chunk_length_bomb.png", 1)


def test_all_nan_or_infinite_pixels_are_refused_and_others_mapped():
    with pytest.raises(ImageReadError, match="no valid pixel values"):
        to_float(np.array([[np.nan, np.inf], [-np.inf, np.nan]], np.float32), 1)
    extreme = np.array([[-1.7e308, 0.0], [1.7e308, np.nan]])  # its span overflows float64
    assert to_float(extreme, 1)[:, :, 0].tolist() == [[0.0, 0.5], [1.0, 0.0]]
    assert to_float(np.full((2, 2), 7, np.int32), 1).max() == 0.0  # constant, of unknown range
    with pytest.raises(ImageReadError, match="1 to 4 channels"):
        to_float(np.zeros((2, 2, 5), np.uint8), 1)


def test_list_images_lists_every_file_and_skips_folders_and_links_to_folders(corpus):
    folder, cases = corpus
    assert [p.name for p in list_images(folder)] == [case.name for case in cases]
    looped = list_images(folder / "folder_loop")  # a folder symlink to itself: listed once, never walked into
    assert [p.name for p in looped] == [case.name for case in cases]
    with pytest.raises(ImageReadError, match="a broken link or a link loop"):
        list_images(folder / "loop_a.png")


def test_list_images_reports_an_unreadable_folder(tmp_path, monkeypatch):
    """As root the folder is readable anyway: ``deny_unreadable`` simulates the PermissionError."""
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.png").write_bytes(b"x")
    locked.chmod(0)
    deny_unreadable(monkeypatch)
    try:
        with pytest.raises(ImageReadError, match="cannot open the folder"):
            list_images(locked)
    finally:
        locked.chmod(0o755)


def test_scan_gives_each_file_one_outcome_in_order(corpus, tiny_profile, torch_threads):
    from radar_desktop.engine.jobs.scan import scan_files

    folder, cases = corpus
    outcomes = list(scan_files(_inspector(tiny_profile, torch_threads), list_images(folder), batch_size=4))
    assert [Path(o.path).name for o in outcomes] == [case.name for case in cases]
    for case, outcome in zip(cases, outcomes):
        if case.error is None:
            assert outcome.error is None and np.isfinite(outcome.result.score) and outcome.thumbnail is not None, case.name
        else:
            assert outcome.result is None and case.error in outcome.error, (case.name, outcome.error)


@needs_poppler
def test_csv_and_pdf_report_name_every_bad_file_with_its_message(corpus, tiny_profile, tmp_path):
    from radar_desktop.app import main
    from radar_desktop.reports.pdf_text import pdf_text

    folder, cases = corpus
    out = tmp_path / "out"
    assert main(["scan", "--profile", "tiny", "--input", str(folder), "--csv", str(out / "scan.csv"), "--device", "cpu"]) == 0
    assert main(["report", "--profile", "tiny", "--input", str(folder), "--pdf", str(out / "lot.pdf"),
                 "--csv", str(out / "report.csv"), "--device", "cpu"]) == 0
    for table in ("scan.csv", "report.csv"):
        with (out / table).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [row["name"] for row in rows] == [case.name for case in cases]
        for case, row in zip(cases, rows):
            if case.error is None:
                assert row["verdict"] in ("OK", "REVIEW", "NOK") and np.isfinite(float(row["score"])), row
            else:
                assert row["verdict"] == "ERROR" and case.error in row["message"], row
    sidecar = json.loads((out / "lot.json").read_text(encoding="utf-8"))
    assert [(e["name"], e["message"]) for e in sidecar["entries"] if e["verdict"] == "ERROR"] == [
        (row["name"], row["message"]) for row in rows if row["verdict"] == "ERROR"
    ]
    text = subprocess.run(["pdftotext", str(out / "lot.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    for entry in sidecar["entries"]:
        # the results table fits a long name by keeping its end, and cuts a long message short
        assert pdf_text(entry["name"])[-12:] in text, entry["name"]
        if entry["verdict"] == "ERROR":
            assert pdf_text(entry["message"])[:24] in text, entry["message"]


def test_fuzzed_images_never_crash_scan(tmp_path, tiny_profile, torch_threads):
    """1,024 mutants (bit flips, byte runs, truncation, header fields, repeated chunks) of 16 small valid files."""
    from radar_desktop.engine.jobs.scan import scan_files

    rng = np.random.default_rng(2024)
    seeds = fuzz_seeds()
    paths, mutations = [], Counter()
    for i in range(1024):
        name = list(seeds)[i % len(seeds)]
        data, how = mutate(seeds[name], rng)
        paths.append(tmp_path / f"{i:04d}_{how}_{name}")
        paths[-1].write_bytes(data)
        mutations.update(how.split("+"))
    began = time.perf_counter()
    outcomes = list(scan_files(_inspector(tiny_profile, torch_threads), paths, batch_size=32))
    seconds = time.perf_counter() - began
    assert [o.path for o in outcomes] == [str(p) for p in paths]
    decoded = [o for o in outcomes if o.result is not None]
    assert all(o.error is None and np.isfinite(o.result.score) for o in decoded)
    refused = Counter(_kind(o.error) for o in outcomes if o.result is None and o.error)
    assert len(decoded) + sum(refused.values()) == len(paths)
    by_format = Counter(Path(o.path).suffix for o in decoded)
    print(f"\nfuzz: {len(paths)} mutants in {seconds:.1f} s: {len(decoded)} decoded {dict(by_format)}, "
          f"{sum(refused.values())} refused {dict(refused)}; mutations {dict(mutations)}")
    assert len(decoded) > 100 and sum(refused.values()) > 100  # both paths are exercised


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux lets a file name be any bytes")
def test_a_file_name_that_is_not_utf8_reaches_the_csv(tmp_path):
    from radar_desktop.core.records import ScanOutcome
    from radar_desktop.reports.entries import entry_from_outcome, write_entries_csv

    folder = tmp_path / "names"
    folder.mkdir()
    (folder / os.fsdecode(b"teil_\xe9\xff.png")).write_bytes(b"not an image")
    [path] = list_images(folder)
    with pytest.raises(ImageReadError, match=UNREADABLE) as refused:
        read_image(path, 1)
    write_entries_csv([entry_from_outcome(1, ScanOutcome(str(path), None, str(refused.value), 0.0))], tmp_path / "o.csv")
    written = (tmp_path / "o.csv").read_text(encoding="utf-8")  # valid UTF-8, the odd bytes escaped
    assert "teil_\\udce9\\udcff.png" in written and UNREADABLE in written
