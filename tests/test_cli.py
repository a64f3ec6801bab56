"""The command line, end to end, as a script would use it."""

import csv
import json
import subprocess
import sys

import pytest

from radar_desktop import __version__
from radar_desktop.app import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"radar-desktop {__version__}"


@pytest.mark.slow
def test_train_scan_evaluate_end_to_end(dataset, tiny_config_file, tmp_path, capsys, torch_threads):
    status = main(
        ["train", "--images", str(dataset / "train" / "good"), "--name", "Tile A", "--steps", "150",
         "--config", str(tiny_config_file), "--batch-size", "32", "--device", "cpu", "--camera-variation", "jpeg,blur"]
    )
    assert status == 0
    assert "profile 'Tile A' saved: 150 steps" in capsys.readouterr().out
    from radar_desktop.profiles.store import open_profile

    assert open_profile("Tile A").training["camera_variation"] == {
        "parts": ["jpeg", "blur"], "training_renderings": 2, "calibration_renderings": 2}
    assert main(["train", "--images", str(dataset / "train" / "good"), "--name", "x", "--camera-variation", "focus"]) == 1
    assert "unknown camera variation focus; choose from shift, blur, light, noise, jpeg" in capsys.readouterr().err

    scan_dir = tmp_path / "scan"
    scan_dir.mkdir()
    for folder in ("good", "defect"):
        for path in (dataset / "test" / folder).iterdir():
            (scan_dir / f"{folder}_{path.name}").write_bytes(path.read_bytes())
    (scan_dir / "corrupt.png").write_bytes(b"\x89PNG broken")
    out_csv, maps = tmp_path / "out.csv", tmp_path / "maps"
    assert main(["scan", "--profile", "Tile A", "--input", str(scan_dir), "--csv", str(out_csv), "--maps", str(maps)]) == 0
    with out_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["index", "name", "path", "inspected_at", "score", "verdict", "message", "comment", "milliseconds",
                             "regions", "largest_area", "area_unit", "largest_length", "length_unit", "region_list", "rule",
                             "review", "score_parts"]
    assert len(rows) == 13
    broken = [r for r in rows if r["name"] == "corrupt.png"]
    assert broken[0]["verdict"] == "ERROR" and "not a readable image" in broken[0]["message"]
    scored = [r for r in rows if r["verdict"] != "ERROR"]
    good = [float(r["score"]) for r in scored if "good_" in r["path"]]
    bad = [float(r["score"]) for r in scored if "defect_" in r["path"]]
    assert min(bad) > max(good)
    assert all(r["verdict"] == "NOK" for r in scored if "defect_" in r["path"])
    # each NOK row lists its measured regions, in pixels since the profile has no scale
    assert all(int(r["regions"]) >= 1 and r["area_unit"] == "px²" for r in scored if r["verdict"] == "NOK")
    assert all(r["regions"] == "0" and r["largest_area"] == "" for r in scored if r["verdict"] == "OK")
    assert len(list(maps.glob("*_heatmap.png"))) == 12

    out_json = tmp_path / "eval.json"
    assert main(["evaluate", "--profile", "Tile A", "--dataset", str(dataset), "--json", str(out_json), "--scorer", "all"]) == 0
    report = json.loads(out_json.read_text())
    assert set(report["scorers"]) == {"paper", "residual", "features", "segment", "recon"}
    assert report["images"] == 12 and report["anomalous"] == 6
    assert report["scorers"]["features"]["image_auroc"] == 1.0
    assert report["scorers"]["paper"]["description"].startswith("paper-faithful")
    for metrics in report["scorers"].values():
        for cut in ("at_threshold", "at_review"):
            assert set(metrics[cut]) == {"threshold", "accuracy", "precision", "recall", "f1", "false_reject_rate"}
    assert "img AUROC" in capsys.readouterr().out


