"""Out-of-memory during inspection: smaller batches, then the CPU, and the job completes (OOM simulated)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from radar_desktop.engine.jobs import inspection
from radar_desktop.engine.jobs.inspection import Inspector, is_out_of_memory
from radar_desktop.engine.jobs.scan import scan_files
from tests.fake_gpu import gpu_without_memory
from tests.synthetic import scan_folder


@pytest.fixture
def inspector(tiny_profile, torch_threads):
    model = tiny_profile.load_model(torch.device("cpu"))
    notices: list[str] = []
    made = Inspector(model, tiny_profile.load_scorer(), tiny_profile.thresholds(), on_notice=notices.append)
    made.notices = notices
    return made


@pytest.fixture
def images(dataset, tmp_path):
    return sorted(p for p in scan_folder(dataset, tmp_path).iterdir() if "corrupt" not in p.name)


def scores_of(inspector, paths) -> list[float]:
    return [o.result.score for o in scan_files(inspector, paths, batch_size=4)]


def test_out_of_memory_is_recognised_on_every_device():
    assert is_out_of_memory(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)"))
    assert is_out_of_memory(RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory"))
    assert not is_out_of_memory(RuntimeError("Expected all tensors to be on the same device"))
    assert not is_out_of_memory(ValueError("out of memory"))


def test_batches_are_halved_until_they_fit_and_scores_do_not_change(inspector, images, monkeypatch):
    expected = scores_of(inspector, images)
    real_forward, sizes = inspection.forward_for, []

    def forward_fitting_one(model, batch, *args, **kwargs):
        sizes.append(batch.shape[0])
        if batch.shape[0] > 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.50 GiB")
        return real_forward(model, batch, *args, **kwargs)

    monkeypatch.setattr(inspection, "forward_for", forward_fitting_one)
    assert scores_of(inspector, images) == pytest.approx(expected, abs=1e-5)
    assert sizes[:3] == [4, 2, 1]  # halved within the first batch, then remembered
    assert set(sizes[3:]) == {1}
    assert inspector.max_batch == 1
    assert inspector.notices == [
        "Out of memory on CPU with 4 images at once; continuing with 2 at a time.",
        "Out of memory on CPU with 2 images at once; continuing with 1 at a time.",
    ]


def test_a_gpu_that_cannot_hold_one_image_hands_the_job_to_the_cpu(inspector, images, monkeypatch):
    expected = scores_of(inspector, images)
    gpu = gpu_without_memory(monkeypatch)
    outcomes = list(scan_files(inspector, images, batch_size=4))
    assert [o.error for o in outcomes] == [None] * len(images)
    assert [o.result.score for o in outcomes] == pytest.approx(expected, abs=1e-5)
    assert not gpu["on_gpu"]
    assert inspector.notices[-1] == "Out of memory on CUDA even for one image; continuing on the CPU (slower)."


def test_an_image_too_big_even_for_the_cpu_fails_alone(inspector, images, monkeypatch):
    real_batch = Inspector._inspect_batch
    huge = images[2]

    def inspect_batch(self, batch_images, sources):
        if str(huge) in sources:
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory")
        return real_batch(self, batch_images, sources)

    monkeypatch.setattr(Inspector, "_inspect_batch", inspect_batch)
    outcomes = list(scan_files(inspector, images, batch_size=4))
    assert [o.path for o in outcomes] == [str(p) for p in images]
    assert outcomes[2].result is None
    assert outcomes[2].error == "not enough memory to inspect this image, even one at a time on the CPU"
    assert all(o.result is not None and np.isfinite(o.result.score) for i, o in enumerate(outcomes) if i != 2)


def test_other_runtime_errors_are_not_mistaken_for_memory(inspector, images, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("Expected all tensors to be on the same device")

    monkeypatch.setattr(inspection, "forward_for", broken)
    with pytest.raises(RuntimeError, match="same device"):
        list(scan_files(inspector, images, batch_size=4))
    assert inspector.notices == []
