"""Session library: every recorded session, searchable and sortable; open, delete, export, import.

The widget shows what ``set_sessions`` gave it and emits intents; the owner does the
database and file work (off the UI thread) and calls ``set_sessions`` / ``set_message``.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex, QSortFilterProxyModel,
                            Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

SORT_ROLE = Qt.UserRole + 1
SEARCH_ROLE = Qt.UserRole + 2
ID_ROLE = Qt.UserRole + 3
FILE_FILTER = "Livedesk session (*.livedesk);;All files (*)"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def fmt_duration(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def fmt_start(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "—"


def session_status(info) -> str:
    """``recording``, ``ended`` or ``interrupted`` (SessionInfo.status; rows without it: by
    ``ended_at``)."""
    status = getattr(info, "status", None)
    if status in ("recording", "ended", "interrupted"):
        return status
    return "ended" if getattr(info, "ended_at", None) else "recording"


def status_text(status: str) -> str:
    return {"recording": _tr("recording"), "ended": _tr("ended"),
            "interrupted": _tr("interrupted")}.get(status, status)


class SessionTableModel(QAbstractTableModel):
    """SessionInfo rows (console.recorder.store.SessionInfo or anything with the same fields)."""

    COLUMNS = ("title", "room", "started_at", "duration_s", "gmv", "orders", "peak_online", "events",
               "status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def headers(self) -> list[str]:
        return [_tr("Title"), _tr("Room"), _tr("Start"), _tr("Duration"), _tr("GMV"), _tr("Orders"),
                _tr("Peak online"), _tr("Events"), _tr("Status")]

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        col = self.COLUMNS[index.column()]
        status = session_status(info)
        value = status if col == "status" else getattr(info, col)
        if role == Qt.DisplayRole:
            if col == "status":
                return ("● " if status == "recording" else "⚠ " if status == "interrupted"
                        else "") + status_text(status)
            if col == "title":
                return info.title or info.id
            if col == "room":
                return value or "—"
            if col == "started_at":
                return fmt_start(value)
            if col == "duration_s":
                return fmt_duration(value) + (" ●" if status == "recording" else "")
            if col == "gmv":
                return f"¥{value:,.2f}"
            return f"{int(value):,}"
        if role == SORT_ROLE:
            if col in ("title", "room", "status"):
                return (value or info.id or "").lower()
            return float(value or 0)
        if role == SEARCH_ROLE:
            return " ".join(str(x or "") for x in (info.title, info.room, info.id, info.platform,
                                                    fmt_start(info.started_at),
                                                    status_text(status))).lower()
        if role == ID_ROLE:
            return info.id
        if role == Qt.TextAlignmentRole and col not in ("title", "room", "status"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            state = {"recording": _tr("still recording"), "ended": _tr("ended"),
                     "interrupted": _tr("interrupted: the feed restarted or the recorder stopped "
                                        "without ending the session")}[status]
            return f"{info.id} · {info.platform or ''} · {state}"
        if role == Qt.ForegroundRole and col in ("duration_s", "status"):
            if status == "recording":
                return QBrush(QColor("#ff4040"))
            if status == "interrupted":
                return QBrush(QColor("#ffb020"))
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):          # Qt >= 6.9
            self.beginFilterChange()
            self.words = text.lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.words = text.lower().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        if not self.words:
            return True
        hay = self.sourceModel().index(row, 0, parent).data(SEARCH_ROLE) or ""
        return all(w in hay for w in self.words)


class SessionLibrary(QWidget):
    """Table of recorded sessions with search, sort and the session file actions."""

    # ---- Signals
    sig_open = Signal(str)
    """Open a session for replay (session id)."""
    sig_delete = Signal(str)
    """Delete a session (confirmed by the user)."""
    sig_export = Signal(str, str)
    """Export a session to one portable file: (session id, path)."""
    sig_import = Signal(str)
    """Import a session file (path)."""
    sig_reload = Signal()
    """Re-read the list of sessions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session_library")
        self.now = time.time
        self.state = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(_tr("Search title, room, date or id"))
        self.search.setClearButtonEnabled(True)
        top.addWidget(self.search, 1)
        self.btn_open = QPushButton(_tr("Open replay"))
        self.btn_open.setObjectName("primary")
        self.btn_export = QPushButton(_tr("Export…"))
        self.btn_import = QPushButton(_tr("Import…"))
        self.btn_delete = QPushButton(_tr("Delete…"))
        self.btn_reload = QPushButton(_tr("Reload"))
        for b in (self.btn_open, self.btn_export, self.btn_import, self.btn_delete, self.btn_reload):
            top.addWidget(b)
        lay.addLayout(top)
        self.model = SessionTableModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        for c in range(2, len(SessionTableModel.COLUMNS)):
            self.table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeToContents)
        lay.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("muted")
        lay.addWidget(self.message)
        self.search.textChanged.connect(self._on_search)
        self.table.doubleClicked.connect(lambda _i: self._on_open())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.btn_open.clicked.connect(self._on_open)
        self.btn_export.clicked.connect(self._on_export)
        self.btn_import.clicked.connect(self._on_import)
        self.btn_delete.clicked.connect(self._on_delete)
        self.btn_reload.clicked.connect(self.sig_reload.emit)
        sc = QShortcut(QKeySequence("Ctrl+F"), self)
        sc.activated.connect(self.search.setFocus)
        sc_del = QShortcut(QKeySequence.Delete, self.table)
        sc_del.setContext(Qt.WidgetShortcut)
        sc_del.activated.connect(self._on_delete)
        self._update_buttons()

    # ---- Public API
    def set_state(self, state) -> None:   # frame-clock protocol; the library has no session state
        self.state = state

    def refresh(self) -> None:
        pass

    def set_sessions(self, sessions: list) -> None:
        selected = self.selected_id()
        self.model.set_rows(sessions)
        if selected:
            self.select(selected)
        total = sum(s.gmv for s in sessions)
        self.set_message(f"{len(sessions)} " + _tr("sessions") + f" · GMV ¥{total:,.2f}")
        self._update_buttons()

    def set_message(self, text: str) -> None:
        self.message.setText(text)

    def session_ids(self) -> list[str]:
        """Ids in the order shown (after search and sort)."""
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].data(ID_ROLE) if rows else None

    def select(self, session_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(ID_ROLE) == session_id:
                self.table.selectRow(r)
                return True
        return False

    # ---- Dialogs (tests replace these)
    def confirm_delete(self, info) -> bool:
        text = (_tr("Delete the recording of this session? This cannot be undone.") + "\n\n"
                + f"{info.title or info.id}\n{info.room or ''}  {fmt_start(info.started_at)}  "
                + f"{int(info.events):,} " + _tr("events"))
        answer = QMessageBox.question(self, _tr("Delete session"), text,
                                      QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Yes

    def ask_export_path(self, info) -> str:
        name = f"{info.id}.livedesk".replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, _tr("Export session"), name, FILE_FILTER)
        return path

    def confirm_import_copy(self, session_id: str) -> bool:
        text = (_tr("A session with this id is already in the library:") + f"\n{session_id}\n\n"
                + _tr("Import it again as a copy under a new id?"))
        answer = QMessageBox.question(self, _tr("Import session"), text,
                                      QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Yes

    def ask_import_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, _tr("Import session"), "", FILE_FILTER)
        return path

    # ---- Internals
    def _info(self, session_id: str | None):
        return next((s for s in self.model.rows if s.id == session_id), None)

    def _update_buttons(self, *args) -> None:
        has = self.selected_id() is not None
        for b in (self.btn_open, self.btn_export, self.btn_delete):
            b.setEnabled(has)

    # ---- Slots
    def _on_search(self, text: str) -> None:
        self.proxy.set_text(text)
        if self.selected_id() is None and self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def _on_open(self) -> None:
        sid = self.selected_id()
        if sid:
            self.sig_open.emit(sid)

    def _on_delete(self) -> None:
        info = self._info(self.selected_id())
        if info is not None and self.confirm_delete(info):
            self.sig_delete.emit(info.id)

    def _on_export(self) -> None:
        info = self._info(self.selected_id())
        if info is None:
            return
        path = self.ask_export_path(info)
        if path:
            self.sig_export.emit(info.id, path)

    def _on_import(self) -> None:
        path = self.ask_import_path()
        if path:
            self.sig_import.emit(path)