@pytest.mark.slow
def test_train_in_the_encoder_space_by_default_and_report_it(dataset, tmp_path, capsys, torch_threads):
    from radar_desktop.engine.models.encoder import WEIGHTS_SHA256

    assert main(["train", "--images", str(dataset / "train" / "good"), "--name", "Encoded", "--steps", "40",
                 "--image-size", "64", "--batch-size", "8", "--device", "cpu", "--held-back", str(dataset / "test" / "good")]) == 0
    trained = capsys.readouterr().out
    assert "scorer fused (memory bank + RADAR step)" in trained
    assert "NOK: at most 1.0 % of good parts promised" in trained and "6 images cannot show 1.0 %" in trained
    assert main(["profiles", "show", "Encoded"]) == 0
    shown = capsys.readouterr().out
    assert "encoder: efficientnet-lite0 blocks 4, 10" in shown and WEIGHTS_SHA256 in shown
    assert "16 for training, 6 held back" in shown and "promise       REVIEW: at most 5.0 % of good parts" in shown
    out_json = tmp_path / "eval.json"
    assert main(["evaluate", "--profile", "Encoded", "--dataset", str(dataset), "--json", str(out_json), "--scorer", "all"]) == 0
    report = json.loads(out_json.read_text())
    assert set(report["scorers"]) == {"fused", "radar", "features", "residual", "recon"}
    assert report["scorers"]["fused"]["made_of"] == ["memory bank", "RADAR step"]
    assert report["scorers"]["fused"]["image_auroc"] >= 0.9 and report["scorers"]["features"]["image_auroc"] >= 0.9
    assert "fused: memory bank + RADAR single step" in capsys.readouterr().out
    pdf = tmp_path / "report.pdf"
    assert main(["report", "--profile", "Encoded", "--input", str(dataset / "test" / "defect"), "--pdf", str(pdf)]) == 0
    sidecar = json.loads(pdf.with_suffix(".json").read_text())
    assert sidecar["session"]["model"]["encoder_weights_sha256"] == WEIGHTS_SHA256
    assert sidecar["session"]["scorer_parts"] == ["memory bank", "RADAR step"] and sidecar["session"]["read_scale"]
    assert sidecar["session"]["promise"][0].startswith("NOK: at most 1.0 % of good parts promised; ")
    assert all(set(entry["parts"]) == {"memory bank", "RADAR step"} for entry in sidecar["entries"])


def test_errors_are_one_line_on_stderr_with_a_nonzero_exit(tmp_path, capsys):
    assert main(["scan", "--profile", "missing", "--input", str(tmp_path), "--csv", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["radar-desktop scan: error: no profile named 'missing' (profiles: none)"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["train", "--images", str(empty), "--name", "x", "--steps", "1"]) == 1
    assert "holds no images" in capsys.readouterr().err


def test_too_few_good_images_are_refused(tmp_path, capsys):
    from tests.synthetic import make_dataset

    data = make_dataset(tmp_path / "d", train=3, test_good=0, test_bad=0)
    assert main(["train", "--images", str(data / "train" / "good"), "--name", "x", "--steps", "1"]) == 1
    assert "at least 4 good images" in capsys.readouterr().err


def test_entry_point_runs_as_a_program():
    done = subprocess.run([sys.executable, "-m", "radar_desktop.app", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("train", "scan", "evaluate"):
        assert command in done.stdout


@pytest.mark.slow
def test_ctrl_c_keeps_a_checkpoint_and_the_same_command_resumes(dataset, tiny_config_file, isolated_home):
    import os
    import signal

    command = [sys.executable, "-m", "radar_desktop.app", "train", "--images", str(dataset / "train" / "good"),
               "--name", "resumable", "--config", str(tiny_config_file), "--batch-size", "8", "--device", "cpu"]
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home)}
    first = subprocess.Popen([*command, "--minutes", "5"], env=env, stderr=subprocess.PIPE, text=True)
    assert "held back for calibration" in first.stderr.readline()  # training has started
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    assert "run the same command again to resume" in err
    assert (isolated_home / "checkpoints" / "resumable" / "state.json").is_file()

    second = subprocess.run([*command, "--steps", "400"], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "resumed training from step" in second.stderr
    assert not (isolated_home / "checkpoints" / "resumable").exists()  # discarded once the profile is saved


def test_colour_option_trains_a_three_channel_profile(dataset, tiny_config_file, capsys, torch_threads):
    from radar_desktop.profiles.store import open_profile

    assert main(["train", "--images", str(dataset / "train" / "good"), "--name", "rgb", "--steps", "3",
                 "--config", str(tiny_config_file), "--color", "--batch-size", "4", "--device", "cpu"]) == 0
    model = open_profile("rgb").load_model(torch_threads.device("cpu"))
    assert model.config.channels == 3 and model.unet.config.in_channels == 3
