"""The console's side of the plan editor and of product images.

* :func:`open_plan_editor`: the plan editor window (``widgets.plan_editor.PlanEditor``), from
  the start dialog or the console, with a :class:`PlanExporter` writing its exports off the
  UI thread;
* :class:`ImageLoader`: product images by URL through ``console.plans.images.ImageCache`` on
  worker threads (``console.gui.tasks``), delivered to the UI thread as ``QImage`` (decoded off
  the UI thread too);
* :class:`PlanHost`: belongs to the operator's :class:`MainWindow`; adds the Plan menu
  (editor, export), turns the editor's applied products into ``plan.product_upserted``
  events, and keeps the run of show and the prompt panel supplied with product images
  (fetched when a product's ``image_url`` first appears in the session state).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import QWidget

from console.core import protocol as p
from console.compliance import WordList, WordListError, load_words
from console.gui import tasks
from console.plans.images import ImageCache

if TYPE_CHECKING:                 # (the window creates this host)
    from console.gui.main_window import MainWindow

log = logging.getLogger(__name__)
THUMB = 88
RETRY_S = 60.0          # a failed image (offline) is asked for again after this long


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def _words() -> WordList:
    try:
        return load_words()
    except (WordListError, OSError) as exc:
        log.warning("advertising-law word list not loaded (%s); plans are not checked for it", exc)
        return WordList()


def open_plan_editor(parent: QWidget | None, path: str | None = None, *, state=None,
                     plan: dict | None = None, cache: ImageCache | None = None):
    """Show the plan editor as a window of its own (non-modal), on ``path`` or ``plan``."""
    from widgets.plan_editor import PlanEditor
    cache = cache or ImageCache()
    editor = PlanEditor(_words(), plan, state=state, parent=parent)
    editor.exporter = PlanExporter(editor, cache)
    editor.setWindowFlag(Qt.Window, True)
    if path:
        editor.open_path(path)
    editor.show()
    editor.raise_()
    return editor


class PlanExporter(QObject):
    """Writes what the plan editor asks to export (XLSX, the PDF run of show with the product
    images the cache has) off the UI thread, and tells the editor how it went."""

    def __init__(self, editor, cache: ImageCache) -> None:
        super().__init__(editor)
        self.editor = editor
        self.cache = cache
        editor.sig_export.connect(self.export)

    def export(self, fmt: str, path: str, plan: dict) -> tasks.Task:
        from console.plans.export import export_pdf, export_xlsx
        image_for = self.cache.cached

        def write() -> None:
            if fmt == "pdf":
                export_pdf(plan, path, image_for=image_for)    # subsets a font: seconds
            else:
                export_xlsx(plan, path)

        def written(_result: None) -> None:
            self.editor.export_finished(_tr("Exported") + f": {path}")

        def failed(exc: BaseException) -> None:
            self.editor.export_finished(_tr("Export failed") + f": {exc}")

        return tasks.run(write, written, failed, owner=self)


class ImageLoader(QObject):
    """Fetch product images off the UI thread; ``sig_loaded(url, QImage)`` on the UI thread."""

    # ---- Signals
    sig_loaded = Signal(str, QImage)
    """An image is available (from the cache or just fetched), scaled to a thumbnail."""
    sig_failed = Signal(str, str)
    """An image could not be had (offline and not cached, refused): (url, reason)."""

    def __init__(self, cache: ImageCache | None = None, parent: QObject | None = None,
                 workers: int = 2) -> None:
        super().__init__(parent)
        self.cache = cache or ImageCache()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="images")
        self._asked: set[str] = set()

    def request(self, url: str) -> bool:
        """Fetch ``url`` unless it was asked for already; True when a fetch was queued."""
        url = (url or "").strip()
        if not url or url in self._asked:
            return False
        self._asked.add(url)
        tasks.run(partial(self._fetch, url), partial(self._on_fetched, url),
                  partial(self._on_error, url), owner=self, executor=self._pool)
        return True

    def forget(self, url: str) -> None:
        """Allow ``url`` to be requested again (after a failure, to retry)."""
        self._asked.discard((url or "").strip())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _fetch(self, url: str) -> tuple[QImage | None, str]:
        """On a worker thread: fetch (or find) and decode; (thumbnail, "") or (None, reason)."""
        path = self.cache.get(url)
        image = QImage(str(path)) if path is not None else QImage()
        if image.isNull():
            return None, self.cache.failure(url) or "not an image"
        return image.scaled(THUMB * 3, THUMB * 3, Qt.KeepAspectRatio, Qt.SmoothTransformation), ""

    def _on_fetched(self, url: str, fetched: tuple[QImage | None, str]) -> None:
        image, reason = fetched
        if image is None:
            self.sig_failed.emit(url, reason)
        else:
            self.sig_loaded.emit(url, image)

    def _on_error(self, url: str, exc: BaseException) -> None:
        log.warning("image %s: %r", url, exc)
        self.sig_failed.emit(url, str(exc))


class PlanHost(QObject):
    """Plan menu, live product edits and product images for one operator console."""

    def __init__(self, window: MainWindow, loader: ImageLoader | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.editor = None
        self.loader = loader or ImageLoader(parent=self)
        self.loader.sig_loaded.connect(self._on_image_loaded)
        self.loader.sig_failed.connect(self._on_image_failed)
        self._failed: dict[str, float] = {}         # url -> when it failed (retried later)
        self.pixmaps: dict[str, QPixmap] = {}       # url -> pixmap
        self._urls: dict[str, str] = {}             # sku -> url seen
        self._seen_version = -1
        self._build_menu()
        window.clock.add(self)

    # ---- Frame-clock hook
    def set_state(self, state) -> None:
        self._seen_version = -1

    def refresh(self) -> None:
        """Ask for images of products whose ``image_url`` is new (cheap: only on a new state)."""
        st = self.session.state
        panel_window = self.window.prompter_host.panel_window
        if panel_window is not None and self.pixmaps and not panel_window.panel.images:
            self._publish()                     # the prompt panel was opened since
        if self._failed:
            now = time.monotonic()
            for url, when in list(self._failed.items()):
                if now - when >= RETRY_S:       # offline then: try again (the cache may have it)
                    del self._failed[url]
                    self.loader.forget(url)
                    self.loader.request(url)
        if st.version == self._seen_version:
            return
        self._seen_version = st.version
        planned = {e.get("sku"): str(e.get("image_url") or "")
                   for e in ((st.plan or {}).get("products") or []) if isinstance(e, dict)}
        for sku, prod in st.products.items():
            url = prod.image_url or planned.get(sku, "")    # the feed's image, else the plan's
            if url and self._urls.get(sku) != url:
                self._urls[sku] = url
                if url in self.pixmaps:
                    self._publish()
                else:
                    self.loader.request(url)

    # ---- Public API
    def open_editor(self):
        plan = self.session.state.plan if isinstance(self.session.state.plan, dict) else None
        if self.editor is not None:             # one editor per console, shown again
            if not self.editor.isVisible() and not self.editor.dirty and plan is not None:
                self.editor.load_plan(plan)     # closed without changes: start from the show's plan
            self.editor.show()
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        self.editor = open_plan_editor(self.window, None, state=self.session.state, plan=plan,
                                       cache=self.loader.cache)
        self.editor.path = self.window.prompter_host.plan_path
        self.editor._update_title()
        self.editor.sig_product_upserted.connect(self._on_product_upserted)
        return self.editor

    def images_by_sku(self) -> dict[str, QPixmap]:
        return {sku: self.pixmaps[url] for sku, url in self._urls.items() if url in self.pixmaps}

    # ---- Internals
    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu(_tr("P&lan"))
        edit = QAction(_tr("Plan editor…"), self.window)
        edit.setShortcut(QKeySequence("Ctrl+Shift+E"))
        edit.triggered.connect(self.open_editor)
        menu.addAction(edit)
        self.window.addAction(edit)
        self.edit_action = edit

    def _publish(self) -> None:
        images = self.images_by_sku()
        self.window.run_of_show.set_images(dict(self.window.run_of_show.images, **{
            sku: pix.scaled(THUMB, THUMB, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            for sku, pix in images.items()}))
        panel_window = self.window.prompter_host.panel_window
        if panel_window is not None:
            panel_window.panel.set_images(images)

    # ---- Slots
    def _on_image_loaded(self, url: str, image: QImage) -> None:
        self.pixmaps[url] = QPixmap.fromImage(image)
        self._publish()

    def _on_image_failed(self, url: str, _reason: str) -> None:
        self._failed[url] = time.monotonic()

    def _on_product_upserted(self, product: dict, index: int) -> None:
        self.session.append_local(p.PLAN_PRODUCT_UPSERTED, {"product": product, "index": index})


__all__ = ["PlanHost", "ImageLoader", "PlanExporter", "open_plan_editor"]
