"""A GPU that runs out of memory, simulated on a CPU-only machine."""

from __future__ import annotations

import torch

from radar_desktop.engine.jobs import inspection
from radar_desktop.engine.models.spaces import KINDS


def gpu_without_memory(monkeypatch) -> dict[str, bool]:
    """Make every model report a CUDA device whose forward pass runs out of memory, until it is moved
    to the CPU (where it then really runs). Returns the state: ``{"on_gpu": bool}``."""
    state = {"on_gpu": True}
    real_forward = inspection.forward_for

    def forward(model, batch, *args, **kwargs):
        if state["on_gpu"]:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 MiB")
        return real_forward(model, batch, *args, **kwargs)

    for kind in KINDS.values():
        _report_cuda_until_moved(monkeypatch, kind, state)
    monkeypatch.setattr(inspection, "forward_for", forward)
    return state


def _report_cuda_until_moved(monkeypatch, kind: type, state: dict[str, bool]) -> None:
    """A model kind whose device reads CUDA while ``state["on_gpu"]``, and whose move really goes to the CPU."""
    real_to, real_device = kind.to, kind.device

    def device(model):
        return torch.device("cuda") if state["on_gpu"] else real_device.fget(model)

    def to(model, target):
        state["on_gpu"] = torch.device(target).type == "cuda"
        return real_to(model, torch.device("cpu"))

    monkeypatch.setattr(kind, "device", property(device))
    monkeypatch.setattr(kind, "to", to)
