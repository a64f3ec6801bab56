"""The Review tab: flagged results wait here for a person, who decides OK or NOK beside the machine verdict.

The queue is read from the history database on the GUI thread (a page of rows takes milliseconds), with a
database opened for each read; decisions go to the history writer's thread, so the tab never waits on a
write. Images that people found good can be added to their profile's held-back set to recalibrate it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from radar_desktop.core.quantities import score_text
from radar_desktop.core.records import login_name
from radar_desktop.core.verdict import Verdict
from radar_desktop.gui.reference_view import WARNING_STYLE
from radar_desktop.gui.results_table import VERDICT_BACKGROUNDS
from radar_desktop.gui.viewer import VERDICT_COLOURS
from radar_desktop.history.database import HistoryDatabase, HistoryError, HistoryFilter, HistoryRow
from radar_desktop.history.pictures import row_pictures
from radar_desktop.history.review_queue import pending_count, pending_rows, reviewed_good
from radar_desktop.history.writer import ReviewResult
from radar_desktop.profiles.profile import ProfileError
from radar_desktop.profiles.recalibration import Recalibration, not_yet_added
from radar_desktop.profiles.store import open_profile, profiles_reviewing_nok

ALL_PROFILES = "All profiles"
ORDERS = {"Oldest first": False, "Newest first": True}
PAGE = 200  # rows listed at once; the count says how many wait in all
PICTURE_SIDE = 720  # long side of the image shown (the stored heatmap is scaled to it)
SHORTCUTS = {"OK": "O", "NOK": "X"}
DECISION_STYLES = {"OK": "QPushButton { color: #1b5e20; font-weight: bold; }",
                   "NOK": "QPushButton { color: #b71c1c; font-weight: bold; }"}
ID_ROLE = Qt.UserRole


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Whether the person confirms (a Yes/No question; tests replace it)."""
    return QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes


