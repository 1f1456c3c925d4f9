"""Plan editor (直播脚本编辑): the whole show plan, product by product, checked as you type.

A window reachable from the start dialog and from the console (menu Plan). Products are
added, removed, duplicated and reordered on the left; every field of the selected product
is edited on the right (SKU, title, prices, offer mechanics and flash sale, stock, planned
minutes, image URL, the cue card and the script). Problems appear as you type, in the list
at the bottom and on the fields themselves: the plan rules of ``console.core.plan`` and the
advertising-law check of ``console.compliance``, i.e. what ``livedesk check-plan`` says.
Every change is undoable (QUndoStack, Ctrl+Z / Ctrl+Shift+Z). The editor also imports a
sheet (with :class:`ColumnMappingDialog`), the products of the live session, and exports
XLSX or a PDF run of show.

During a show the editor is given the session state: "Apply to show" (Ctrl+Return) emits
:attr:`PlanEditor.sig_product_upserted` for each product added or changed since the last
apply; the console turns it into a ``plan.product_upserted`` event in the session log.

The widget keeps to the rule that widgets do no I/O except at the operator's explicit
request (open, save, import); exports are asked of the host (:attr:`PlanEditor.sig_export`),
which writes them off the UI thread and reports back with :meth:`PlanEditor.export_finished`.
"""

from __future__ import annotations

import copy
import re
import weakref
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QMainWindow, QMessageBox,
                               QPlainTextEdit, QPushButton, QScrollArea, QSplitter, QToolBar,
                               QVBoxLayout, QWidget)

from console.compliance import WordList, check_plan
from console.core.plan import PlanError, load_plan, plan_from_dict, save_plan
from console.plans.importer import (CellError, ImportError_, auto_mapping, build_plan, load_remembered,
                                 merge_products, parse_int, parse_minutes, parse_money,
                                 products_from_state, read_table, remember_mapping)
from widgets.column_mapping_dialog import ColumnMappingDialog
from widgets.script_editor import ComplianceHighlighter

CHECK_DELAY_MS = 150
LOCATION = re.compile(r"^products\[(\d+)\](?: \([^)]*\))?\.?([\w.]*)")

#: Product fields: (path in the plan entry, label, kind). Kinds: text, money, int, minutes,
#: list (one item per line), script.
PRODUCT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("sku", "SKU", "text"), ("title", "Title", "text"), ("price", "Price", "money"),
    ("list_price", "List price", "money"), ("stock", "Stock allotted", "int"),
    ("planned_minutes", "Planned minutes", "minutes"), ("image_url", "Image URL", "text"),
    ("offer.coupon", "Offer mechanics", "text"), ("offer.flash_price", "Flash-sale price", "money"),
    ("offer.flash_stock", "Flash-sale stock", "int"),
    ("offer.flash_minutes", "Flash-sale minutes", "minutes"),
    ("offer.limit_per_buyer", "Limit per buyer", "int"),
    ("cue_card.selling_points", "Selling points", "list"),
    ("cue_card.pitch_lines", "Pitch lines", "list"), ("cue_card.cautions", "Cautions", "list"),
    ("cue_card.banned_phrases", "Banned phrases", "list"), ("script", "Script", "script"))
SESSION_FIELDS = (("room", "Room"), ("title", "Session title"), ("platform", "Platform"))
CHECKED_PATHS = frozenset({"cue_card.selling_points", "cue_card.pitch_lines", "script"})


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def _labels() -> dict[str, str]:
    """Translated labels (literal calls, so the i18n extractor sees each one)."""
    return {"SKU": _tr("SKU"), "Title": _tr("Title"), "Price": _tr("Price"),
            "List price": _tr("List price"), "Stock allotted": _tr("Stock allotted"),
            "Planned minutes": _tr("Planned minutes"), "Image URL": _tr("Image URL"),
            "Offer mechanics": _tr("Offer mechanics"), "Flash-sale price": _tr("Flash-sale price"),
            "Flash-sale stock": _tr("Flash-sale stock"),
            "Flash-sale minutes": _tr("Flash-sale minutes"), "Limit per buyer": _tr("Limit per buyer"),
            "Selling points": _tr("Selling points"), "Pitch lines": _tr("Pitch lines"),
            "Cautions": _tr("Cautions"), "Banned phrases": _tr("Banned phrases"),
            "Script": _tr("Script"), "Room": _tr("Room"), "Session title": _tr("Session title"),
            "Platform": _tr("Platform")}


