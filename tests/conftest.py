"""Shared fixtures: an isolated profile store, tiny seeded models, synthetic data, no stray threads."""

from __future__ import annotations

import importlib.abc
import os
import sys
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


class _QtBlocker(importlib.abc.MetaPathFinder):
    """Makes Qt unimportable, as on a machine where PySide6 is not installed."""

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in QT_MODULES:
            raise ModuleNotFoundError(f"No module named {fullname!r} (blocked: testing without Qt)", name=fullname)
        return None


if os.environ.get("RADAR_DESKTOP_BLOCK_QT") == "1":
    sys.meta_path.insert(0, _QtBlocker())


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own empty profile store."""
    home = tmp_path_factory.mktemp("radar_home")
    monkeypatch.setenv("RADAR_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Fail a test that leaves a Python thread running."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    assert not leftover, f"threads left running: {leftover}"


@pytest.fixture(scope="session")
def torch_threads():
    import torch

    torch.set_num_threads(2)
    return torch


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    """A small synthetic MVTec-layout dataset shared by the slower tests."""
    from tests.synthetic import make_dataset

    return make_dataset(tmp_path_factory.mktemp("synthetic"), train=16, test_good=6, test_bad=6)


@pytest.fixture(scope="session")
def defect_video(tmp_path_factory) -> Path:
    """A camera stand-in: 2 s of good texture, then 2 s with a defect in every frame."""
    from tests.synthetic import make_defect_video

    return make_defect_video(tmp_path_factory.mktemp("video") / "line.avi")


@pytest.fixture(scope="session")
def tiny_config_file(tmp_path_factory) -> Path:
    """A JSON model config for a tiny U-Net, as ``train --config`` takes it."""
    from radar_desktop.engine.config import tiny_config

    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(tiny_config(stride=8).to_json())
    return path


def _session_profile(tmp_path_factory, dataset, torch, name: str, config, default_scorer: str, batch_size: int) -> Path:
    """Train a profile once into a store of its own (tests copy its folder into theirs)."""
    from radar_desktop.engine.config import TrainConfig
    from radar_desktop.profiles.builder import build_profile

    home = tmp_path_factory.mktemp("session_home")
    previous = os.environ.get("RADAR_DESKTOP_HOME")
    os.environ["RADAR_DESKTOP_HOME"] = str(home)
    try:
        profile = build_profile(
            dataset / "train" / "good",
            name,
            model_config=config,
            train_config=TrainConfig(max_steps=150, max_seconds=None, batch_size=batch_size, bank_images=16),
            device=torch.device("cpu"),
            default_scorer=default_scorer,
        )
    finally:
        if previous is None:
            os.environ.pop("RADAR_DESKTOP_HOME", None)
        else:
            os.environ["RADAR_DESKTOP_HOME"] = previous
    return profile.folder


@pytest.fixture(scope="session")
def trained_profile_folder(tmp_path_factory, dataset, torch_threads) -> Path:
    """A tiny pixel-space profile trained once per session on the synthetic dataset."""
    from radar_desktop.engine.config import tiny_config

    return _session_profile(tmp_path_factory, dataset, torch_threads, "tiny", tiny_config(stride=8), "features", 32)


@pytest.fixture(scope="session")
def encoder_profile_folder(tmp_path_factory, dataset, torch_threads) -> Path:
    """A small encoder-space profile (the pretrained encoder, a narrow denoiser) trained once per session."""
    from radar_desktop.engine.config import default_config

    config = default_config("encoder", image_size=64, denoiser_width=32)
    return _session_profile(tmp_path_factory, dataset, torch_threads, "encoded", config, "fused", 16)


@pytest.fixture
def encoder_profile(encoder_profile_folder, isolated_home):
    """The session's encoder-space profile, copied into this test's own store."""
    import shutil

    from radar_desktop.profiles.store import open_profile

    shutil.copytree(encoder_profile_folder, isolated_home / "profiles" / "encoded")
    return open_profile("encoded")


@pytest.fixture
def tiny_profile(trained_profile_folder, isolated_home):
    """The session's tiny profile, copied into this test's own store."""
    import shutil

    from radar_desktop.profiles.store import open_profile

    shutil.copytree(trained_profile_folder, isolated_home / "profiles" / "tiny")
    return open_profile("tiny")


@pytest.fixture
def started_threads(monkeypatch):
    """Records every QThread started during the test and fails it if one is still running after."""
    from PySide6.QtCore import QThread

    started = []
    original = QThread.start

    def recording_start(self, *args):
        started.append(self)
        return original(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield started
    assert all(thread.isFinished() or not thread.isRunning() for thread in started), "a QThread is still running"


def _open_window(qtbot):
    from radar_desktop.gui.main_window import MainWindow, application

    application()
    main = MainWindow(device_name="cpu")
    qtbot.addWidget(main)
    main.show()
    # wait on GUI-thread state: waitSignal on a worker signal would run its slot on the worker thread
    qtbot.waitUntil(lambda: main.profiles.profile is not None, timeout=60_000)
    return main


@pytest.fixture
def window(qtbot, tiny_profile, started_threads):
    """The operator window on the tiny pixel-space profile."""
    return _open_window(qtbot)


@pytest.fixture
def encoder_window(qtbot, encoder_profile, started_threads):
    """The operator window on the small encoder-space profile."""
    return _open_window(qtbot)
