"""Atomic writes of files and whole folders: a reader sees the old version or the new, never half."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform can open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temp path beside ``path`` to write to; it replaces ``path`` (after fsync) only if the block succeeds.

    On any error, or an interruption, the temp file is removed and ``path`` keeps its old content.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, and rename it over ``path``."""
    with atomic_output(path) as temp:
        temp.write_bytes(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def staging_folder(target: Path) -> Path:
    """A fresh empty folder beside ``target`` to build its next version in."""
    staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    return staging


@contextmanager
def building_folder(target: Path) -> Iterator[Path]:
    """An empty staging folder for ``target``'s next version: swapped in whole if the block succeeds,
    removed if it fails or is interrupted (``target`` then stays as it was)."""
    staging = staging_folder(target)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_folder(staging, target)


def replace_folder(staging: Path, target: Path) -> None:
    """Swap a fully written ``staging`` folder into ``target``'s place.

    The old folder is renamed aside first and deleted only after the new one is in place, so a crash
    at any point leaves one complete version (the old one under its backup name at worst).
    """
    backup = None
    if target.exists():
        backup = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, backup)
    os.replace(staging, target)
    _fsync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