class _PicturePairWidget(pg.GraphicsLayoutWidget):
    """The image and its heatmap side by side, panned and zoomed together."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#26282b")  # the reference view's grey: the pictures' edges stay visible
        self.views, self.items = [], []
        for column in range(2):
            view = self.addViewBox(row=0, col=column, lockAspect=True, invertY=True, enableMenu=False)
            item = pg.ImageItem(axisOrder="row-major")
            view.addItem(item)
            self.views.append(view)
            self.items.append(item)
        self.views[1].setXLink(self.views[0])
        self.views[1].setYLink(self.views[0])

    def show_pictures(self, image: np.ndarray | None, heatmap: np.ndarray | None) -> None:
        """Show grey or BGR uint8 pictures (OpenCV's order, as the history keeps them); None leaves a side empty."""
        for item, picture in zip(self.items, (image, heatmap)):
            if picture is None:
                item.clear()
            else:
                item.setImage(picture if picture.ndim == 2 else picture[:, :, ::-1], levels=(0, 255))
        if image is not None:
            self.views[0].autoRange(padding=0.01)


class ReviewQueueWidget(QWidget):
    """Pending REVIEW results (and NOK ones of profiles set to review them), one decision at a time.

    ``submit(inspection_id, decision, reason, reviewer)`` queues a decision to be written (the history
    writer's ``submit_review``); call :meth:`review_stored` on the GUI thread with the writer's answer.
    ``reviewer()`` names who decides (the window's operator field). ``nok_profiles()`` names the profiles
    whose NOK results wait too.
    """

    sig_decided = Signal(object)
    """Review the history stored (the inspection's machine verdict is unchanged)."""
    sig_count_changed = Signal(int)
    """How many results wait for a decision (for the tab's title)."""
    sig_recalibrate_requested = Signal(str, object)
    """Profile name and the tuple of GoodImage (reviewed OK) to add to its held-back set."""

    def __init__(
        self,
        submit: Callable[[int, str, str, str], None],
        reviewer: Callable[[], str],
        *,
        database_path: Path | None = None,
        nok_profiles: Callable[[], Iterable[str]] = profiles_reviewing_nok,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit, self._reviewer, self._nok_profiles = submit, reviewer, nok_profiles
        self.database_path = database_path
        self._rows: dict[int, HistoryRow] = {}  # listed rows by inspection id
        self._sent: dict[int, HistoryRow] = {}  # decided here, not yet stored: kept out of the list
        self._files_dir = Path()  # the database's picture folder, known once it is read
        self.count = 0
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.profile_box = QComboBox()
        self.profile_box.setMinimumWidth(140)
        self.order_box = QComboBox()
        self.order_box.addItems(list(ORDERS))
        self.refresh_button = QPushButton("Refresh")
        self.count_label = QLabel()
        self.count_label.setStyleSheet("QLabel { font-weight: bold; font-size: 14px; }")
        self.scope_label = QLabel()
        self.scope_label.setStyleSheet("QLabel { color: #616161; }")
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Inspected", "Name", "Verdict", "Score", "Profile"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        for column in range(5):  # the name takes what the others leave, elided in the middle
            header.setSectionResizeMode(column, QHeaderView.Stretch if column == 1 else QHeaderView.ResizeToContents)
        self.list.setTextElideMode(Qt.ElideMiddle)
        self.recalibrate_button = QPushButton("Recalibrate with reviewed-good images…")
        filters = QHBoxLayout()
        for widget in (QLabel("Profile"), self.profile_box, self.order_box):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(filters)
        counts = QHBoxLayout()
        counts.addWidget(self.count_label)
        counts.addWidget(self.scope_label, 1)
        column.addLayout(counts)
        column.addWidget(self.list, 1)
        column.addWidget(self.recalibrate_button)

        self.header = QLabel("Nothing selected")
        self.header.setTextFormat(Qt.RichText)
        self.header.setWordWrap(True)
        self.image_caption = QLabel()
        self.image_caption.setWordWrap(True)
        self.heatmap_caption = QLabel("Heatmap (as stored)")
        self.pictures = _PicturePairWidget()
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Reason (optional), e.g. dust, not a scratch")
        self.reviewer_label = QLabel()
        self.reviewer_label.setTextFormat(Qt.PlainText)
        self.decision_buttons = {}
        for decision, key in SHORTCUTS.items():
            button = QPushButton(f"{decision}   [{key}]")
            button.setStyleSheet(DECISION_STYLES[decision])
            button.setToolTip(f"Decide {decision} for this image and go to the next (key {key})")
            button.setMinimumWidth(110)
            button.clicked.connect(lambda _checked=False, d=decision: self.decide(d))
            QShortcut(QKeySequence(key), self, lambda d=decision: self.decide(d), context=Qt.WidgetWithChildrenShortcut)
            self.decision_buttons[decision] = button
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        captions = QHBoxLayout()
        captions.addWidget(self.image_caption, 1)
        captions.addWidget(self.heatmap_caption, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.reason_edit, 1)
        decide.addWidget(self.reviewer_label)
        for button in self.decision_buttons.values():
            decide.addWidget(button)
        right = QWidget()
        detail = QVBoxLayout(right)
        detail.setContentsMargins(0, 0, 0, 0)
        detail.addWidget(self.header)
        detail.addLayout(captions)
        detail.addWidget(self.pictures, 1)
        detail.addLayout(decide)
        detail.addWidget(self.status_label)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.profile_box.activated.connect(self._on_profile_box_activated)
        self.order_box.activated.connect(self._on_order_box_activated)
        self.refresh_button.clicked.connect(self.refresh)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.recalibrate_button.clicked.connect(self._on_recalibrate_button_clicked)

    # ----- reading the queue
    def refresh(self) -> None:
        """Read the queue again (after a scan, a decision made elsewhere, a change of filter)."""
        selected = self.current_row()
        try:
            with HistoryDatabase(self.database_path) as database:
                self._files_dir = database.files_dir
                profiles = database.choices("profile_name")
                flt = self._filter()
                noks = frozenset(self._nok_profiles())
                rows = pending_rows(database, flt, nok_profiles=noks, newest_first=ORDERS[self.order_box.currentText()],
                                    limit=PAGE + len(self._sent))
                count = pending_count(database, flt, nok_profiles=noks)
        except HistoryError as error:
            self._fill_profiles([])
            self._show_rows([], 0)
            self.status_label.setText(str(error))
            return
        self._fill_profiles(profiles)
        self.scope_label.setText(_scope_text(flt.profile_name, noks))
        sent = [row for row in self._sent.values() if flt.profile_name in (None, row.record.profile_name)]
        self._show_rows([row for row in rows if row.id not in self._sent][:PAGE], count - len(sent))
        self.select(selected.id if selected is not None else None)

    def _filter(self) -> HistoryFilter:
        profile = self.profile_box.currentText()
        return HistoryFilter(profile_name=None if profile in ("", ALL_PROFILES) else profile)

    def _fill_profiles(self, names: list[str]) -> None:
        current = self.profile_box.currentText() or ALL_PROFILES
        self.profile_box.clear()
        self.profile_box.addItems([ALL_PROFILES, *names])
        self.profile_box.setCurrentText(current if current in names else ALL_PROFILES)
        chosen = self.profile_box.currentText() != ALL_PROFILES
        self.recalibrate_button.setEnabled(chosen)
        self.recalibrate_button.setToolTip(
            "Add the images reviewed OK to this profile's held-back set and set its thresholds again" if chosen
            else "Choose a profile above to recalibrate it with its images reviewed OK")

    def _show_rows(self, rows: list[HistoryRow], count: int) -> None:
        self.list.blockSignals(True)  # one selection change at the end, not one per row
        self.list.clear()
        self._rows = {row.id: row for row in rows}
        for row in rows:
            record = row.record
            score = "" if record.score is None else f"{score_text(record.score)}"
            item = QTreeWidgetItem([record.inspected_at[:16].replace("T", " "), record.name, record.verdict, score,
                                    record.profile_name])
            item.setData(0, ID_ROLE, row.id)
            item.setBackground(2, QColor(VERDICT_BACKGROUNDS[record.verdict]))
            item.setToolTip(1, record.path)
            self.list.addTopLevelItem(item)
        self.list.setCurrentItem(None)  # so selecting a row next always shows it
        self.list.blockSignals(False)
        self._set_count(count)
        self._show(None)

    def _set_count(self, count: int) -> None:
        self.count = max(0, count)
        self.count_label.setText(f"{self.count} waiting" if self.count else "Nothing waits for review")
        self.sig_count_changed.emit(self.count)

    def current_row(self) -> HistoryRow | None:
        item = self.list.currentItem()
        return None if item is None else self._rows.get(item.data(0, ID_ROLE))

    def select(self, inspection_id: int | None) -> None:
        """Make a listed row current (the first when it is not listed)."""
        for index in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(index).data(0, ID_ROLE) == inspection_id:
                self.list.setCurrentItem(self.list.topLevelItem(index))
                return
        if self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def _on_list_current_item_changed(self, current: QTreeWidgetItem | None, _previous=None) -> None:
        self._show(None if current is None else self._rows.get(current.data(0, ID_ROLE)))

    def _show(self, row: HistoryRow | None) -> None:
        for button in self.decision_buttons.values():
            button.setEnabled(row is not None)
        self.reviewer_label.setText(f"decide as {self._reviewer_name()}")
        if row is None:
            self.header.setText("Nothing selected" if self._rows else "No result waits for a decision")
            self.image_caption.clear()
            self.image_caption.setStyleSheet("")
            self.pictures.show_pictures(None, None)
            return
        record = row.record
        self.header.setText(_header_html(row))
        pictures = row_pictures(self._files_dir, row, side=PICTURE_SIDE)
        unchanged = pictures.source == record.path
        self.image_caption.setText(f"Image: {'the inspected file' if unchanged else pictures.source}")
        self.image_caption.setStyleSheet("" if unchanged else WARNING_STYLE)
        self.heatmap_caption.setText("Heatmap (as stored)" if pictures.heatmap is not None else "No heatmap was stored")
        self.pictures.show_pictures(pictures.image, pictures.heatmap)

    # ----- deciding
    def decide(self, decision: str) -> None:
        """Send a decision on the current row to the history writer and move to the next row."""
        row = self.current_row()
        if row is None:
            return
        reason = " ".join(self.reason_edit.text().split())
        reviewer = self._reviewer_name()
        try:
            self._submit(row.id, decision, reason, reviewer)
        except RuntimeError as error:  # the writer is closed: the window is closing
            self.status_label.setText(f"The decision was not sent: {error}")
            return
        self._sent[row.id] = row
        self.reason_edit.clear()
        index = self.list.indexOfTopLevelItem(self.list.currentItem())
        del self._rows[row.id]
        self.list.takeTopLevelItem(index)
        self._set_count(self.count - 1)
        self.status_label.setText(f"{row.record.name}: {decision} by {reviewer}, being stored…")
        if self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(min(index, self.list.topLevelItemCount() - 1)))
        elif self.count:
            self.refresh()  # the next page
        else:
            self._show(None)
        self.list.setFocus()

    def review_stored(self, result: ReviewResult) -> None:
        """The history writer's answer to a decision sent from here (call on the GUI thread)."""
        row = self._sent.pop(result.inspection_id, None)
        if row is None:
            return  # decided elsewhere (the CLI, another window): nothing shown here waits on it
        if result.review is None:
            self.status_label.setText(f"{row.record.name}: {result.error}; it waits in the queue again")
            self.refresh()
            return
        review = result.review
        self.status_label.setText(f"{row.record.name}: {review.decision} by {review.reviewer} stored "
                                  f"(the machine verdict {row.record.verdict} is kept beside it)")
        self.sig_decided.emit(review)

    def _reviewer_name(self) -> str:
        return self._reviewer().strip() or login_name()

    # ----- recalibrating
    def _on_recalibrate_button_clicked(self) -> None:
        name = self._filter().profile_name
        if name is None:
            return
        try:
            with HistoryDatabase(self.database_path) as database:
                candidates = reviewed_good(database, name)
            images = not_yet_added(open_profile(name), candidates)
        except (HistoryError, ProfileError) as error:
            self.status_label.setText(f"Cannot recalibrate: {error}")
            return
        if not images:
            held = len(candidates)
            self.status_label.setText(f"No reviewed-good image of {name} to add"
                                      + (f" (its {held} are in its held-back set already)" if held else ""))
            return
        text = (f"Add {len(images)} image{'s' if len(images) != 1 else ''} reviewed OK to the held-back set of profile "
                f"“{name}” and recalibrate its thresholds?\n\nThis makes a new version of the profile. Images "
                "moved or changed since they were reviewed are skipped.")
        if ask(self, "Recalibrate with reviewed-good images", text):
            self.status_label.setText(f"Recalibrating {name} with {len(images)} reviewed-good images…")
            self.sig_recalibrate_requested.emit(name, tuple(images))

    def recalibration_done(self, result: Recalibration) -> None:
        """Say what the recalibration did (the worker's ``sig_recalibrated``)."""
        self.status_label.setText(result.describe())

    # ----- filters
    def _on_profile_box_activated(self, _index: int) -> None:
        self.refresh()

    def _on_order_box_activated(self, _index: int) -> None:
        self.refresh()


def _scope_text(profile_name: str | None, nok_profiles: frozenset[str]) -> str:
    """Which verdicts wait, e.g. ``REVIEW results, and NOK ones of Tile A``."""
    noks = sorted(nok_profiles if profile_name is None else nok_profiles & {profile_name})
    if not noks:
        return "REVIEW results"
    return "REVIEW and NOK results" if profile_name else f"REVIEW results, and NOK ones of {', '.join(noks)}"


def _header_html(row: HistoryRow) -> str:
    """What the reviewer needs beside the pictures: name, machine verdict and score against the thresholds."""
    record = row.record
    colour = VERDICT_COLOURS[Verdict(record.verdict)]
    score = "–" if record.score is None else f"{score_text(record.score)}"
    limits = (f" &nbsp; REVIEW &gt; {score_text(record.review_threshold)}, NOK &gt; {score_text(record.nok_threshold)}"
              if record.review_threshold is not None and record.nok_threshold is not None else "")
    facts = [f"profile {record.profile_name or '–'}", record.inspected_at.replace("T", " ")[:19],
             f"lot {record.lot}" if record.lot else "", f"inspected by {record.operator}" if record.operator else ""]
    rule = f"<br><i>{html.escape(record.message)}</i>" if record.message else ""
    verdict = f"<span style='color:{colour}; font-weight:bold'>{record.verdict}</span>"
    return (f"<b>{html.escape(record.name)}</b> &nbsp; {verdict}"
            f" &nbsp; score <b>{score}</b>{limits}<br>{html.escape(' · '.join(f for f in facts if f))}{rule}")
