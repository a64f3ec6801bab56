"""Live inspection rates: capture FPS, inference FPS and capture-to-result latency, on a camera stand-in.

A 640 x 480 video at 30 fps (the demo's printed lattice, with a defect in every other second) is
written to a temp folder and played as a camera (paced at its frame rate) through the app's capture
loop and newest-frame inspection, with the shipped demo profile (the default model). The baseline, in
the same process, is offline inspection of the same frames one at a time. Prints a table, writes JSON.

    python benchmarks/live.py [--seconds 20] [--device cpu] [--json live.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT, FPS = 640, 480, 30.0


def lattice_frames(count: int) -> list[np.ndarray]:
    """BGR uint8 frames of the demo texture at the scale the demo profile was trained on once the app
    fits a 640-pixel-wide frame to its 256-pixel working size; every other group of 15 frames has a hole."""
    spec = importlib.util.spec_from_file_location("make_images", ROOT / "packaging" / "demo" / "make_images.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    rng = np.random.default_rng(0)
    frames = []
    for index in range(count):
        image = demo.lattice(rng)
        if (index // 15) % 2:
            image = demo.hole(image, rng)
        image = cv2.resize(image, (WIDTH, WIDTH), interpolation=cv2.INTER_LINEAR)
        top = (WIDTH - HEIGHT) // 2
        frames.append(cv2.cvtColor(np.round(image[top : top + HEIGHT] * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR))
    return frames


def write_video(path: Path, frames: list[np.ndarray], seconds: float) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    for index in range(int(seconds * FPS)):
        writer.write(frames[index % len(frames)])
    writer.release()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, default=Path("live.json"))
    args = parser.parse_args()

    import torch

    from radar_desktop.core.cancel import Cancelled, CancelToken
    from radar_desktop.core.resources import demo_profile_folder
    from radar_desktop.engine.device import describe_device, resolve_device
    from radar_desktop.engine.jobs.inspection import Inspector
    from radar_desktop.engine.jobs.live import LiveSession
    from radar_desktop.profiles.profile import load_verified
    from radar_desktop.sources.frames import VideoSource
    from radar_desktop.sources.images import to_float

    profile = load_verified(demo_profile_folder())
    model = profile.load_model(resolve_device(args.device))
    inspector = Inspector(model, profile.load_scorer(), profile.thresholds())
    frames = lattice_frames(60)
    video = write_video(Path(tempfile.mkdtemp(prefix="radar-live-")) / "camera.avi", frames, args.seconds + 5)

    inspector.inspect([to_float(frames[0], 1)], ["warm-up"])
    offline = []
    for frame in frames[:20]:
        began = time.perf_counter()
        inspector.inspect([to_float(frame, 1)], ["offline"])
        offline.append((time.perf_counter() - began) * 1000)
    offline_ms = float(np.median(offline))

    latencies = []
    session = LiveSession(VideoSource(str(video)))
    publish = session.results.put
    session.results.put = lambda live: (latencies.append(live.latency_ms), publish(live))
    cancel = CancelToken()
    stopper = threading.Timer(args.seconds, cancel.cancel)
    session.start()
    began = time.monotonic()
    stopper.start()
    try:
        session.inspect(inspector, cancel)
    except Cancelled:
        pass
    elapsed = time.monotonic() - began
    session.stop()
    captured = session.capture.frames
    row = {
        "resolution": f"{WIDTH}x{HEIGHT}",
        "video_fps": FPS,
        "seconds": elapsed,
        "capture_fps": captured / elapsed,
        "inference_fps": session.inspected / elapsed,
        "latency_ms_median": float(np.median(latencies)),
        "latency_ms_p95": float(np.percentile(latencies, 95)),
        "dropped_fraction": session.frames.dropped / max(captured, 1),
        "offline_ms_per_frame": offline_ms,
        "latency_vs_offline": float(np.median(latencies)) / offline_ms,
        "inference_fps_vs_offline": (session.inspected / elapsed) / (1000.0 / offline_ms),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"device {describe_device(model.device)}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"profile {profile.name!r} (image_size {model.config.image_size}, scorer {profile.default_scorer})")
    for key, value in row.items():
        print(f"{key:<26} {value:>10.3f}" if isinstance(value, float) else f"{key:<26} {value:>10}")
    report = {"machine": platform.processor() or platform.machine(), "device": describe_device(model.device), "row": row}
    args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
