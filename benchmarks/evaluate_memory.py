"""Peak memory of ``radar-desktop evaluate`` as the dataset grows: does a 1000-image dataset fit in 4 GiB?

Writes a synthetic MVTec-layout dataset (woven texture, pasted defects, images of ``--size`` pixels),
trains a default-size profile of ``--space`` for a few steps (memory does not depend on how well it is
trained), then runs ``evaluate`` with that space's single-step scorers in a child process per dataset
size and reads each child's peak RSS from the kernel. The smallest size is the baseline the others are compared with.
Prints a table and writes JSON.

    python benchmarks/evaluate_memory.py [--images 100 1000] [--size 400] [--space encoder|pixel] [--json evaluate_memory.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radar_desktop.engine.config import DEFAULT_SPACE  # noqa: E402
from radar_desktop.engine.scorers.registry import scorers_for
from radar_desktop.profiles.paths import HOME_VARIABLE  # noqa: E402
from tests.synthetic import make_dataset  # noqa: E402

LIMIT_GIB = 4.0


def single_step_scorers(space: str) -> str:
    """Every single-step scorer of the space, comma-separated (recon adds one more map per image)."""
    return ",".join(name for name in scorers_for(space) if name != "recon")


def run_child(arguments: list[str], home: Path) -> tuple[float, float]:
    """Run ``radar-desktop`` with ``arguments``; returns (peak RSS in MiB, seconds). Fails loudly."""
    began = time.perf_counter()
    environment = {**os.environ, HOME_VARIABLE: str(home)}
    child = subprocess.Popen([sys.executable, "-m", "radar_desktop.app", *arguments], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"radar-desktop {arguments[0]} failed with exit status {child.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - began  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, nargs="+", default=[100, 1000], help="test-set sizes; the first is the baseline")
    parser.add_argument("--size", type=int, default=400, help="side of each synthetic image in pixels")
    parser.add_argument("--space", choices=("encoder", "pixel"), default=DEFAULT_SPACE)
    parser.add_argument("--json", type=Path, default=Path("evaluate_memory.json"))
    args = parser.parse_args()
    scorers = single_step_scorers(args.space)

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        home = scratch / "home"
        make_dataset(scratch / "train", train=16, test_good=2, test_bad=2, size=args.size)
        train_rss, _ = run_child(["train", "--images", str(scratch / "train" / "train" / "good"), "--name", "memory", "--steps", "2", "--space", args.space, "--device", "cpu"], home)
        print(f"trained the profile (peak RSS {train_rss:.0f} MiB)", file=sys.stderr)
        for count in args.images:
            dataset = make_dataset(scratch / f"test{count}", train=0, test_good=count // 2, test_bad=count - count // 2, size=args.size, seed=count)
            rss, seconds = run_child(["evaluate", "--profile", "memory", "--dataset", str(dataset), "--json", str(scratch / "out.json"), "--scorer", scorers, "--device", "cpu"], home)
            rows.append({"images": count, "peak_rss_mib": round(rss, 1), "seconds": round(seconds, 1)})
            print(f"{count} images: peak RSS {rss:.0f} MiB in {seconds:.0f} s", file=sys.stderr)
    base = rows[0]
    print(f"evaluate, {args.space} space, scorers {scorers}, {args.size}x{args.size} images, CPU")
    print(f"{'images':>7} {'peak RSS MiB':>13} {'x baseline':>10} {'s':>7}")
    for row in rows:
        row["ratio"] = round(row["peak_rss_mib"] / base["peak_rss_mib"], 3)
        row["under_limit"] = row["peak_rss_mib"] < LIMIT_GIB * 1024
        print(f"{row['images']:>7} {row['peak_rss_mib']:>13.0f} {row['ratio']:>10.2f} {row['seconds']:>7.0f}")
    args.json.write_text(json.dumps({"space": args.space, "scorers": scorers, "image_side": args.size, "limit_gib": LIMIT_GIB, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
