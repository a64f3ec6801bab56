"""Managing profiles in the store: duplicate, rename, delete to the trash, export and import.

Every change is built in a staging folder and swapped in whole, so a crash leaves the old profile or
the new one, never half of either. Imported files are checked before anything reaches the store: no
member may point outside the profile, sizes are capped, and the content hash must match.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath

from radar_desktop.core.atomic import atomic_output, building_folder
from radar_desktop.profiles.paths import data_home
from radar_desktop.profiles.profile import (
    Profile,
    ProfileError,
    check_name,
    load_profile,
    load_verified,
    write_profile_json,
)
from radar_desktop.profiles.store import open_profile, profile_path

EXTENSION = ".radarprofile"
MAX_IMPORT_BYTES = 2 * 2**30  # a profile is a few MB; refuse archives that would unpack to more
MAX_IMPORT_MEMBERS = 1000


def trash_dir() -> Path:
    return data_home() / "trash"


def _copy_as(source: Path, new_name: str, event: str, detail: str) -> Profile:
    """A copy of the profile folder ``source`` saved in the store as ``new_name``."""
    target = profile_path(check_name(new_name))
    if target.exists():
        raise ProfileError(f"a profile named {new_name!r} already exists")
    with building_folder(target) as staging:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        profile = load_profile(staging)
        profile.name = new_name
        profile.record(event, detail)
        write_profile_json(staging, profile)
    return load_profile(target)


def revise(name: str, change: Callable[[Profile, Path], None], event: str, detail: str = "") -> Profile:
    """A new version of profile ``name``: its folder copied, ``change(profile, folder)`` applied to the copy
    (the profile's fields, and any file it writes in the folder), the event recorded and the copy swapped in
    whole with its new content hash."""
    target = open_profile(name).folder
    with building_folder(target) as staging:
        shutil.copytree(target, staging, dirs_exist_ok=True)
        profile = load_profile(staging)
        change(profile, staging)
        profile.record(event, detail)
        write_profile_json(staging, profile)
    return load_profile(target)


def duplicate(name: str, new_name: str) -> Profile:
    return _copy_as(open_profile(name).folder, new_name, "duplicated", f"from {name!r}")


def rename(name: str, new_name: str) -> Profile:
    """The profile under its new name; the old folder goes to the trash only once the new one is complete."""
    renamed = _copy_as(open_profile(name).folder, new_name, "renamed", f"from {name!r}")
    delete(name)
    return renamed


def delete(name: str) -> Path:
    """Move a profile (even a broken one) to the trash folder; returns where it went."""
    folder = profile_path(name)
    if not folder.is_dir():
        raise ProfileError(f"no profile named {name!r}")
    trash_dir().mkdir(parents=True, exist_ok=True)
    target = trash_dir() / f"{name} {datetime.now():%Y-%m-%d %H%M%S-%f}"
    os.replace(folder, target)
    return target


def export_profile(name: str, path: Path) -> Path:
    """Write the profile as one ``.radarprofile`` file (a zip of its folder), after checking its hash."""
    profile = load_verified(open_profile(name).folder)
    path = Path(path)
    with atomic_output(path) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in profile.folder.rglob("*") if p.is_file()):
            archive.write(file, f"{profile.name}/{file.relative_to(profile.folder).as_posix()}")
    return path


def _safe_members(archive: zipfile.ZipFile) -> tuple[str, list[zipfile.ZipInfo]]:
    """The archive's single top folder and its files; refuses anything that could land outside it."""
    members = archive.infolist()
    if not members or len(members) > MAX_IMPORT_MEMBERS:
        raise ProfileError(f"not a profile export: {len(members)} entries")
    if sum(m.file_size for m in members) > MAX_IMPORT_BYTES:
        raise ProfileError("not a profile export: it would unpack to more than 2 GB")
    tops = set()
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        mode = member.external_attr >> 16
        if path.is_absolute() or ".." in path.parts or not path.parts or ":" in member.filename:
            raise ProfileError(f"refused: the entry {member.filename!r} points outside the profile")
        if stat.S_ISLNK(mode):
            raise ProfileError(f"refused: the entry {member.filename!r} is a link")
        tops.add(path.parts[0])
    if len(tops) != 1:
        raise ProfileError("not a profile export: expected one profile folder inside")
    return tops.pop(), [m for m in members if not m.is_dir()]


def import_profile(path: Path, new_name: str | None = None, replace: bool = False) -> Profile:
    """Add the profile in a ``.radarprofile`` file to the store (under ``new_name`` if given).

    Nothing reaches the store unless every entry is safe and the unpacked files match the hash.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise ProfileError(f"{path.name}: not a readable profile export ({error})") from None
    with archive:
        top, files = _safe_members(archive)
        name = new_name or top
        target = profile_path(name)
        if target.exists() and not replace:
            raise ProfileError(f"a profile named {name!r} already exists (import under another name, or replace it)")
        with building_folder(target) as staging:
            for member in files:
                relative = PurePosixPath(member.filename.replace("\\", "/")).relative_to(top)
                destination = staging.joinpath(*relative.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            profile = load_verified(staging)
            if name != profile.name:  # otherwise the files, and so the hash reports cite, stay as exported
                profile.name = name
                profile.record("imported", f"from {path.name}")
                write_profile_json(staging, profile)
    return load_profile(target)
