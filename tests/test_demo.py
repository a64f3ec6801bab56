"""The shipped demo: sample images made by the repo's script, a demo profile that works, first-launch install."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from radar_desktop.core.resources import DEMO_PROFILE, bundle_root, demo_profile_folder, samples_folder
from radar_desktop.profiles.demo import install_demo_if_empty
from radar_desktop.profiles.profile import load_verified
from radar_desktop.profiles.profile import ProfileError
from radar_desktop.profiles.store import list_profiles
from radar_desktop.sources.images import list_images, read_image


def load_generator():
    path = bundle_root() / "packaging" / "demo" / "make_images.py"
    spec = importlib.util.spec_from_file_location("make_images", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_samples_are_what_the_script_draws(tmp_path):
    load_generator().write_images(None, tmp_path)
    drawn = sorted(p.name for p in tmp_path.iterdir())
    shipped = sorted(p.name for p in samples_folder().iterdir())
    assert drawn == shipped and len(shipped) == 12
    for name in shipped:
        ours = cv2.imread(str(tmp_path / name), cv2.IMREAD_UNCHANGED).astype(int)
        theirs = cv2.imread(str(samples_folder() / name), cv2.IMREAD_UNCHANGED).astype(int)
        assert ours.shape == theirs.shape == (256, 256)
        # other CPUs may round a float differently: allow one grey level, and rarely
        assert np.abs(ours - theirs).max() <= 1 and (ours != theirs).mean() < 0.01, name


def test_samples_are_small_and_the_demo_profile_is_a_few_megabytes():
    assert sum(p.stat().st_size for p in samples_folder().iterdir()) < 1_000_000
    assert sum(p.stat().st_size for p in demo_profile_folder().rglob("*") if p.is_file()) < 8_000_000


def test_demo_profile_passes_good_samples_and_flags_every_defect(torch_threads):
    from radar_desktop.engine.jobs.inspection import Inspector

    profile = load_verified(demo_profile_folder())
    assert profile.name == DEMO_PROFILE
    model = profile.load_model(torch_threads.device("cpu"))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds())
    paths = list_images(samples_folder())
    results = inspector.inspect([read_image(p, model.config.channels) for p in paths], [str(p) for p in paths])
    verdicts = {p.stem: r.verdict.value for p, r in zip(paths, results)}
    assert all(v == "OK" for name, v in verdicts.items() if name.endswith("good")), verdicts
    assert all(v == "NOK" for name, v in verdicts.items() if not name.endswith("good")), verdicts


def test_demo_outlines_one_region_on_each_defect_and_none_on_good_samples_or_at_the_borders(torch_threads):
    from radar_desktop.engine.jobs.inspection import Inspector

    profile = load_verified(demo_profile_folder())
    model = profile.load_model(torch_threads.device("cpu"))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds(), plan=profile.inspection_plan())
    paths = list_images(samples_folder())
    results = inspector.inspect([read_image(p, model.config.channels) for p in paths], [str(p) for p in paths])
    outlined = {p.stem: r.regions for p, r in zip(paths, results)}
    assert all(not regions for name, regions in outlined.items() if name.endswith("good")), outlined
    defects = {name: regions for name, regions in outlined.items() if not name.endswith("good")}
    assert all(len(regions) == 1 for regions in defects.values()), defects
    # the glow the encoder's padding leaves along the edges is no longer outlined: each region sits inside
    assert all(16 < r.centre[0] < 240 and 16 < r.centre[1] < 240 for (r,) in defects.values()), defects


def test_first_launch_installs_the_demo_once_and_verified(isolated_home):
    installed = install_demo_if_empty()
    assert installed is not None and installed.name == DEMO_PROFILE
    assert installed.content_hash == load_verified(demo_profile_folder()).content_hash
    assert [p.name for p in list_profiles()[0]] == [DEMO_PROFILE]
    assert install_demo_if_empty() is None  # the store is no longer empty
    assert [p.name for p in (isolated_home / "profiles").iterdir()] == [DEMO_PROFILE]  # no staging left


def test_a_store_with_only_a_broken_profile_is_left_alone(isolated_home):
    broken = isolated_home / "profiles" / "Line 3"
    broken.mkdir(parents=True)
    (broken / "profile.json").write_text("{ not json")
    assert install_demo_if_empty() is None
    assert (broken / "profile.json").read_text() == "{ not json"
    assert [b.name for b in list_profiles()[1]] == ["Line 3"]


def test_an_altered_demo_is_refused_and_nothing_is_installed(isolated_home, tmp_path):
    copy = tmp_path / DEMO_PROFILE
    shutil.copytree(demo_profile_folder(), copy)
    weights = next((copy / "model").rglob("*.safetensors"))
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ProfileError, match="content hash"):
        install_demo_if_empty(copy)
    assert not (isolated_home / "profiles").exists() or not any((isolated_home / "profiles").iterdir())


def test_smoke_test_prints_the_verdict_of_a_bundled_defect_sample(capsys):
    from radar_desktop import cli

    assert cli.smoke_test("cpu") == 0
    out = capsys.readouterr().out
    assert "smoke test: 05_scratch.png -> NOK" in out and DEMO_PROFILE in out


def test_smoke_test_fails_with_a_message_when_the_samples_are_missing(monkeypatch, tmp_path, capsys):
    from radar_desktop import cli
    from radar_desktop.core import resources

    fake_root = tmp_path / "bundle"
    shutil.copytree(demo_profile_folder(), fake_root / "models" / DEMO_PROFILE)
    monkeypatch.setattr(sys, "_MEIPASS", str(fake_root), raising=False)  # as a frozen bundle without samples
    assert resources.bundle_root() == fake_root
    assert cli.smoke_test("cpu") == 1
    assert "smoke test failed:" in capsys.readouterr().err


@pytest.mark.gui
def test_smoke_test_flag_also_loads_the_window_modules(capsys):
    from radar_desktop.app import main

    assert main(["--smoke-test", "--device", "cpu"]) == 0
    assert "window modules load" in capsys.readouterr().out


def test_bundle_root_is_the_source_tree_when_not_frozen():
    assert (bundle_root() / "pyproject.toml").is_file()
    assert Path(demo_profile_folder(), "profile.json").is_file()


def test_demo_good_samples_stay_ok_and_defects_nok_through_a_webcam_stream_jpeg_and_a_soft_focus(torch_threads, tmp_path):
    """As a camera delivers them: JPEG quality 75, an MJPG video (a USB webcam's stream), a 1-px Gaussian blur."""
    from radar_desktop.engine.jobs.inspection import Inspector

    profile = load_verified(demo_profile_folder())
    model = profile.load_model(torch_threads.device("cpu"))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds())
    paths = list_images(samples_folder())
    stored = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in paths]

    def jpeg(image):
        return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 75])[1], cv2.IMREAD_GRAYSCALE)

    video = tmp_path / "line.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (256, 256))
    for image in stored:
        writer.write(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    writer.release()
    capture, streamed = cv2.VideoCapture(str(video)), []
    while (frame := capture.read()[1]) is not None:
        streamed.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    capture.release()
    assert len(streamed) == len(stored)
    renderings = {"JPEG 75": [jpeg(i) for i in stored], "MJPG": streamed,
                  "blur 1 px": [cv2.GaussianBlur(i, (0, 0), 1.0) for i in stored]}
    for name, images in renderings.items():
        results = inspector.inspect([i.astype(np.float32)[:, :, None] / 255.0 for i in images], [str(p) for p in paths])
        verdicts = {p.stem: r.verdict.value for p, r in zip(paths, results)}
        assert all(v == "OK" for n, v in verdicts.items() if n.endswith("good")), (name, verdicts)
        assert all(v == "NOK" for n, v in verdicts.items() if not n.endswith("good")), (name, verdicts)
