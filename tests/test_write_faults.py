"""A full disk or a read-only folder: a clear error, nothing already there damaged, no result lost."""

from __future__ import annotations

import csv
import shutil

import pytest

from radar_desktop.app import main
from radar_desktop.core.atomic import WriteError, write_bytes_atomic, write_text_atomic
from tests.disks import fill, read_only_folder, small_disk
from tests.synthetic import scan_folder


def test_a_full_disk_keeps_the_previous_file_and_says_so(tmp_path):
    with small_disk(tmp_path / "disk", 256) as disk:
        target = disk / "results.csv"
        target.write_text("previous results")
        fill(disk)
        with pytest.raises(WriteError, match=r"cannot save .*results\.csv: the disk is full; nothing there was changed"):
            write_bytes_atomic(target, b"x" * 200_000)
        assert target.read_text() == "previous results"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "results.csv"]  # no temp file left


def test_a_read_only_folder_is_named_in_the_error(tmp_path):
    with read_only_folder(tmp_path / "locked") as locked:
        with pytest.raises(WriteError, match=r"cannot save .*report\.json: .*read-only"):
            write_text_atomic(locked / "report.json", "{}")
        assert list(locked.iterdir()) == []


def test_scan_refuses_a_read_only_output_before_inspecting_anything(tiny_profile, tmp_path, capsys):
    with read_only_folder(tmp_path / "locked") as locked:
        status = main(["scan", "--profile", "tiny", "--input", str(tmp_path), "--csv", str(locked / "out.csv"), "--device", "cpu"])
    assert status == 1
    error = capsys.readouterr().err
    assert "cannot save" in error and "out.csv" in error and "read-only" in error


def test_report_refuses_a_read_only_output_before_inspecting_anything(tiny_profile, tmp_path, capsys):
    with read_only_folder(tmp_path / "locked") as locked:
        status = main(["report", "--profile", "tiny", "--input", str(tmp_path), "--pdf", str(locked / "lot.pdf"), "--device", "cpu"])
    assert status == 1
    assert "lot.pdf: " in capsys.readouterr().err


def test_a_disk_that_fills_during_a_scan_loses_no_result(tiny_profile, dataset, tmp_path, capsys, isolated_home):
    images = scan_folder(dataset, tmp_path)
    with small_disk(tmp_path / "disk", 256) as disk:
        fill(disk)  # an empty file still fits, so the check before the scan passes, as on a disk filled meanwhile
        status = main(["scan", "--profile", "tiny", "--input", str(images), "--csv", str(disk / "out.csv"), "--device", "cpu"])
        assert not (disk / "out.csv").exists()
    error = capsys.readouterr().err
    assert status == 1 and "the disk is full" in error
    rescued = sorted((isolated_home / "unsaved").glob("*-out.csv"))
    assert len(rescued) == 1 and f"saved instead to {rescued[0]}" in error
    with rescued[0].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == sorted(p.name for p in images.iterdir())
    assert sum(r["verdict"] in ("OK", "REVIEW", "NOK") for r in rows) == len(rows) - 1  # all but the corrupt file


def test_saving_a_profile_on_a_full_disk_keeps_the_previous_one(tiny_profile, tmp_path, monkeypatch, torch_threads):
    from radar_desktop.profiles.profile import load_verified, save_profile
    from radar_desktop.profiles.store import list_profiles, open_profile

    with small_disk(tmp_path / "home", 3000) as home:  # room for one tiny profile (~2 MB), not two
        shutil.copytree(tiny_profile.folder, home / "profiles" / "tiny")
        monkeypatch.setenv("RADAR_DESKTOP_HOME", str(home))
        before = open_profile("tiny")
        model = before.load_model(torch_threads.device("cpu"))
        before.notes = "retrained"
        with pytest.raises(WriteError, match=r"cannot save .*tiny: the disk is full"):
            save_profile(before, model, {n: before.load_scorer(n) for n in before.scorers}, before.folder)
        good, broken = list_profiles()
        assert [p.name for p in good] == ["tiny"] and broken == []
        assert load_verified(home / "profiles" / "tiny").notes == tiny_profile.notes
        assert sorted(p.name for p in (home / "profiles").iterdir()) == ["tiny"]  # the staging folder is gone
