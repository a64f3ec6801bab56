"""Kill a process at random points while it saves a profile, again and again (run by test_kill_during_save).

``python -m tests.kill_during_save PROFILE_FOLDER ROUNDS SEED`` with ``RADAR_DESKTOP_HOME`` set: the
profile is copied into that store; each round forks a child that saves it over and over (a new note
each time) and SIGKILLs the child after a random delay; the store is then opened the way the app
opens it and the profile must load with its content hash intact. Prints one JSON line per round.
Linux/macOS only (fork).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import torch


def save_forever(profile, model, scorers, target: Path, round_index: int) -> None:
    """The child: save, save, save, until killed."""
    from radar_desktop.profiles.profile import save_profile

    saves = 0
    try:
        while True:
            profile.notes = f"round {round_index} save {saves}"
            save_profile(profile, model, scorers, target)
            saves += 1
    finally:
        os._exit(1)  # never return into the parent's code


def main(source: Path, rounds: int, seed: int) -> None:
    torch.set_num_threads(1)  # no thread pool to break in the forked children
    from radar_desktop.profiles.paths import profiles_dir
    from radar_desktop.profiles.profile import load_profile, load_verified
    from radar_desktop.profiles.store import list_profiles

    target = profiles_dir() / source.name
    shutil.copytree(source, target)
    profile = load_profile(target)
    model = profile.load_model(torch.device("cpu"))
    scorers = {name: profile.load_scorer(name) for name in profile.scorers}
    rng = random.Random(seed)
    for round_index in range(rounds):
        delay = rng.uniform(0.0, 0.4)
        child = os.fork()
        if child == 0:
            save_forever(profile, model, scorers, target, round_index)
        time.sleep(delay)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        leftovers = sorted(p.name for p in profiles_dir().iterdir() if p.name.startswith("."))
        restored = not target.exists()  # killed between the two renames: only the backup is there
        good, broken = list_profiles()  # what the app does first; it puts the backup back
        loaded = load_verified(target)
        print(json.dumps({
            "round": round_index,
            "delay_s": round(delay, 3),
            "leftovers": leftovers,
            "restored": restored,
            "profiles": [p.name for p in good],
            "broken": [b.reason for b in broken],
            "notes": loaded.notes,
        }), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
