"""The self-test's detection-probability curves: POD against defect size, one curve per synthetic shape."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from radar_desktop.core.pod import SHAPE_COLOURS, SHAPE_LABELS, SYNTHETIC_NOTE, PodFit, plot_span, pod_curve, record_fits

NINETY_PEN = pg.mkPen("#c62828", width=1.2, style=pg.QtCore.Qt.DashLine)
CAPTION = (
    "Synthetic defects (discs and strokes pasted into held-back good images): this measures the sensitivity<br>"
    "to them, not to the product's real defects."
)


class PodPlotWidget(pg.PlotWidget):
    """POD curves of a self-test record on a log size axis (px, or mm when the record has a scale): the
    fitted curve, its 95% lower bound (dashed), the fraction found at each size, the 90% line and each
    shape's a90 (filled dot) and a90/95 (open diamond). The caption says the defects were synthetic."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, title="Detection probability (self-test)")
        self.setBackground("w")
        self.setLogMode(x=True, y=False)
        self.setYRange(0.0, 1.02, padding=0)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("left", "probability of detection")
        self.getAxis("bottom").enableAutoSIPrefix(False)
        # top left: empty while the curves rise; a right-anchored legend would not follow its own growth
        self.legend = self.addLegend(offset=(10, 10))
        self.caption = pg.LabelItem(CAPTION, color="#616161", size="8pt")
        self.caption.setToolTip(SYNTHETIC_NOTE)
        self.plotItem.layout.addItem(self.caption, 4, 1)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.bounds: dict[str, pg.PlotDataItem] = {}
        self.points: dict[str, pg.PlotDataItem] = {}
        self.markers: dict[str, pg.PlotDataItem] = {}
        self.fits: dict[str, PodFit] = {}
        self.ninety = pg.InfiniteLine(
            pos=0.9, angle=0, pen=NINETY_PEN, label="90%", labelOpts={"position": 0.97, "color": "#c62828"}
        )
        self.addItem(self.ninety)
        self._set_unit(None)

    def show_record(self, selftest_record: dict, nok: float | None = None) -> None:
        """Plot a self-test record's fits (refitted from its raw scores at ``nok`` when given)."""
        for items in (self.curves, self.bounds, self.points, self.markers):
            for item in items.values():
                self.removeItem(item)
            items.clear()
        self.legend.clear()
        if not selftest_record:
            self.fits = {}
            return
        scale = selftest_record.get("mm_per_pixel") or None
        self._set_unit(scale)
        self.fits = record_fits(selftest_record, nok)
        factor = scale or 1.0
        sizes = [s for fit in self.fits.values() for s in fit.sizes]
        grid = np.geomspace(*plot_span(self.fits), 200) if sizes else np.array([])
        for name, fit in self.fits.items():
            colour = SHAPE_COLOURS.get(name, "#424242")
            pod, lower = pod_curve(fit, grid)
            fitted = fit.status == "fitted"
            self.curves[name] = self.plot(
                grid * factor if fitted else [], pod if fitted else [], pen=pg.mkPen(colour, width=2), name=SHAPE_LABELS.get(name, name)
            )
            self.bounds[name] = self.plot(
                grid * factor if fitted else [], lower if fitted else [],
                pen=pg.mkPen(colour, width=1, style=pg.QtCore.Qt.DashLine),
            )
            levels, fractions, _ = fit.hit_fractions()
            self.points[name] = self.plot(levels * factor, fractions, pen=None, symbol="o", symbolSize=6,
                                          symbolBrush=colour, symbolPen=None)
            x, symbols = [], []
            for value, symbol in ((fit.a90, "o"), (fit.a90_95, "d")):
                if fitted and value is not None and value <= grid[-1]:
                    x.append(value * factor)
                    symbols.append(symbol)
            self.markers[name] = self.plot(x, [0.9] * len(x), pen=None, symbol=symbols or "o", symbolSize=11,
                                           symbolPen=pg.mkPen(colour, width=2),
                                           symbolBrush=[colour if s == "o" else "w" for s in symbols] or None)
        self.setYRange(0.0, 1.02, padding=0)

    def _set_unit(self, mm_per_pixel: float | None) -> None:
        unit = "mm" if mm_per_pixel else "px"
        self.setLabel("bottom", f"defect size ({unit}; disc diameter or stroke length)")
