"""Real full and read-only folders for the write-fault tests.

A small tmpfs fills up for real; a read-only one refuses even root. Mounting needs Linux and the
right to mount (root in most CI containers); where that is missing the tests that need it skip, and
for a non-root user ``chmod`` gives a read-only folder too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount_tmpfs(folder: Path, options: str) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


@contextmanager
def small_disk(folder: Path, kilobytes: int) -> Iterator[Path]:
    """``folder`` as a filesystem of ``kilobytes`` (skips the test where it cannot be mounted)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount_tmpfs(folder, f"size={kilobytes}k"):
        pytest.skip("needs a small tmpfs (Linux, allowed to mount)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(disk: Path) -> None:
    """Take the disk's remaining space with a filler file."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """An existing, empty folder nothing can be written into."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix" and os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if not _mount_tmpfs(folder, "ro,size=64k"):
        pytest.skip("needs a read-only folder: a non-root user, or the right to mount")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
