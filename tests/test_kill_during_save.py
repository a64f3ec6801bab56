"""Killing the process while it saves a profile leaves a profile that loads, with its hash intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from radar_desktop.core.atomic import building_folder, recover_interrupted

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 40


def test_an_orphaned_backup_is_put_back_and_stale_copies_are_cleared(tmp_path):
    store = tmp_path / "profiles"
    (store / ".tile.old-0123abcd").mkdir(parents=True)  # killed between moving the old aside and the new in
    (store / ".tile.old-0123abcd" / "profile.json").write_text("old")
    (store / "lens").mkdir()
    (store / ".lens.old-89abcdef").mkdir()  # killed while deleting the old copy after a good swap
    (store / ".lens.staging-00ff00ff").mkdir()  # a save in progress (too recent to touch)
    assert recover_interrupted(store) == [store / "tile"]
    assert (store / "tile" / "profile.json").read_text() == "old"
    assert sorted(p.name for p in store.iterdir()) == [".lens.staging-00ff00ff", "lens", "tile"]


def test_a_failed_build_leaves_the_folder_as_it_was(tmp_path):
    target = tmp_path / "tile"
    target.mkdir()
    (target / "profile.json").write_text("v1")
    with pytest.raises(RuntimeError), building_folder(target) as staging:
        (staging / "profile.json").write_text("v2")
        raise RuntimeError("power cut")
    assert (target / "profile.json").read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["tile"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the killer forks its savers")
def test_profile_survives_being_killed_at_random_points_of_its_save(trained_profile_folder, isolated_home):
    done = subprocess.run(
        [sys.executable, "-m", "tests.kill_during_save", str(trained_profile_folder), str(ROUNDS), "7"],
        cwd=ROOT, env={**os.environ, "RADAR_DESKTOP_HOME": str(isolated_home)},
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rounds = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rounds) == ROUNDS
    for state in rounds:
        assert state["profiles"] == ["tiny"] and state["broken"] == []
    killed_mid_save = sum(bool(s["leftovers"]) or s["restored"] for s in rounds)
    print(f"{ROUNDS} kills: {killed_mid_save} left a half-written save behind, "
          f"{sum(s['restored'] for s in rounds)} between the two renames; every one loaded with its hash")
    assert killed_mid_save >= ROUNDS // 2  # the kills really land inside saves
    assert len({s["notes"] for s in rounds}) > 1  # and saves in between really completed
