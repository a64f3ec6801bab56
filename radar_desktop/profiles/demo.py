"""The demo profile that ships with the app, installed into an empty store on first launch."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from radar_desktop.core.atomic import replace_folder, staging_folder
from radar_desktop.core.resources import demo_profile_folder
from radar_desktop.profiles.paths import profiles_dir
from radar_desktop.profiles.profile import Profile, ProfileError, content_hash, load_profile

log = logging.getLogger(__name__)


def load_verified(folder: Path) -> Profile:
    """Load a profile folder and check that its files still match the content hash it records."""
    profile = load_profile(folder)
    actual = content_hash(folder)
    if actual != profile.content_hash:
        raise ProfileError(
            f"{folder.name}: files do not match the recorded content hash "
            f"(recorded {profile.content_hash[:12]}, found {actual[:12]}); the profile was altered or damaged"
        )
    return profile


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
    staging = staging_folder(target)
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        load_verified(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_folder(staging, target)
    log.info("installed the demo profile %r (hash %s) into %s", demo.name, demo.content_hash[:12], target.parent)
    return load_profile(target)
