"""The results table: one row per scanned file, sortable and filterable by verdict."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from radar_desktop.core.quantities import score_text
from radar_desktop.core.records import ScanOutcome
from radar_desktop.gui.images import to_pixmap
from radar_desktop.history.database import Review
from radar_desktop.reports.entries import ERROR, review_text, verdict_of

COLUMNS = ("", "Name", "Score", "Verdict", "ms", "Regions", "Message", "Comment")
VERDICT_COLUMN, COMMENT_COLUMN = 3, 7
FILTERS = ("All", "OK", "REVIEW", "NOK", "Flagged (REVIEW + NOK)", ERROR)
VERDICT_BACKGROUNDS = {"OK": "#e8f5e9", "REVIEW": "#fff3e0", "NOK": "#ffebee", ERROR: "#eeeeee"}
VERDICT_COLOURS = {verdict: QColor(colour) for verdict, colour in VERDICT_BACKGROUNDS.items()}
SORT_ROLE = int(Qt.UserRole) + 1


class ResultsModel(QAbstractTableModel):
    """Scan outcomes in processing order, each with its history id and latest review once known.

    The Verdict column shows a person's decision after the machine verdict (``REVIEW → OK (ann)``);
    filtering and sorting keep to the machine verdict.
    """

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: list[ScanOutcome] = []
        self.comments: list[str] = []
        self.reviews: list[Review | None] = []
        self._pixmaps: list = []
        self._cells: list[tuple] = []  # per row: the texts shown, by column
        self._sort_keys: list[tuple] = []
        self._verdicts: list[str] = []  # machine verdicts
        self._row_of_outcome: dict[int, int] = {}  # id() of a row's outcome -> row
        self._row_of_inspection: dict[int, int] = {}  # history id -> row
        self.mm_per_pixel: float | None = None  # the scan's profile scale: region sizes in mm, else px
        self._answers = {int(Qt.DisplayRole): self._display, SORT_ROLE: self._sort_key,
                         int(Qt.DecorationRole): self._decoration, int(Qt.BackgroundRole): self._background,
                         int(Qt.EditRole): self._edit, int(Qt.ToolTipRole): self._tooltip}

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.outcomes)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        # The view asks for every role of every visible cell on each repaint (most go unanswered), and the
        # proxy for sort keys on each insert: one dictionary lookup per call, answers from cells made once
        # per row, so a scan's repaints stay short.
        answer = self._answers.get(int(role))
        return None if answer is None else answer(index.row(), index.column())

    def _display(self, row: int, column: int):
        if column == VERDICT_COLUMN:
            review = self.reviews[row]
            return self._verdicts[row] if review is None else _decided(self._verdicts[row], review)
        return self.comments[row] if column == COMMENT_COLUMN else self._cells[row][column]

    def _sort_key(self, row: int, column: int):
        return self.comments[row] if column == COMMENT_COLUMN else self._sort_keys[row][column]

    def _decoration(self, row: int, column: int):
        return self._pixmaps[row] if column == 0 else None

    def _background(self, row: int, column: int):
        return VERDICT_COLOURS[self._verdicts[row]] if column == VERDICT_COLUMN else None

    def _edit(self, row: int, column: int):
        return self.comments[row] if column == COMMENT_COLUMN else None

    def _tooltip(self, row: int, column: int) -> str:
        outcome = self.outcomes[row]
        tip = outcome.path if outcome.error is None else f"{outcome.path}\n{outcome.error}"
        return tip + (f"\nreviewed {self.review_text(row)}" if self.reviews[row] else "")

    def _row_cells(self, row: int, outcome: ScanOutcome) -> tuple[tuple, tuple]:
        """A row's shown texts and its sort keys, by column (the comment and verdict cells change later)."""
        score = outcome.result.score if outcome.result is not None else None
        name = Path(outcome.path).name
        message = outcome.error or (outcome.result.rule if outcome.result else "")
        shown = (None, name, "" if score is None else f"{score_text(score)}", None, f"{outcome.milliseconds:.0f}",
                 self._regions_text(outcome), message, None)
        keys = (row, name, -1e300 if score is None else score, verdict_of(outcome), outcome.milliseconds,
                self._largest_area(outcome), outcome.error or "", None)
        return shown, keys

    def set_inspection_ids(self, pairs: list[tuple[ScanOutcome, int]]) -> None:
        """Note the history ids of rows, as the history writer reports them (outcome given as the key, id)."""
        for outcome, inspection_id in pairs:
            row = self._row_of_outcome.get(id(outcome))
            if row is not None and self.outcomes[row] is outcome:  # not a row of a table cleared since
                self._row_of_inspection[inspection_id] = row

    def set_review(self, review: Review) -> bool:
        """Show a decision on the row it was made on; False when that inspection is not in the table."""
        row = self._row_of_inspection.get(review.inspection_id)
        if row is None:
            return False
        self.reviews[row] = review
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def machine_verdict(self, row: int) -> str:
        return self._verdicts[row]

    def review_text(self, row: int) -> str:
        """The row's latest decision in words, for reports ("" when none)."""
        review = self.reviews[row]
        return "" if review is None else review_text(review.decision, review.reviewer, review.reviewed_at, review.reason)

    def _regions_text(self, outcome: ScanOutcome) -> str:
        """How many regions and the largest's size, e.g. ``2 · 0.42 mm² · 1.3 mm``."""
        regions = outcome.result.regions if outcome.result else ()
        return f"{len(regions)} · {regions[0].describe(self.mm_per_pixel)}" if regions else ""

    @staticmethod
    def _largest_area(outcome: ScanOutcome) -> float:
        regions = outcome.result.regions if outcome.result else ()
        return regions[0].area_px if regions else 0.0

    def flags(self, index: QModelIndex) -> Qt.ItemFlags:
        flags = super().flags(index)
        return flags | Qt.ItemIsEditable if index.column() == COMMENT_COLUMN else flags

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:  # noqa: N802 (Qt API)
        """The operator's comment on one image (it goes into the report)."""
        if role != Qt.EditRole or index.column() != COMMENT_COLUMN:
            return False
        self.comments[index.row()] = " ".join(str(value).split())  # one line: reports show it on one
        self.dataChanged.emit(index, index)
        return True

    def append(self, outcome: ScanOutcome) -> None:
        row = len(self.outcomes)
        self.beginInsertRows(QModelIndex(), row, row)
        self.outcomes.append(outcome)
        self.comments.append("")
        self.reviews.append(None)
        self._row_of_outcome[id(outcome)] = row
        self._pixmaps.append(to_pixmap(outcome.thumbnail) if outcome.thumbnail is not None else None)
        shown, keys = self._row_cells(row, outcome)
        self._cells.append(shown)
        self._sort_keys.append(keys)
        self._verdicts.append(keys[VERDICT_COLUMN])
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.outcomes, self.comments, self.reviews, self._pixmaps = [], [], [], []
        self._cells, self._sort_keys, self._verdicts = [], [], []
        self._row_of_outcome, self._row_of_inspection = {}, {}
        self.endResetModel()


