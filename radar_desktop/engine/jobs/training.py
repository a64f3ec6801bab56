"""Training the noise predictor on good images (pixel patches or feature vectors), with budgets, cancel and resume."""

from __future__ import annotations

import json
import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from radar_desktop.core.atomic import building_folder, recover_interrupted
from radar_desktop.core.cancel import CancelToken, Cancelled, ProgressFn, no_progress
from radar_desktop.engine.config import ModelConfig, TrainConfig
from radar_desktop.engine.models.diffusion import autocast_for, noised
from radar_desktop.engine.models.kind import RadarModel
from radar_desktop.engine.models.spaces import create_model, load_model

STATE_FILE = "state.json"
OPTIMIZER_FILE = "optimizer.safetensors"


@dataclass(frozen=True)
class TrainReport:
    """What a finished training run did."""

    steps: int
    seconds: float
    final_loss: float
    resumed_from_step: int | None  # None for a fresh run
    losses: tuple[float, ...]  # mean loss of each logged interval, for charts


def _save_checkpoint(folder: Path, model: RadarModel, optimizer: torch.optim.Optimizer, state: dict) -> None:
    """Write model, optimizer moments and counters; the previous checkpoint survives a crash mid-write."""
    with building_folder(folder) as staging:
        model.save(staging / "model")
        opt_state = optimizer.state_dict()
        tensors = {
            f"{index}.{key}": value.detach().cpu().contiguous()
            for index, slots in opt_state["state"].items()
            for key, value in slots.items()
        }
        save_file(tensors, str(staging / OPTIMIZER_FILE))
        (staging / STATE_FILE).write_text(json.dumps({**state, "param_groups": opt_state["param_groups"]}))


def _load_checkpoint(folder: Path, config: ModelConfig, device: torch.device) -> tuple[RadarModel, dict, dict] | None:
    """The model, optimizer state and counters of a checkpoint made for ``config``, or None."""
    recover_interrupted(folder.parent)
    if not (folder / STATE_FILE).is_file():
        return None
    model = load_model(folder / "model", device)
    if model.config != config:
        return None
    state = json.loads((folder / STATE_FILE).read_text())
    slots: dict[int, dict[str, torch.Tensor]] = {}
    for name, tensor in load_file(str(folder / OPTIMIZER_FILE)).items():
        index, key = name.split(".", 1)
        slots.setdefault(int(index), {})[key] = tensor.to(device) if key != "step" else tensor
    opt_state = {"state": slots, "param_groups": state.pop("param_groups")}
    return model, opt_state, state


def train(
    config: ModelConfig,
    images: np.ndarray,
    settings: TrainConfig,
    device: torch.device,
    *,
    checkpoint_dir: Path | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressFn = no_progress,
    on_loss: Callable[[int, float], None] = lambda step, loss: None,
) -> tuple[RadarModel, TrainReport]:
    """Train a RADAR model of ``config.space`` on working-size good images (N, C, S, S, uint8).

    In the pixel space the U-Net learns noise in patches of the images; in the encoder space the
    denoiser learns noise in the images' feature vectors.

    With ``checkpoint_dir`` the run resumes from a checkpoint made for the same config, checkpoints
    every ``settings.checkpoint_every_s`` seconds, and checkpoints before raising :class:`Cancelled`.
    ``on_loss(step, mean loss)`` is called every 10 steps, for live charts.
    """
    cancel = cancel or CancelToken()
    if images.ndim != 4 or images.shape[1] != config.channels or images.shape[2] != config.image_size:
        raise ValueError(f"expected images of shape (N, {config.channels}, {config.image_size}, {config.image_size})")
    resumed = _load_checkpoint(checkpoint_dir, config, device) if checkpoint_dir else None
    model = (resumed[0] if resumed else create_model(config).to(device)).for_training()
    optimizer = torch.optim.AdamW(model.trainable().parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    state = {"step": 0, "seconds": 0.0, "losses": []}
    if resumed:
        optimizer.load_state_dict(resumed[1])
        state = resumed[2]
    start_step, start_seconds = state["step"], state["seconds"]
    data = model.training_data(torch.from_numpy(images))
    generator = torch.Generator().manual_seed(config.seed + start_step)
    max_steps = settings.max_steps or math.inf
    max_seconds = settings.max_seconds or math.inf
    alphas = model.alphas_cumprod.to(device)
    step, began, last_checkpoint, interval = start_step, time.perf_counter(), time.perf_counter(), []

    def elapsed() -> float:
        return start_seconds + time.perf_counter() - began

    def checkpoint() -> None:
        if checkpoint_dir is not None:
            _save_checkpoint(checkpoint_dir, model, optimizer, {**state, "step": step, "seconds": elapsed()})

    while step < max_steps and elapsed() < max_seconds:
        if cancel.cancelled:
            checkpoint()
            raise Cancelled()
        for group in optimizer.param_groups:
            group["lr"] = settings.learning_rate * min(1.0, (step + 1) / max(1, settings.warmup_steps))
        x0 = model.sample_batch(data, settings.batch_size, generator)
        noise = torch.randn(x0.shape, generator=generator).to(device)
        t = torch.randint(config.train_t_max or config.num_train_timesteps, (x0.shape[0],), generator=generator).to(device)
        noisy = noised(x0, noise, alphas[t].view(-1, *([1] * (x0.ndim - 1))))
        with autocast_for(device):
            predicted = model.predict(noisy, t)
        loss = F.mse_loss(predicted.float(), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        interval.append(loss.item())
        if len(interval) == 10:
            state["losses"].append(float(np.mean(interval)))
            on_loss(step, state["losses"][-1])
            interval = []
        fraction = max(step / max_steps if max_steps < math.inf else 0.0, elapsed() / max_seconds)
        progress(min(fraction, 1.0), f"step {step}, loss {np.mean(state['losses'][-5:] or [loss.item()]):.4f}")
        if checkpoint_dir is not None and time.perf_counter() - last_checkpoint > settings.checkpoint_every_s:
            checkpoint()
            last_checkpoint = time.perf_counter()
    model.finish_training(data)
    model.for_inference()
    losses = tuple(state["losses"])
    report = TrainReport(
        steps=step,
        seconds=elapsed(),
        final_loss=float(np.mean(losses[-5:])) if losses else float("nan"),
        resumed_from_step=start_step if resumed else None,
        losses=losses,
    )
    return model, report


def untrained(config: ModelConfig, images: np.ndarray, device: torch.device):
    """A model as :func:`train` would return it after no step: the control that shows what training adds."""
    model = create_model(config).to(device)
    model.finish_training(model.training_data(torch.from_numpy(images)))
    return model.for_inference()


def discard_checkpoint(folder: Path) -> None:
    """Remove a checkpoint once its run has produced a saved profile."""
    shutil.rmtree(folder, ignore_errors=True)
