"""The frozen app: build the PyInstaller bundle and the .deb, then run both as a user would.

Needs PyInstaller (``pip install -e ".[bundle]"``) and dpkg-deb; skipped without them. Builds take
minutes, so ``packaging/check_bundle.sh`` runs this file on its own (see README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.bundle]
pytest.importorskip("PyInstaller")
if shutil.which("dpkg-deb") is None:
    pytest.skip("dpkg-deb is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def deb() -> Path:
    """Build the bundle and the installer once for this module."""
    for old in (ROOT / "build").glob("radar-desktop_*.deb"):
        old.unlink()
    done = subprocess.run(["bash", "packaging/build.sh", sys.executable], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (package,) = (ROOT / "build").glob("radar-desktop_*.deb")
    return package


@pytest.fixture(scope="module")
def installed(deb, tmp_path_factory) -> Path:
    """The .deb unpacked into an empty root, as dpkg would install it."""
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def run_app(executable: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RADAR_DESKTOP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(executable), *args], env=env, capture_output=True, text=True, timeout=600, cwd=home)


def test_the_bundle_passes_its_smoke_test(deb, tmp_path):
    done = run_app(ROOT / "build" / "dist" / "radar-desktop" / "radar-desktop", "--smoke-test", home=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "smoke test: 05_scratch.png -> NOK" in done.stdout
    assert "window modules load" in done.stdout


def test_the_package_installs_a_launcher_a_menu_entry_and_an_icon(deb, installed):
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Architecture"], capture_output=True, text=True, check=True).stdout
    assert "Package: radar-desktop" in fields
    launcher = installed / "usr" / "bin" / "radar-desktop"
    assert launcher.is_symlink() and launcher.resolve() == installed / "opt" / "radar-desktop" / "radar-desktop"
    entry = (installed / "usr" / "share" / "applications" / "radar-desktop.desktop").read_text()
    assert "Exec=radar-desktop" in entry and "Icon=radar-desktop" in entry
    assert (installed / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "radar-desktop.png").stat().st_size > 1000


def test_the_installed_app_runs_its_smoke_test_from_the_launcher(installed, tmp_path):
    done = run_app(installed / "usr" / "bin" / "radar-desktop", "--smoke-test", home=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "-> NOK" in done.stdout and "Demo lattice" in done.stdout


def test_the_installed_app_opens_on_first_launch_with_the_demo_and_its_samples(installed, tmp_path):
    shot = tmp_path / "first-launch.png"
    done = run_app(installed / "usr" / "bin" / "radar-desktop", "--device", "cpu", "--screenshot", str(shot), home=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "installed the demo profile 'Demo lattice'" in done.stderr
    assert "12 images: 4 OK, 0 REVIEW, 8 NOK, 0 unreadable" in done.stderr
    assert shot.stat().st_size > 20_000