def _decided(verdict: str, review: Review) -> str:
    """The machine verdict, then the person's decision: ``REVIEW → OK (ann)``."""
    return f"{verdict} → {review.decision}" + (f" ({review.reviewer})" if review.reviewer else "")


class VerdictFilter(QSortFilterProxyModel):
    """Shows all rows or only those of one verdict; sorts numerically."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self._wanted: set[str] | None = None

    def set_filter(self, label: str) -> None:
        self.beginFilterChange()
        self._wanted = {
            "All": None,
            "Flagged (REVIEW + NOK)": {"REVIEW", "NOK"},
        }.get(label, {label})
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        if self._wanted is None:
            return True
        return self.sourceModel().machine_verdict(source_row) in self._wanted


class ResultsTableWidget(QWidget):
    """The table with its verdict filter; emits the source row of the image to show."""

    sig_row_activated = Signal(int)
    """Row in processing order (model row) that the user opened or moved to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ResultsModel()
        self.proxy = VerdictFilter()
        self.proxy.setSourceModel(self.model)
        self.filter_box = QComboBox()
        self.filter_box.addItems(FILTERS)
        self.filter_box.currentTextChanged.connect(self.proxy.set_filter)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setIconSize(QSize(40, 40))
        self.view.verticalHeader().setDefaultSectionSize(44)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        for column, width in enumerate((48, 150, 64, 104, 44, 150, 140)):  # Verdict: room for a decision
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(self._on_view_activated)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_activated)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)

    def _on_view_activated(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if index.isValid():
            self.sig_row_activated.emit(self.proxy.mapToSource(index).row())

    def select_row(self, source_row: int) -> None:
        """Make a model row current (it is shown in the viewer through the activation signal)."""
        index = self.proxy.mapFromSource(self.model.index(source_row, 1))
        if index.isValid():
            self.view.setCurrentIndex(index)

    def step(self, offset: int) -> None:
        """Move the current row up or down in the displayed order."""
        current = self.view.currentIndex()
        row = (current.row() + offset) if current.isValid() else 0
        if 0 <= row < self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(row, 1))
