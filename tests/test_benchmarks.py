"""The benchmarks run end to end on synthetic data and a tiny model (numbers are for benchmarks, not asserted here)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_accuracy_benchmark_reports_every_scorer_and_the_controls(dataset, tiny_config_file, tmp_path):
    out = tmp_path / "accuracy.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "accuracy.py"), str(dataset), "--steps", "20",
               "--config", str(tiny_config_file), "--device", "cpu", "--recon-limit", "4", "--selftest", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)  # a busy machine
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    rows = {row["scorer"]: row for row in report["rows"]}
    pixel = {"paper", "residual", "features", "segment", "pixels", "recon", "untrained"}
    encoder = {"encoder/fused", "encoder/radar", "encoder/residual", "encoder/features", "encoder/recon", "encoder/untrained"}
    assert set(rows) == pixel | encoder  # square images are squeezed: no two-scale map, so no pixel-scale row
    assert rows["recon"]["test_images"] == 4 and rows["features"]["test_images"] == 6  # the report half of 12
    assert rows["encoder/recon"]["test_images"] == 4 and rows["encoder/features"]["test_images"] == 6
    assert {row["half"] for row in rows.values()} == {"report"}
    assert {rows[name]["space"] for name in encoder} == {"encoder"}
    for row in rows.values():
        assert 0.0 <= row["image_auroc"] <= 1.0 and 0.0 <= row["pixel_auroc"] <= 1.0
        for cut in ("at_threshold", "at_review"):
            assert set(row[cut]) == {"threshold", "accuracy", "precision", "recall", "f1", "false_reject_rate"}
        assert row["at_review"]["threshold"] <= row["at_threshold"]["threshold"]
        assert row["train_steps"] == 20
    assert "img AUROC" in done.stdout
    for default in ("segment", "encoder/fused"):  # each space's default: the camera check beside the promise
        check = rows[default]["camera_check"]
        assert set(check) == {"as stored", "JPEG 75", "blur 1 px"} and all(0 <= v <= 1 for pair in check.values() for v in pair)
        assert len(rows[default]["camera_scores"]["JPEG 75"]) == 3  # the report half's good test images
    assert "(promised at most 0.01 / 0.05): as stored" in done.stdout
    assert "pixel AUROC of fused by defect kind: " in done.stdout and "pixel AUROC of segment by defect kind: " in done.stdout
    assert all(0 <= v <= 1 for row in rows.values() for v in row["pixel_auroc_by_defect"].values())
    assert rows["encoder/fused"]["pixel_auroc_by_defect"]  # the synthetic defects are marked in their masks
    for default in ("segment", "encoder/fused"):  # the app's self-test on the held-back images, at NOK
        record = rows[default]["selftest"]
        assert set(record["fits"]) == {"disc_dark", "disc_bright", "stroke_dark", "stroke_bright"}
        assert record["images"] >= 2 and record["nok"] == rows[default]["at_threshold"]["threshold"]
    assert done.stdout.count("self-test of ") == 2 and "stroke_dark" in done.stdout
    assert report["camera_variation"] == ["shift", "blur", "light", "noise", "jpeg"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "options", "expected"),
    [
        ("speed.py", ["--sizes", "64", "--repeats", "2", "--recon-repeats", "1", "--batch", "2", "--long", "64x160",
                      "--min-defects", "8"], "rows"),
        ("speed_steps.py", ["--rounds", "1"], "results"),
    ],
)
def test_speed_benchmarks_run_on_a_tiny_model(script, options, expected, tiny_config_file, tmp_path):
    out = tmp_path / "speed.json"
    command = [sys.executable, str(ROOT / "benchmarks" / script), *options, "--config", str(tiny_config_file),
               "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)  # a busy machine
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    rows = report[expected]
    assert rows and all(row["median_ms"] > 0 for row in rows)
    if script == "speed.py":
        assert {row["method"] for row in rows} >= {"encoder: single-step (fused)", "encoder: single-step (radar)",
                                                   "encoder: single-step (features)", "encoder: recon, 10 DDIM steps",
                                                   "pixel: single-step (segment)", "pixel: recon, 10 DDIM steps"}
        assert set(report["ratios"]) == {"64x64: encoder: recon, 10 DDIM steps / encoder: single-step (fused)",
                                         "64x64: pixel: recon, 10 DDIM steps / pixel: single-step (segment)",
                                         "64x64: pixel: recon, 50 DDIM steps / pixel: single-step (segment)"}
        long_part = {row["resolution"]: row["tiles"] for row in report["long_part"]}
        # squeezed; the aspect kept (64 px high seen 256 high: 256 x 640 in 3 tiles); 8 px defects at 1.6 x
        assert long_part == {"squeezed to one square (before)": 1, "aspect kept": 3, "min defect 8 px": 1}
    else:
        assert {row["scorer"] for row in rows} == {"features", "segment"}
        assert {row["image"] for row in rows} == {"square", "2:1"}


def test_elpv_layout_splits_each_cell_type_into_an_mvtec_folder(tmp_path):
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    rows = [(f"cell{i:04d}.png", p, kind) for i, (p, kind) in enumerate(
        [(0.0, "mono")] * 10 + [(1.0, "mono"), (2 / 3, "mono"), (1 / 3, "mono"), (0.0, "poly"), (1.0, "poly")])]
    for name, _, _ in rows:
        (data / "images" / name).write_bytes(b"png")
    (data / "labels.csv").write_text("".join(f"images/{n}  {p}  {k}\n" for n, p, k in rows))
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "elpv_layout.py"), str(data), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    mono = tmp_path / "out" / "mono"
    counts = {folder: len(list((mono / folder).iterdir())) for folder in ("train/good", "test/good", "test/defective")}
    assert counts == {"train/good": 8, "test/good": 2, "test/defective": 2}  # 1/3 ("probably fine") is left out
    assert (mono / "test" / "good" / "cell0000.png").read_bytes() == b"png"
    assert sorted(p.name for p in (tmp_path / "out" / "poly" / "test" / "defective").iterdir()) == ["cell0014.png"]


@pytest.mark.slow
def test_outlines_benchmark_counts_regions_on_good_and_flagged_images(encoder_profile, isolated_home, dataset, tmp_path):
    import os

    out = tmp_path / "outlines.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "outlines.py"), str(dataset), "--profile",
               encoder_profile.name, "--half", "all", "--share", "0", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path,
                          env={**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home)})
    assert done.returncode == 0, done.stderr
    row = json.loads(out.read_text())
    assert row["good_images"] == 6 and row["defects_flagged"] >= 1
    assert len(row["outline"]) == 2  # --share 0: the profile's own levels, regions not cut at a share of their peak
    # the app outlines flagged images only: what good images show is a part of what they would show
    assert row["good_regions_shown_per_image"] <= row["good_regions_if_all_outlined_per_image"]
    assert row["defects_with_region"] >= row["defects_exactly_one"] and 0.0 <= row["pixel_recall"] <= 1.0
    assert "flagged defects" in done.stdout


@pytest.mark.slow
def test_history_benchmark_times_inserts_and_filtered_pages(tmp_path):
    out = tmp_path / "history.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "history.py"), "--sizes", "1000", "--writer-rows", "200",
               "--durability-rows", "200", "--repeats", "2", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=tmp_path)  # a busy machine
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    (row,) = report["rows"]
    assert row["rows"] == 1000 and row["writer_rows_per_s"] > 0 and row["bulk_rows_per_s"] > 0
    assert row["queries"]["profile + REVIEW/NOK + 3 months"]["median_ms"] > 0
    assert row["queries"]["count, no filter"]["rows"] == 1200  # the filled rows and the writer's
    assert set(report["durability"]) == {"FULL", "NORMAL"} and "name substring, rare" in done.stdout


def test_paired_auroc_tells_a_separating_scorer_from_a_random_one(tmp_path):
    rng = np.random.default_rng(0)
    names = [f"good/{i}.png" for i in range(30)] + [f"crack/{i}.png" for i in range(30)]
    separating = {n: float(i) for i, n in enumerate(names)}  # every defect above every good image
    random = {n: float(v) for n, v in zip(names, rng.normal(size=len(names)))}
    run = tmp_path / "accuracy.json"
    run.write_text(json.dumps({"rows": [{"scorer": "a", "test_scores": separating}, {"scorer": "b", "test_scores": random}]}))
    command = [sys.executable, str(ROOT / "benchmarks" / "paired_auroc.py"), str(run), "a", "b", "--resamples", "200"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    difference, low = (float(v) for v in re.search(r"AUROC ([+-][\d.]+), 95% interval \[([+-][\d.]+),", done.stdout).groups())
    assert difference > 0.2 and low > 0.0 and "30 good, 30 defective" in done.stdout
