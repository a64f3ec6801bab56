"""Atomic writes of files and whole folders: a reader sees the old version or the new, never half."""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


BACKUP_MARK = ".old-"
STAGING_MARK = ".staging-"
LEFTOVER = re.compile(rf"^\.(?P<target>.+)(?P<mark>{re.escape(BACKUP_MARK)}|{re.escape(STAGING_MARK)})[0-9a-f]{{8}}$")
STALE_STAGING_S = 3600.0  # a save takes seconds: older staging folders belong to no running save

WRITE_FAILURES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk or folder is read-only",
    errno.EACCES: "permission denied (the folder may be read-only)",
    errno.EPERM: "permission denied (the folder may be read-only)",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOTDIR: "part of the path is a file, not a folder",
}
DISK_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})  # about the disk, whatever was being done


class WriteError(OSError):
    """Saving user data failed; the message names the file and says why in plain words.

    Whatever was at that path before is still there, unchanged.
    """


RUST_IO_ERROR = re.compile(r"\(os error (\d+)\)")  # how safetensors (Rust) reports an I/O failure


def error_number(error: BaseException) -> int | None:
    """The errno behind ``error``: an OSError's, or the one a Rust library wrote into its message."""
    if isinstance(error, OSError):
        return error.errno
    found = RUST_IO_ERROR.search(str(error))
    return int(found.group(1)) if found else None


def write_error(error: BaseException, path: Path) -> WriteError:
    """``error`` (raised while saving ``path``) as a :class:`WriteError` a user can act on."""
    if isinstance(error, WriteError):
        return error
    number = error_number(error)
    reason = WRITE_FAILURES.get(number) or getattr(error, "strerror", None) or str(error)
    failure = WriteError(f"cannot save {path}: {reason}; nothing there was changed")
    failure.errno = number
    return failure


@contextmanager
def saving(path: Path, only_disk_failures: bool = False) -> Iterator[None]:
    """Turn an error raised while saving ``path`` into a :class:`WriteError`.

    With ``only_disk_failures`` only a full or read-only disk is turned (the block does other work
    too, such as reading files); without it, every OSError is.
    """
    try:
        yield
    except Exception as error:
        number = error_number(error)
        if number in DISK_FAILURES or (isinstance(error, OSError) and not only_disk_failures):
            raise write_error(error, path) from error
        raise


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform can open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_beside(path: Path, suffix: str) -> Path:
    """A new empty hidden file in ``path``'s folder (created if missing); :class:`WriteError` if it cannot be."""
    with saving(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
        os.close(fd)
    return Path(name)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temp path beside ``path`` to write to; it replaces ``path`` (after fsync) only if the block succeeds.

    On any error, or an interruption, the temp file is removed and ``path`` keeps its old content;
    a full or read-only disk is raised as :class:`WriteError`.
    """
    path = Path(path)
    temp = _temp_beside(path, ".tmp")
    try:
        with saving(path, only_disk_failures=True):
            yield temp
        with saving(path):
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def check_writable(path: Path) -> None:
    """Raise :class:`WriteError` now if ``path`` could not be saved (its folder is created if missing),
    so a long job fails before it starts rather than after."""
    _temp_beside(Path(path), ".probe").unlink()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, and rename it over ``path``."""
    with atomic_output(path) as temp:
        temp.write_bytes(data)


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` as UTF-8; a file name that was not UTF-8 on disk (Linux allows it) is kept as ``\\udcff``
    escapes rather than failing the whole write."""
    write_bytes_atomic(path, text.encode("utf-8", errors="backslashreplace"))


def staging_folder(target: Path) -> Path:
    """A fresh empty folder beside ``target`` to build its next version in."""
    staging = target.parent / f".{target.name}{STAGING_MARK}{uuid.uuid4().hex[:8]}"
    with saving(target):
        staging.mkdir(parents=True)
    return staging


@contextmanager
def building_folder(target: Path) -> Iterator[Path]:
    """An empty staging folder for ``target``'s next version: swapped in whole if the block succeeds,
    removed if it fails or is interrupted (``target`` then stays as it was)."""
    staging = staging_folder(target)
    try:
        with saving(target, only_disk_failures=True):
            yield staging
        replace_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_folder(staging: Path, target: Path) -> None:
    """Swap a fully written ``staging`` folder into ``target``'s place.

    The old folder is renamed aside first and deleted only after the new one is in place, so a crash
    at any point leaves one complete version (the old one under its backup name at worst).
    """
    backup = None
    with saving(target):
        if target.exists():
            backup = target.parent / f".{target.name}{BACKUP_MARK}{uuid.uuid4().hex[:8]}"
            os.replace(target, backup)
        try:
            os.replace(staging, target)
        except OSError:
            if backup is not None:
                os.replace(backup, target)
            raise
    _fsync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def recover_interrupted(parent: Path) -> list[Path]:
    """Finish what a process killed inside :func:`replace_folder` left in ``parent``; returns the
    folders it brought back.

    A backup whose folder is missing (killed between the two renames) is renamed back, so the
    previous version is in place again; a backup beside its folder, and a staging folder older than
    ``STALE_STAGING_S``, are removed.
    """
    restored = []
    if not parent.is_dir():
        return restored
    for entry in sorted(parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
        match = LEFTOVER.match(entry.name)
        if match is None or not entry.is_dir():
            continue
        target = parent / match["target"]
        if match["mark"] == BACKUP_MARK and not target.exists():
            os.replace(entry, target)
            restored.append(target)
        elif match["mark"] == BACKUP_MARK or time.time() - entry.stat().st_mtime > STALE_STAGING_S:
            shutil.rmtree(entry, ignore_errors=True)
    return restored
