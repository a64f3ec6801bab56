"""Tests that read PDFs back with poppler's tools skip, with a reason, where poppler-utils is not installed."""

from __future__ import annotations

import shutil

import pytest

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdftoppm")), reason="poppler-utils not installed"
)
