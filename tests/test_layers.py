"""Architecture checks: the import contracts hold, no module imports itself back, and the compute layers
work without Qt."""

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run([lint, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_import_circles():
    """Counting imports inside functions and under TYPE_CHECKING too, so none can dodge a circle."""
    graph = grimp.build_graph("radar_desktop")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("radar_desktop.") and graph.chain_exists(importer=imported, imported=module)
    )
    assert circles == []


def test_headless_layers_import_with_qt_blocked():
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import radar_desktop.cli, radar_desktop.engine.jobs.evaluation, radar_desktop.profiles.builder\n"
        "import radar_desktop.reports.heatmap_image, radar_desktop.engine.jobs.scan\n"
        "from radar_desktop.app import main\n"
        "main(['--help'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "usage: radar-desktop" in done.stdout, done.stderr
