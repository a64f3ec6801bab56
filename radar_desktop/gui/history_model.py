"""The history tab's table model: rows fetched from the database a page at a time, as the view scrolls.

Only the pages scrolled to are held, so a history of 1,000,000 rows opens as fast as one of 100. Sorting is
done by the database (by time and id with keyset paging, which costs the same at any depth; by the other
columns with offsets). Reads run on the GUI thread: a filtered page takes a few milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from radar_desktop.core.quantities import score_text
from radar_desktop.gui.results_table import VERDICT_COLOURS
from radar_desktop.history.database import KEYSET_ORDERS, HistoryDatabase, HistoryFilter, HistoryRow

PAGE_ROWS = 200
# (header, database order key or None when the column cannot be sorted by the database, width in px)
COLUMNS = (
    ("Time", "time", 140), ("Name", "name", 180), ("Profile", "profile", 90), ("Score", "score", 70),
    ("Verdict", "verdict", 70), ("Review", None, 90), ("Lot", "lot", 70), ("Operator", "operator", 75),
    ("Station", "station", 75), ("Origin", "origin", 70), ("Message", None, 200),
)
VERDICT_COLUMN, REVIEW_COLUMN = 4, 5


class HistoryTableModel(QAbstractTableModel):
    """Matching history rows, newest first by default, loaded lazily through ``fetchMore``."""

    def __init__(self, database_path: Path) -> None:
        super().__init__()
        self.database_path = database_path
        self._database: HistoryDatabase | None = None
        self.filter = HistoryFilter()
        self.order_by, self.descending = "time", True
        self.rows: list[HistoryRow] = []
        self.total = 0
        self._exhausted = True

    # -- what is shown -------------------------------------------------------------------------------

    def database(self) -> HistoryDatabase:
        """The model's own connection (opened on first use, on the GUI thread that reads through it)."""
        if self._database is None:
            self._database = HistoryDatabase(self.database_path)
        return self._database

    def set_filter(self, flt: HistoryFilter) -> None:
        """Show the rows ``flt`` matches, from the first page."""
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Count and read the first page again (new rows recorded, a filter or order changed)."""
        database = self.database()
        self.beginResetModel()
        self.total = database.count(self.filter)
        self.rows = database.query(self.filter, order_by=self.order_by, descending=self.descending, limit=PAGE_ROWS)
        self._exhausted = len(self.rows) < PAGE_ROWS
        self.endResetModel()

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None

    def row_at(self, row: int) -> HistoryRow:
        return self.rows[row]

    def replace_row(self, updated: HistoryRow) -> None:
        """Show a row again after a change (a review decision) without reloading the page."""
        for position, row in enumerate(self.rows):
            if row.id == updated.id:
                self.rows[position] = updated
                self.dataChanged.emit(self.index(position, 0), self.index(position, len(COLUMNS) - 1))
                return

    # -- Qt's model interface ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][0]
        if orientation == Qt.Horizontal and role == Qt.ToolTipRole and COLUMNS[section][1] is None:
            return "This column cannot be sorted"
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        row = self.rows[index.row()]
        record, review, column = row.record, row.review, index.column()
        if role == Qt.DisplayRole:
            return (
                record.inspected_at.replace("T", " ")[:19],
                record.name,
                record.profile_name,
                "" if record.score is None else f"{score_text(record.score)}",
                record.verdict,
                f"{review.decision} ({review.reviewer})" if review else "",
                record.lot,
                record.operator,
                record.station,
                record.origin,
                record.message,
            )[column]
        if role == Qt.BackgroundRole and column == VERDICT_COLUMN:
            return VERDICT_COLOURS[record.verdict]
        if role == Qt.BackgroundRole and column == REVIEW_COLUMN and review:
            return VERDICT_COLOURS[review.decision]
        if role == Qt.ToolTipRole:
            if column == REVIEW_COLUMN and review:
                return f"{review.decision} by {review.reviewer}, {review.reviewed_at}" + (
                    f": {review.reason}" if review.reason else "")
            return record.path
        return None

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or self._exhausted:
            return
        keyset = self.order_by in KEYSET_ORDERS and self.rows
        page = self.database().query(
            self.filter, order_by=self.order_by, descending=self.descending, limit=PAGE_ROWS,
            after=self.rows[-1] if keyset else None, offset=0 if keyset else len(self.rows),
        )
        self._exhausted = len(page) < PAGE_ROWS
        if page:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        """Sort by a column through the database; columns it cannot sort by leave the order as it is."""
        key = COLUMNS[column][1]
        if key is None:
            return
        self.order_by, self.descending = key, order == Qt.DescendingOrder
        self.reload()
