"""A picture of a report's first page, rendered from the PDF itself, for previews."""

from __future__ import annotations

import numpy as np

from radar_desktop.reports.pdf import PdfOptions, cover_pdf
from radar_desktop.reports.session import Report


def cover_preview(report: Report, options: PdfOptions = PdfOptions(), dpi: float = 72.0) -> np.ndarray:
    """The first page as an (H, W, 3) uint8 RGB array at ``dpi``."""
    import pypdfium2

    document = pypdfium2.PdfDocument(cover_pdf(report, options))
    try:
        bitmap = document[0].render(scale=dpi / 72.0, rev_byteorder=True)
        pixels = np.array(bitmap.to_numpy()[:, :, :3], dtype=np.uint8)  # a copy: the bitmap is freed below
    finally:
        document.close()
    return pixels
