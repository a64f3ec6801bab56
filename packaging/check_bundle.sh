#!/usr/bin/env bash
# Build the frozen app and the .deb from scratch and check them as a user would (tests/test_bundle.py):
# smoke test of the bundle, the package's files, the installed launcher's smoke test, and the first
# launch of the installed window (demo profile installed, samples inspected, screenshot saved).
# About 5 minutes on 2 cores; separate from .ci/run, which it would double.
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv
.venv/bin/pip install --quiet -e ".[test,bundle]"
rm -rf build/dist build/pyinstaller build/deb build/radar-desktop_*.deb
.venv/bin/python -m pytest -v -p no:cacheprovider tests/test_bundle.py
