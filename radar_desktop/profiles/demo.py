"""The demo profile that ships with the app, installed into an empty store on first launch."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from radar_desktop.core.atomic import building_folder
from radar_desktop.core.resources import demo_profile_folder
from radar_desktop.profiles.paths import profiles_dir
from radar_desktop.profiles.profile import Profile, load_profile, load_verified

log = logging.getLogger(__name__)


def store_is_empty() -> bool:
    root = profiles_dir()
    return not root.is_dir() or not any(p.is_dir() and not p.name.startswith(".") for p in root.iterdir())


def install_demo_if_empty(source: Path | None = None) -> Profile | None:
    """Copy the bundled demo profile into the store when the store has no profile at all.

    Returns the installed profile, or ``None`` when the store already had profiles. The copy is
    checked against the demo's content hash before it becomes visible in the store.
    """
    if not store_is_empty():
        return None
    source = source or demo_profile_folder()
    demo = load_verified(source)
    target = profiles_dir() / source.name
    with building_folder(target) as staging:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        load_verified(staging)
    log.info("installed the demo profile %r (hash %s) into %s", demo.name, demo.content_hash[:12], target.parent)
    return load_profile(target)
