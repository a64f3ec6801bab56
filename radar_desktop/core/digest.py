"""The SHA-256 of a file: what the history records of each inspected image, and how it is recognised later."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: str | Path) -> str | None:
    """The SHA-256 of a file, read in chunks (None when it cannot be read: gone, a folder, no permission)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (OSError, ValueError):  # ValueError: a path with a NUL byte
        return None
