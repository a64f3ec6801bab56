#!/usr/bin/env bash
# One prepared run on a CUDA machine: for each model config given, train on an MVTec-layout folder for
# the given minutes, then evaluate every scorer of that one model. Writes logs and evaluation JSON.
# usage: benchmarks/gpu_mtd.sh DATASET OUT_DIR MINUTES CONFIG.json...
set -euo pipefail
dataset=$1 out=$2 minutes=$3
shift 3
mkdir -p "$out"
export RADAR_DESKTOP_HOME PYTHONUNBUFFERED=1
RADAR_DESKTOP_HOME=$(mktemp -d)
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
for config in "$@"; do
  name=$(basename "$config" .json)
  started=$(date +%s)
  python3 -m radar_desktop.app train --images "$dataset/train/good" --name "$name" --minutes "$minutes" \
    --device cuda --batch-size 256 --config "$config" 2>&1 | tee "$out/train_$name.log"
  echo "train+calibrate wall seconds: $(( $(date +%s) - started ))" | tee -a "$out/train_$name.log"
  python3 -m radar_desktop.app evaluate --profile "$name" --dataset "$dataset" --json "$out/eval_$name.json" \
    --scorer all --device cuda 2>&1 | tee "$out/eval_$name.log"
done