# ---- The model: a plan mapping with raw values -----------------------------------------------
def get_path(entry: dict, path: str) -> Any:
    value: Any = entry
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def set_path(entry: dict, path: str, value: Any) -> None:
    """Set (or, for None/""/[], remove) a possibly nested field; empty parents are dropped."""
    parts = path.split(".")
    target = entry
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    if value is None or value == "" or value == []:
        target.pop(parts[-1], None)
        if len(parts) > 1 and not target:
            entry.pop(parts[0], None)
    else:
        target[parts[-1]] = value


def value_from_text(kind: str, text: str) -> Any:
    """What a field's text means in the plan: numbers parsed (¥199, 300件, 8分钟 accepted);
    text that is not a number is kept as typed so the plan check names the problem."""
    if kind in ("list",):
        return [ln.strip() for ln in text.splitlines() if ln.strip()]
    if kind == "script":
        return text.strip("\n")
    text = text.strip()
    if not text:
        return None
    try:
        if kind == "money":
            return _plain(parse_money(text))
        if kind == "int":
            return parse_int(text)
        if kind == "minutes":
            return _plain(parse_minutes(text))
    except CellError:
        return text
    return text


def text_from_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _plain(value: float | None) -> float | int | None:
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def new_sku(existing: set[str], base: str = "NEW") -> str:
    n = 1
    while f"{base}-{n:03d}" in existing:
        n += 1
    return f"{base}-{n:03d}"


# ---- Undo commands -------------------------------------------------------------------------
class _EditCommand(QUndoCommand):
    """Replace the editor's plan with another one (every edit is a before/after snapshot)."""

    def __init__(self, editor: "PlanEditor", text: str, before: dict, after: dict,
                 select: tuple[int, int], merge_key: str | None = None) -> None:
        super().__init__(text)
        # A weak reference: the stack (owned by the editor) holds the command, so a strong one
        # would make a cycle through C++ that only Python's cycle collector breaks, deleting
        # the editor's children underneath the stack.
        self._editor = weakref.ref(editor)
        self.before, self.after = before, after
        self.select_before, self.select_after = select
        self.merge_key = merge_key

    def id(self) -> int:  # Qt API
        return 1 if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, _EditCommand) or other.merge_key != self.merge_key:
            return False
        self.after, self.select_after = other.after, other.select_after
        return True

    def redo(self) -> None:
        editor = self._editor()
        if editor is not None:
            editor._apply_plan(self.after, self.select_after)

    def undo(self) -> None:
        editor = self._editor()
        if editor is not None:
            editor._apply_plan(self.before, self.select_before)


