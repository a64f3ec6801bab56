#!/usr/bin/env bash
# Regenerate the shipped demo: sample images (resources/samples/) and the demo profile (models/Demo lattice/),
# trained with the app's own `train` command on procedurally generated good images, with the app's defaults:
# the encoder space and its default scorer `features` (the memory bank on the pretrained encoder's features),
# which passes all 4 good samples and flags all 8 defective ones (tests/test_demo.py).
#   packaging/demo/build_demo.sh [STEPS]     (default 600 denoiser steps: about 2 minutes on a 2-core CPU)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-600}
PYTHON=${PYTHON:-.venv/bin/python}
NAME="Demo lattice"

rm -rf build/demo-train build/demo-home resources/samples
"$PYTHON" packaging/demo/make_images.py --train build/demo-train --samples resources/samples
RADAR_DESKTOP_HOME=build/demo-home "$PYTHON" -m radar_desktop.app train --images build/demo-train --name "$NAME" \
    --steps "$STEPS" --bank-size 2048 --device cpu
rm -rf "models/$NAME"
mkdir -p models
cp -r "build/demo-home/profiles/$NAME" "models/$NAME"
du -sh "models/$NAME" resources/samples
