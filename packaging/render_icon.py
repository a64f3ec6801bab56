"""Render the SVG app icon to a square PNG (for the Linux icon theme and the Windows .ico)."""

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer


def render(svg: str, side: int, png: str) -> None:
    image = QImage(side, side, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    QSvgRenderer(svg).render(painter)
    painter.end()
    if not image.save(png):
        raise SystemExit(f"could not write {png}")


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    render(sys.argv[1], int(sys.argv[2]), sys.argv[3])