# ---- The window ------------------------------------------------------------------------------
class PlanEditor(QMainWindow):
    """Edit a show plan: products, fields, checks, undo/redo, import and export."""

    # ---- Signals
    sig_saved = Signal(str)
    """The plan was saved to this path."""
    sig_product_upserted = Signal(dict, int)
    """During a show: a product was added or changed (the plan entry, its position)."""
    sig_message = Signal(str)
    """A short message for the status bar."""
    sig_export = Signal(str, str, dict)
    """Export the plan: (format "xlsx" or "pdf", path, a copy of the plan). The host writes it
    and calls :meth:`export_finished`."""

    SETTINGS_GROUP = "plan_editor"

    def __init__(self, words: WordList, plan: dict | None = None, path: str | None = None, *,
                 state=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_editor")
        self.setAttribute(Qt.WA_DeleteOnClose, False)
        self.words = words
        self.state = state
        self.path: str | None = path
        self.plan: dict = self._blank_plan() if plan is None else copy.deepcopy(plan)
        self.plan.setdefault("session", {})
        self.plan.setdefault("products", [])
        self.current = 0 if self.plan["products"] else -1
        self.undo = QUndoStack(self)
        self.problems: list[tuple[int, str, str, str]] = []   # (index, field, level, text)
        self._applied: dict[str, dict] = {p.get("sku"): copy.deepcopy(p)
                                          for p in self.plan["products"]}
        self._loading = False
        self._typing: str | None = None      # the field being typed in: not reloaded
        self._dialogs: list[QWidget] = []
        self.labels = _labels()
        self.resize(1280, 860)
        self._build()
        self.sig_message.connect(self._on_message)
        self.undo.cleanChanged.connect(self._on_clean_changed)
        self.undo.indexChanged.connect(self._on_undo_index)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.run_check)
        self._fill_list()
        self._load_form()
        self.run_check()
        self._update_title()

    # ---- Building
    def _build(self) -> None:
        tb = QToolBar(_tr("Plan"), self)
        tb.setObjectName("plan_toolbar")
        self.addToolBar(tb)
        menu = self.menuBar().addMenu(_tr("&File"))
        self.actions: dict[str, QAction] = {}

        def action(key: str, text: str, slot, shortcut=None, toolbar: bool = False, m=menu) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            m.addAction(act)
            if toolbar:
                tb.addAction(act)
            self.actions[key] = act
            return act

        action("new", _tr("New plan"), self._on_new, QKeySequence.New)
        action("open", _tr("Open plan…"), self._on_open, QKeySequence.Open)
        action("save", _tr("Save"), self.save, QKeySequence.Save, True)
        action("save_as", _tr("Save as…"), self._on_save_as, QKeySequence.SaveAs)
        menu.addSeparator()
        action("import", _tr("Import sheet (XLSX/CSV)…"), self._on_import_sheet, "Ctrl+I", True)
        action("import_live", _tr("Import products from the live session"), self._on_import_live,
               None, True)
        menu.addSeparator()
        action("export_xlsx", _tr("Export to XLSX…"), lambda: self._on_export("xlsx"))
        action("export_pdf", _tr("Export run of show (PDF)…"), lambda: self._on_export("pdf"), None, True)
        menu.addSeparator()
        action("close", _tr("Close"), self.close, QKeySequence.Close)
        edit = self.menuBar().addMenu(_tr("&Edit"))
        undo = self.undo.createUndoAction(self, _tr("Undo"))
        undo.setShortcut(QKeySequence.Undo)
        redo = self.undo.createRedoAction(self, _tr("Redo"))
        redo.setShortcut(QKeySequence.Redo)
        edit.addAction(undo)
        edit.addAction(redo)
        self.actions["undo"], self.actions["redo"] = undo, redo
        tb.addSeparator()
        tb.addAction(undo)
        tb.addAction(redo)
        edit.addSeparator()
        action("add", _tr("Add product"), self.add_product, "Ctrl+Shift+N", m=edit)
        action("duplicate", _tr("Duplicate product"), self.duplicate_product, "Ctrl+D", m=edit)
        action("remove", _tr("Remove product"), self.remove_product, None, m=edit)
        action("up", _tr("Move up"), lambda: self.move_product(-1), "Ctrl+Up", m=edit)
        action("down", _tr("Move down"), lambda: self.move_product(1), "Ctrl+Down", m=edit)
        action("apply", _tr("Apply to show"), self.apply_to_show, "Ctrl+Return", True, m=edit)
        self.actions["apply"].setToolTip(_tr("Send the products added or changed to the live "
                                             "session (recorded in the session log)"))
        self.actions["import_live"].setEnabled(self.state is not None)
        self.actions["apply"].setVisible(self.state is not None)

        central = QWidget()
        root = QVBoxLayout(central)
        session_box = QGroupBox(_tr("Session"))
        session_form = QHBoxLayout(session_box)
        self.session_edits: dict[str, QLineEdit] = {}
        for key, label in SESSION_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"session_{key}")
            edit.textEdited.connect(lambda _t, k=key: self._on_session_edited(k))
            session_form.addWidget(QLabel(self.labels[label]))
            session_form.addWidget(edit, 2 if key != "platform" else 1)
            self.session_edits[key] = edit
        root.addWidget(session_box)

        split = QSplitter(Qt.Horizontal)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        self.product_list = QListWidget()
        self.product_list.setObjectName("plan_products")
        self.product_list.currentRowChanged.connect(self._on_row_changed)
        self.product_list.setDragDropMode(QAbstractItemView.InternalMove)   # drag to reorder
        self.product_list.setDefaultDropAction(Qt.MoveAction)
        self.product_list.model().rowsMoved.connect(self._on_rows_moved)
        llay.addWidget(self.product_list, 1)
        buttons = QHBoxLayout()
        self.list_buttons: dict[str, QPushButton] = {}
        for key, text in (("add", "+"), ("duplicate", "×2"), ("remove", "−"), ("up", "↑"), ("down", "↓")):
            b = QPushButton(text)
            b.setToolTip(self.actions[key].text())
            b.setFixedWidth(40)
            b.clicked.connect(self.actions[key].trigger)
            buttons.addWidget(b)
            self.list_buttons[key] = b
        buttons.addStretch(1)
        llay.addLayout(buttons)
        self.totals = QLabel()
        self.totals.setObjectName("muted")
        llay.addWidget(self.totals)
        split.addWidget(left)

        form_host = QWidget()
        form = QFormLayout(form_host)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.highlighters: dict[str, ComplianceHighlighter] = {}
        for path, label, kind in PRODUCT_FIELDS:
            if kind in ("list", "script"):
                edit: QLineEdit | QPlainTextEdit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                edit.setMinimumHeight(60 if kind == "list" else 110)
                edit.setPlaceholderText(_tr("one per line") if kind == "list" else "")
                edit.textChanged.connect(lambda p=path: self._on_field_edited(p))
                if path in CHECKED_PATHS:
                    self.highlighters[path] = ComplianceHighlighter(edit.document(), self.words)
            else:
                edit = QLineEdit()
                edit.textEdited.connect(lambda _t, p=path: self._on_field_edited(p))
                if kind == "money":
                    edit.setPlaceholderText("¥")
                elif kind == "minutes":
                    edit.setPlaceholderText(_tr("minutes"))
            edit.setObjectName("field_" + path.replace(".", "_"))
            self.edits[path] = edit
            form.addRow(self.labels[label], edit)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        split.addWidget(scroll)
        split.setSizes([330, 900])

        vsplit = QSplitter(Qt.Vertical)
        vsplit.addWidget(split)
        bottom = QWidget()
        blay = QVBoxLayout(bottom)
        blay.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("plan_summary")
        blay.addWidget(self.summary)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("plan_problems")
        self.problem_list.itemActivated.connect(self._on_problem_activated)
        self.problem_list.itemClicked.connect(self._on_problem_activated)
        blay.addWidget(self.problem_list, 1)
        vsplit.addWidget(bottom)
        vsplit.setSizes([640, 170])
        root.addWidget(vsplit, 1)
        self.setCentralWidget(central)

    # ---- Public API
    def to_dict(self) -> dict:
        return copy.deepcopy(self.plan)

    @property
    def dirty(self) -> bool:
        return not self.undo.isClean()

    def select(self, index: int) -> None:
        if 0 <= index < len(self.plan["products"]):
            self.product_list.setCurrentRow(index)

    def set_field(self, path: str, text: str) -> None:
        """Type ``text`` into a product field (as the operator would)."""
        edit = self.edits[path]
        if isinstance(edit, QPlainTextEdit):
            edit.setPlainText(text)
        else:
            edit.setText(text)
            self._on_field_edited(path)

    def add_product(self) -> None:
        existing = {str(p.get("sku")) for p in self.plan["products"]}
        entry = {"sku": new_sku(existing), "title": _tr("New product"), "price": 99,
                 "list_price": 99, "stock": 100, "planned_minutes": 5}
        at = self.current + 1 if self.current >= 0 else len(self.plan["products"])
        self._edit(_tr("Add product"), lambda plan: plan["products"].insert(at, entry), at)
        self.edits["title"].setFocus()
        self.edits["title"].selectAll()

    def duplicate_product(self) -> None:
        if self.current < 0:
            return
        src = copy.deepcopy(self.plan["products"][self.current])
        existing = {str(p.get("sku")) for p in self.plan["products"]}
        base = str(src.get("sku") or "NEW")
        src["sku"] = next(f"{base}-{n}" for n in range(2, 10_000) if f"{base}-{n}" not in existing)
        at = self.current + 1
        self._edit(_tr("Duplicate product"), lambda plan: plan["products"].insert(at, src), at)

    def remove_product(self) -> None:
        if self.current < 0:
            return
        at = self.current
        self._edit(_tr("Remove product"), lambda plan: plan["products"].pop(at),
                   min(at, len(self.plan["products"]) - 2))

    def move_product(self, step: int) -> None:
        at, to = self.current, self.current + step
        if at < 0 or not 0 <= to < len(self.plan["products"]):
            return

        def move(plan: dict) -> None:
            products = plan["products"]
            products.insert(to, products.pop(at))
        self._edit(_tr("Move product"), move, to)

    def run_check(self) -> list[tuple[int, str, str, str]]:
        """Check the plan as ``livedesk check-plan`` would; list and mark the problems."""
        problems: list[tuple[int, str, str, str]] = []
        try:
            plan_from_dict(self.plan, "plan")
        except PlanError as exc:
            for text in exc.problems:
                m = LOCATION.match(text)
                index = int(m.group(1)) if m else -1
                fld = (m.group(2).split(":")[0] if m else "").rstrip(".")
                problems.append((index, fld, "error", text))
        for hit in check_plan(self.plan, self.words):
            m = LOCATION.match(hit.location)
            index = int(m.group(1)) if m else -1
            fld = re.sub(r"\[\d+\]$|\s*\(line \d+\)$", "", m.group(2)) if m else ""
            h = hit.hit
            sugg = "、".join(h.suggestions) or _tr("rephrase")
            problems.append((index, fld, "law",
                             f"{hit.location}: 「{h.term}」 {h.category} → {sugg}"))
        self.problems = problems
        self.problem_list.clear()
        for index, fld, level, text in problems:
            item = QListWidgetItem(("✗ " if level == "error" else "⚠ " + _tr("Advertising law") + " ")
                                   + text)
            item.setForeground(QColor("#ff4d4f") if level == "error" else QColor("#d48806"))
            item.setData(Qt.UserRole, (index, fld))
            self.problem_list.addItem(item)
        errors = sum(1 for p in problems if p[2] == "error")
        hits = len(problems) - errors
        if not problems:
            self.summary.setText("✓ " + _tr("The plan is valid and passes the advertising-law check."))
            self.summary.setStyleSheet("color:#52c41a; font-weight:bold")
        else:
            self.summary.setText(_tr("%1 problem(s), %2 advertising-law hit(s)")
                                 .replace("%1", str(errors)).replace("%2", str(hits)))
            self.summary.setStyleSheet("color:#ff4d4f; font-weight:bold")
        self._mark_fields()
        self._mark_list()
        self._update_actions()
        return problems

    def save(self) -> bool:
        if not self.path:
            return self._on_save_as()
        return self.save_to(self.path)

    def save_to(self, path: str) -> bool:
        """Validate and write the plan; an invalid plan is not written (problems shown)."""
        self.run_check()
        try:
            save_plan(self.plan, path)
        except PlanError as exc:
            self._warn(_tr("The plan was not saved: fix these problems first."), exc.problems)
            return False
        except OSError as exc:
            self._warn(_tr("The plan was not saved") + f": {exc.strerror or exc}", [])
            return False
        self.path = str(path)
        self.undo.setClean()
        self._update_title()
        self.sig_message.emit(_tr("Plan saved") + f": {path}")
        self.sig_saved.emit(str(path))
        return True

    def load_plan(self, plan: dict) -> None:
        """Start over from ``plan`` (no undo history); what it holds counts as applied."""
        plan = copy.deepcopy(plan)
        plan.setdefault("session", {})
        plan.setdefault("products", [])
        self._applied = {p.get("sku"): copy.deepcopy(p) for p in plan["products"]}
        self.undo.clear()
        self._apply_plan(plan, 0)
        self.undo.setClean()
        self._update_title()

    def open_path(self, path: str) -> bool:
        try:
            plan = load_plan(path).to_dict()
        except PlanError as exc:
            self._warn(_tr("The plan cannot be opened"), exc.problems)
            return False
        self.path = str(path)
        self.load_plan(plan)
        return True

    def import_sheet(self, path: str, *, ask: bool = True) -> bool:
        """Read a sheet, let the operator check the mapping (:class:`ColumnMappingDialog`),
        and merge the rows into the plan by SKU (one undoable step)."""
        try:
            table = read_table(path)
        except ImportError_ as exc:
            self._warn(_tr("The sheet cannot be read"), [str(exc)])
            return False
        mapping, unknown = auto_mapping(table.headers, load_remembered())
        dialog = ColumnMappingDialog(table, mapping, unknown, parent=self)
        self._dialogs.append(dialog)
        if ask and dialog.exec() != ColumnMappingDialog.Accepted:
            return False
        mapping = dialog.mapping()
        try:
            remember_mapping(table.headers, mapping)
        except OSError:
            pass
        result = build_plan(table, mapping)
        self.import_products(result.plan, _tr("Import sheet"))
        left = len({p.row for p in result.errors})
        self.sig_message.emit(_tr("%n product(s) imported").replace("%n", str(len(result.plan["products"])))
                              + (" — " + _tr("%n row(s) left out").replace("%n", str(left)) if left else ""))
        return True

    def import_products(self, imported: dict, text: str) -> None:
        """Products of another plan into this one: for a SKU already here the imported fields
        replace the plan's (the others are kept), a new one is appended; an empty session
        takes the imported room and title."""
        def merge(plan: dict) -> None:
            index = {str(p.get("sku")): i for i, p in enumerate(plan["products"])}
            for prod in imported.get("products") or []:
                i = index.get(str(prod.get("sku")))
                if i is None:
                    index[str(prod.get("sku"))] = len(plan["products"])
                    plan["products"].append(copy.deepcopy(prod))
                else:                       # the sheet's fields over the plan's, the rest kept
                    entry = plan["products"][i]
                    for key, value in prod.items():
                        if isinstance(value, dict) and isinstance(entry.get(key), dict):
                            entry[key] = dict(entry[key], **copy.deepcopy(value))
                        else:
                            entry[key] = copy.deepcopy(value)
            for key, value in (imported.get("session") or {}).items():
                if value and not plan["session"].get(key):
                    plan["session"][key] = value
        self._edit(text, merge, max(0, self.current))

    def import_live_products(self) -> int:
        """The products the live session's feed reported, merged by SKU (never twice)."""
        if self.state is None:
            return 0
        merged, report = merge_products(self.plan, products_from_state(self.state))
        if report.added or report.updated:
            self._edit(_tr("Import products from the live session"),
                       lambda plan: plan.update(copy.deepcopy(merged)), max(0, self.current))
        self.sig_message.emit(_tr("Live session: %1 added, %2 updated")
                              .replace("%1", str(len(report.added)))
                              .replace("%2", str(len(report.updated))))
        return len(report.added)

    def changed_products(self) -> list[tuple[int, dict]]:
        """Products added or changed since the last apply to the show, with their position."""
        return [(i, p) for i, p in enumerate(self.plan["products"])
                if self._applied.get(p.get("sku")) != p]

    def apply_to_show(self) -> int:
        """Send each added or changed product that has no plan problem to the live session."""
        if self.state is None:
            return 0
        self.run_check()
        bad = {i for i, _f, level, _t in self.problems if level == "error"}
        sent = 0
        for i, prod in self.changed_products():
            if i in bad:
                continue
            self.sig_product_upserted.emit(copy.deepcopy(prod), i)
            self._applied[prod.get("sku")] = copy.deepcopy(prod)
            sent += 1
        skipped = len([i for i, _p in self.changed_products() if i in bad])
        msg = _tr("%n product(s) sent to the show").replace("%n", str(sent))
        if skipped:
            msg += " — " + _tr("%n with problems not sent").replace("%n", str(skipped))
        self.sig_message.emit(msg)
        self._mark_list()
        return sent

    def export(self, fmt: str, path: str) -> bool:
        """Ask for the plan to be written as XLSX or as the PDF run of show (``sig_export``);
        False, with the problems shown, when the plan cannot be exported as it is."""
        plan = copy.deepcopy(self.plan)
        try:
            plan_from_dict(plan)
        except PlanError as exc:
            self._warn(_tr("Fix the plan's problems before exporting it."), exc.problems)
            return False
        self.sig_export.emit(fmt, path, plan)
        return True

    def export_finished(self, message: str) -> None:
        """The host wrote an export (or could not): say so in the status bar."""
        self.sig_message.emit(message)

    # ---- Internals
    @staticmethod
    def _blank_plan() -> dict:
        return {"session": {"room": "", "title": "", "currency": "CNY", "platform": "douyin"},
                "products": []}

    def _edit(self, text: str, change: Callable[[dict], None], select: int,
              merge_key: str | None = None) -> None:
        before = copy.deepcopy(self.plan)
        after = copy.deepcopy(self.plan)
        change(after)
        if after == before:
            return
        self.undo.push(_EditCommand(self, text, before, after, (self.current, select), merge_key))

    def _apply_plan(self, plan: dict, select: int) -> None:
        self.plan = copy.deepcopy(plan)
        n = len(self.plan["products"])
        self.current = min(max(select, 0), n - 1) if n else -1
        self._fill_list()
        self._load_form()
        self._check_timer.start()
        self._update_title()

    def _fill_list(self) -> None:
        self.product_list.blockSignals(True)
        self.product_list.clear()
        for i, prod in enumerate(self.plan["products"]):
            item = QListWidgetItem()
            self.product_list.addItem(item)
        self.product_list.setCurrentRow(self.current)
        self.product_list.blockSignals(False)
        self._mark_list()
        self._load_session()

    def _mark_list(self) -> None:
        bad = {p[0] for p in self.problems if p[2] == "error"}
        law = {p[0] for p in self.problems if p[2] == "law"}
        minutes = 0.0
        for i, prod in enumerate(self.plan["products"]):
            item = self.product_list.item(i)
            if item is None:
                continue
            mark = "✗ " if i in bad else ("⚠ " if i in law else "")
            live = ""
            if self.state is not None and self._applied.get(prod.get("sku")) != prod:
                live = " •"
            price = prod.get("price")
            price_text = f"¥{price:g}" if isinstance(price, (int, float)) else "¥?"
            item.setText(f"{mark}{i + 1}. {prod.get('title') or '—'}  · {price_text}{live}")
            item.setToolTip(f"{prod.get('sku') or '—'}  {prod.get('title') or ''}  {price_text}")
            item.setForeground(QColor("#ff4d4f") if i in bad else
                               (QColor("#d48806") if i in law else QColor()))
            m = prod.get("planned_minutes")
            minutes += float(m) if isinstance(m, (int, float)) else 5.0
        self.totals.setText(_tr("%1 products, %2 planned minutes")
                            .replace("%1", str(len(self.plan["products"]))).replace("%2", f"{minutes:g}"))

    def _load_session(self) -> None:
        session = self.plan.get("session") or {}
        for key, edit in self.session_edits.items():
            if edit.text() != str(session.get(key) or ""):
                edit.setText(str(session.get(key) or ""))

    def _load_form(self) -> None:
        self._loading = True
        prod = self.plan["products"][self.current] if self.current >= 0 else {}
        for path, _label, kind in PRODUCT_FIELDS:
            edit = self.edits[path]
            edit.setEnabled(self.current >= 0)
            if path == self._typing:
                continue
            text = text_from_value(kind, get_path(prod, path))
            if isinstance(edit, QPlainTextEdit):
                if edit.toPlainText() != text:
                    edit.setPlainText(text)
            elif edit.text() != text:
                edit.setText(text)
        self._loading = False
        self._load_session()
        self._mark_fields()

    def _mark_fields(self) -> None:
        mine: dict[str, list[str]] = {}
        for index, fld, level, text in self.problems:
            if index == self.current and index >= 0:
                key = next((p for p, _l, _k in PRODUCT_FIELDS if fld == p or fld.startswith(p + "[")
                            or fld.startswith(p + " ")), fld)
                mine.setdefault(key, []).append(text)
        for path, edit in self.edits.items():
            msgs = mine.get(path)
            edit.setToolTip("\n".join(msgs) if msgs else "")
            edit.setStyleSheet("border: 1px solid #ff4d4f;" if msgs else "")
        words = self.words
        card = (self.plan["products"][self.current].get("cue_card") or {}) if self.current >= 0 else {}
        from console.compliance import words_for_card
        wl = words_for_card(words, card.get("banned_phrases") or [])
        for hl in self.highlighters.values():
            if [t.term for t in hl.words.terms] != [t.term for t in wl.terms]:
                hl.set_words(wl)

    def _update_actions(self) -> None:
        has = self.current >= 0
        n = len(self.plan["products"])
        for key in ("duplicate", "remove"):
            self.actions[key].setEnabled(has)
            self.list_buttons[key].setEnabled(has)
        self.actions["up"].setEnabled(has and self.current > 0)
        self.list_buttons["up"].setEnabled(has and self.current > 0)
        self.actions["down"].setEnabled(has and self.current < n - 1)
        self.list_buttons["down"].setEnabled(has and self.current < n - 1)
        if self.state is not None:
            self.actions["apply"].setEnabled(bool(self.changed_products()))

    def _update_title(self) -> None:
        name = Path(self.path).name if self.path else _tr("Untitled plan")
        self.setWindowTitle(("* " if self.dirty else "") + name + " — Livedesk " + _tr("Plan editor"))

    def _warn(self, text: str, problems: list[str]) -> None:
        box = QMessageBox(QMessageBox.Warning, "Livedesk", text, QMessageBox.Ok, self)
        if problems:
            box.setDetailedText("\n".join(problems))
            box.setInformativeText("\n".join(problems[:8]) + ("\n…" if len(problems) > 8 else ""))
        box.setModal(False)
        box.show()
        self._dialogs = self._dialogs[-4:] + [box]

    # ---- Slots
    def _on_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _on_undo_index(self, _index: int) -> None:
        self._update_actions()

    def _on_row_changed(self, row: int) -> None:
        if row == self.current or row < 0:
            return
        self.current = row
        self._load_form()
        self._update_actions()

    def _on_rows_moved(self, _parent, start: int, _end: int, _dest, row: int) -> None:
        """A product dragged in the list: the same undoable move as Ctrl+Up/Down."""
        to = row if row < start else row - 1
        if to == start:
            return

        def move(plan: dict) -> None:
            products = plan["products"]
            products.insert(to, products.pop(start))
        QTimer.singleShot(0, lambda: self._edit(_tr("Move product"), move, to))  # after the drop

    def _on_field_edited(self, path: str) -> None:
        if self._loading or self.current < 0:
            return
        kind = next(k for p, _l, k in PRODUCT_FIELDS if p == path)
        edit = self.edits[path]
        text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        value = value_from_text(kind, text)
        index = self.current
        if get_path(self.plan["products"][index], path) == value:
            return
        label = self.labels[next(lbl for p, lbl, _k in PRODUCT_FIELDS if p == path)]
        self._typing = path
        try:
            self._edit(_tr("Edit") + f" {label}",
                       lambda plan: set_path(plan["products"][index], path, value), index,
                       merge_key=f"{index}:{path}")
        finally:
            self._typing = None

    def _on_session_edited(self, key: str) -> None:
        value = self.session_edits[key].text()
        self._edit(_tr("Edit") + f" {self.labels[dict(SESSION_FIELDS)[key]]}",
                   lambda plan: plan["session"].__setitem__(key, value), self.current,
                   merge_key=f"session:{key}")

    def _on_problem_activated(self, item: QListWidgetItem) -> None:
        index, fld = item.data(Qt.UserRole)
        if index >= 0:
            self.select(index)
            key = next((p for p, _l, _k in PRODUCT_FIELDS if fld == p or fld.startswith(p)), None)
            if key:
                self.edits[key].setFocus()
        else:
            self.session_edits["title"].setFocus()

    def _on_new(self) -> None:
        if self.dirty and not self._confirm_discard():
            return
        self.path = None
        self.undo.clear()
        self._applied = {}
        self._apply_plan(self._blank_plan(), -1)

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(self, "Livedesk", _tr("Discard the unsaved changes?"))
        return answer == QMessageBox.Yes

    def _file_dialog(self, title: str, filters: str, save: bool, suffix: str = "") -> str:
        settings = QSettings()
        start = settings.value(f"{self.SETTINGS_GROUP}/folder", str(Path.home()))
        if save:
            stem = Path(self.path).stem if self.path else "plan"
            path, _ = QFileDialog.getSaveFileName(self, title, str(Path(start) / (stem + suffix)), filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, start, filters)
        if path:
            settings.setValue(f"{self.SETTINGS_GROUP}/folder", str(Path(path).parent))
        return path

    def _on_open(self) -> None:
        if self.dirty and not self._confirm_discard():
            return
        path = self._file_dialog(_tr("Open plan…"), _tr("Show plans") + " (*.yaml *.yml *.json)", False)
        if path:
            self.open_path(path)

    def _on_save_as(self) -> bool:
        path = self._file_dialog(_tr("Save as…"), "YAML (*.yaml *.yml);;JSON (*.json)", True, ".yaml")
        return bool(path) and self.save_to(path)

    def _on_import_sheet(self) -> None:
        path = self._file_dialog(_tr("Import sheet (XLSX/CSV)…"),
                                 _tr("Sheets") + " (*.xlsx *.xlsm *.csv)", False)
        if path:
            self.import_sheet(path)

    def _on_import_live(self) -> None:
        self.import_live_products()

    def _on_export(self, fmt: str) -> None:
        filters = "Excel (*.xlsx)" if fmt == "xlsx" else "PDF (*.pdf)"
        title = _tr("Export to XLSX…") if fmt == "xlsx" else _tr("Export run of show (PDF)…")
        path = self._file_dialog(title, filters, True, "." + fmt)
        if path:
            self.export(fmt, path)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.dirty and self.isVisible():
            answer = QMessageBox.question(
                self, "Livedesk", _tr("Save the changes to the plan before closing?"),
                QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
            if answer == QMessageBox.Cancel or (answer == QMessageBox.Save and not self.save()):
                event.ignore()
                return
        event.accept()


__all__ = ["PlanEditor", "PRODUCT_FIELDS", "value_from_text", "text_from_value", "set_path",
           "get_path"]
