"""The host's prompt panel (second screen, readable from three metres).

Observes a :class:`console.fold.state.SessionState`: ``set_state(state)`` keeps a
reference and a 30 Hz frame timer calls :meth:`PrompterPanel.refresh`, which
re-renders only when ``state.version`` changed or something time-based is running
(flash-sale countdown, cue attention flash, auto-scroll). Never per event.

Keys (foot pedals send PageUp/PageDown): Up/Down scroll speed, PageUp/PageDown
step a page, P pause/resume scrolling, M mirror, +/- font size, Space/Enter
acknowledge the operator cue (a click on the cue banner does too).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QCoreApplication, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPaintEvent,
                           QResizeEvent, QTransform)
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from console.fold.state import SessionState
from widgets.alerts_panel import alert_text

try:  # the compliance check is optional decoration on the script (headless module)
    from console.compliance import check_text, load_words
except Exception:  # noqa: BLE001  # pragma: no cover - a missing word list must not break the panel
    check_text = load_words = None  # type: ignore[assignment]

FRAME_MS = 33
LOW_STOCK = 20                 # stock at or below this is shown in red
FLASH_ENDING_S = 30            # host alert when a flash sale has less than this left
SCROLL_STEP = 10               # px/s per Up/Down press
MAX_SPEED = 400
FONT_STEP = 0.1
JUMP_HOLD_FRAMES = 6           # frames a jump to a section is re-applied while Qt lays out
FONT_MIN, FONT_MAX = 0.5, 2.5
FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
HOST_ALERT_KINDS = frozenset({"sold_out", "stockout", "low_stock", "flash_ending", "flash_end",
                              "viewers_drop", "online_drop", "traffic_drop", "violation"})


def tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


@dataclass(frozen=True)
class Theme:
    name: str
    bg: str
    fg: str
    dim: str
    accent: str       # prices, current section marker
    warn: str         # low stock, alerts
    ok: str
    cue_a: str        # cue flash colours
    cue_b: str
    panel: str        # secondary panels


THEMES: dict[str, Theme] = {
    "dark": Theme("dark", "#0b0d12", "#f4f4f4", "#9aa3ad", "#ffd23f", "#ff4d4f", "#52c41a",
                  "#ff9f1a", "#3a2a00", "#161a22"),
    "contrast": Theme("contrast", "#000000", "#ffffff", "#c8c8c8", "#ffff00", "#ff2a2a", "#00ff66",
                      "#ffff00", "#303000", "#101010"),
    "amber": Theme("amber", "#120c02", "#ffcf70", "#b58a3e", "#ffe9b0", "#ff5a36", "#9be15d",
                   "#ffe9b0", "#3c2a00", "#1e1406"),
}


class PrompterSettings:
    """Font scale, theme, mirror and scroll speed, persisted with QSettings."""

    KEYS = {"font_scale": (float, 1.0), "theme": (str, "dark"), "mirror": (bool, False),
            "scroll_speed": (int, 40)}

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qs = qsettings if qsettings is not None else QSettings("Livedesk", "Livedesk")
        for key, (kind, default) in self.KEYS.items():
            raw = self.qs.value(f"prompter/{key}", default)
            try:
                if kind is bool:
                    value = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
                else:
                    value = kind(raw)
            except (TypeError, ValueError):
                value = default
            setattr(self, key, value)
        self.font_scale = min(FONT_MAX, max(FONT_MIN, self.font_scale))
        if self.theme not in THEMES:
            self.theme = "dark"

    def save(self) -> None:
        for key in self.KEYS:
            self.qs.setValue(f"prompter/{key}", getattr(self, key))
        self.qs.sync()


class _MirrorOverlay(QWidget):
    """Paints the content widget flipped horizontally (teleprompter glass)."""

    def __init__(self, panel: "PrompterPanel") -> None:
        super().__init__(panel)
        self.panel = panel
        self.pixmap = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        if self.pixmap is not None:
            painter.setTransform(QTransform(-1, 0, 0, 1, self.width(), 0))
            painter.drawPixmap(0, 0, self.pixmap)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.panel.acknowledge_cue()


class _CueBanner(QLabel):
    def __init__(self, panel: "PrompterPanel") -> None:
        super().__init__(panel)
        self.panel = panel

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.panel.acknowledge_cue()


class _PlanKey:
    """Compares plans by content, cheaply when it is the same object (cache keys)."""

    __slots__ = ("plan",)

    def __init__(self, plan) -> None:
        self.plan = plan

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _PlanKey) and (self.plan is other.plan or self.plan == other.plan)

    def __hash__(self) -> int:
        return 0


class PrompterPanel(QWidget):
    """Full prompt panel: product, price/offer, cue card script, stock, countdown, cues."""

    # ---- Signals --------------------------------------------------------------
    sig_cue_acknowledged = Signal(int)
    """The host acknowledged the operator cue with this log seq (key or click)."""
    sig_settings_changed = Signal()
    """Font scale, theme, mirror or scroll speed changed (already persisted)."""

    def __init__(self, parent: QWidget | None = None, *, settings: PrompterSettings | QSettings | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        if not isinstance(settings, PrompterSettings):
            settings = PrompterSettings(settings)
        self.settings = settings
        self.clock = clock
        self.paused = True
        self._state: SessionState | None = None
        self._seen_version = -1
        self._seen_sku: object = object()
        self._sections_key: object = None
        self._marked_sku: object = object()    # section highlighted by _mark_current
        self._sections: dict[str, QLabel] = {}
        self._acked: set[int] = set()
        self._scroll_pos = 0.0
        self._last_frame = time.monotonic()
        self._countdown_text = ""
        self._flash_phase = -1
        self._dirty = True
        self._words = None
        self._rendering = False
        self._unit = None
        self._pending_jump: str | None = None   # a section to keep on top (jump_to)
        self._jump_frames = 0
        self.setObjectName("PrompterPanel")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        self._build()
        self._overlay = _MirrorOverlay(self)
        self._overlay.hide()
        self._apply_style()
        self.set_mirror(self.settings.mirror, save=False)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh(force=True)

    # ---- Construction -----------------------------------------------------------
    def _label(self, name: str, parent_layout, wrap: bool = True, align=None) -> QLabel:
        lab = QLabel(self._content)
        lab.setObjectName(name)
        lab.setWordWrap(wrap)
        lab.setTextFormat(Qt.TextFormat.RichText)
        if align is not None:
            lab.setAlignment(align)
        parent_layout.addWidget(lab)
        return lab

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._content = QWidget(self)
        self._content.setObjectName("content")
        outer.addWidget(self._content)
        col = QVBoxLayout(self._content)
        col.setContentsMargins(24, 16, 24, 12)
        col.setSpacing(10)
        self.host_alert_label = self._label("hostAlert", col)
        self.cue_label = _CueBanner(self)
        self.cue_label.setParent(self._content)
        self.cue_label.setObjectName("cue")
        # one line, always in the layout (empty without a cue): a cue arriving must not push
        # the product and the script down while the host reads them
        self.cue_label.setWordWrap(False)
        self.cue_label.setTextFormat(Qt.TextFormat.RichText)
        col.addWidget(self.cue_label)
        row = QHBoxLayout()
        row.setSpacing(24)
        col.addLayout(row, 1)
        left = QVBoxLayout()
        left.setSpacing(6)
        row.addLayout(left, 7)
        self.title_label = self._label("title", left)
        self.price_label = self._label("price", left)
        self.offer_label = self._label("offer", left)
        self.script_area = QScrollArea(self._content)
        self.script_area.setObjectName("script")
        self.script_area.setWidgetResizable(True)
        self.script_area.setFrameShape(QFrame.Shape.NoFrame)
        self.script_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.script_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.script_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._script_body = QWidget()
        self._script_body.setObjectName("scriptBody")
        self._script_layout = QVBoxLayout(self._script_body)
        self._script_layout.setContentsMargins(0, 0, 0, 0)
        self._script_layout.setSpacing(28)
        self._script_layout.addStretch(1)
        self.script_area.setWidget(self._script_body)
        left.addWidget(self.script_area, 1)
        right_box = QFrame(self._content)
        right_box.setObjectName("side")
        right_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        right = QVBoxLayout(right_box)
        right.setSpacing(4)
        row.addWidget(right_box, 3)
        center = Qt.AlignmentFlag.AlignHCenter
        self.image_label = self._label("image", right, wrap=False, align=center)
        self.image_label.hide()
        self.images: dict = {}                  # sku -> QPixmap (set_images; no I/O here)
        self.stock_caption = self._label("caption", right, align=center)
        self.stock_label = self._label("stock", right, wrap=False, align=center)
        right.addSpacing(12)
        self.countdown_caption = self._label("caption", right, align=center)
        self.countdown_label = self._label("countdown", right, wrap=False, align=center)
        right.addStretch(1)
        self.next_caption = self._label("caption", right, align=center)
        self.next_label = self._label("next", right, align=center)
        self.status_label = self._label("status", right, align=center)
        self.auto_label = self._label("auto", right, align=center)   # show automation, if on
        self.operator_alert_label = self._label("opAlert", col)

    # ---- Public API -----------------------------------------------------------------
    def set_images(self, images: dict) -> None:
        """Product images by SKU (QPixmap, loaded by the caller); none: no picture shown."""
        self.images = dict(images)
        self._show_image(self._seen_sku if isinstance(self._seen_sku, str) else None)

    def _show_image(self, sku: str | None) -> None:
        pix = self.images.get(sku) if sku else None
        if pix is None or pix.isNull():
            self.image_label.hide()
            return
        self.image_label.setPixmap(pix.scaled(self._px(220), self._px(220), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
        self.image_label.show()

    def set_state(self, state: SessionState | None) -> None:
        """Observe ``state`` (a reference; the frame timer picks up its changes)."""
        self._state = state
        self._seen_version = -1
        # not the script sections: a replay seek hands over a new state with the same plan,
        # and rebuilding thirty rich-text sections cost most of a seek's repaint
        self._seen_sku = object()
        self.refresh(force=True)

    def state(self) -> SessionState | None:
        return self._state

    def set_status(self, text: str) -> None:
        """A small connection/status line (remote prompter)."""
        self.status_label.setText(html.escape(text))
        self._dirty = True

    def acknowledge_cue(self) -> bool:
        cue = self._pending_cue()
        if cue is None:
            return False
        self._acked.add(cue["seq"])
        self.sig_cue_acknowledged.emit(cue["seq"])
        self.refresh(force=True)
        return True

    def cue_flashing(self) -> bool:
        return self._pending_cue() is not None

    def set_mirror(self, on: bool, save: bool = True) -> None:
        self.settings.mirror = bool(on)
        self._overlay.setVisible(self.settings.mirror)
        if self.settings.mirror:
            self._overlay.setGeometry(self.rect())
            self._overlay.raise_()
        self._dirty = True
        if save:
            self._save()
        self._render_mirror()

    def set_font_scale(self, scale: float) -> None:
        anchor = self._top_section()
        self.settings.font_scale = round(min(FONT_MAX, max(FONT_MIN, scale)), 2)
        self._apply_style()
        self._save()
        # the script is rebuilt at the new size: keep the host on the card being read
        self._pending_jump, self._jump_frames = anchor, JUMP_HOLD_FRAMES
        self.refresh(force=True)

    def set_theme(self, name: str) -> None:
        if name in THEMES:
            self.settings.theme = name
            self._apply_style()
            self._save()

    def set_scroll_speed(self, speed: int) -> None:
        self.settings.scroll_speed = int(min(MAX_SPEED, max(0, speed)))
        self._save()
        self._dirty = True

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._last_frame = time.monotonic()
        self._dirty = True

    def scroll_by(self, pixels: float) -> None:
        self._pending_jump = None            # the host scrolls: stop holding a jump
        bar = self.script_area.verticalScrollBar()
        self._scroll_pos = min(float(bar.maximum()), max(0.0, self._scroll_pos + pixels))
        bar.setValue(int(self._scroll_pos))
        self._dirty = True

    def jump_to(self, sku: str | None) -> None:
        """Scroll the script so this product's section is at the top.

        The sections are laid out first at their current style (a font change or a rebuild
        leaves stale positions until Qt's next layout pass), so the jump lands on this product's
        card and not on whatever was at that height before."""
        lab = self._sections.get(sku) if sku else None
        if lab is None:
            return
        self._settle_script_layout()
        bar = self.script_area.verticalScrollBar()
        self._scroll_pos = float(min(bar.maximum(), lab.y()))
        bar.setValue(int(self._scroll_pos))
        # Qt may still lay the script out again (first show, a resize, a restyle): hold the
        # jump for a few frames so the section stays on top once the positions are final
        if self._pending_jump != sku:
            self._pending_jump, self._jump_frames = sku, JUMP_HOLD_FRAMES
        self._dirty = True

    def _settle_script_layout(self) -> None:
        body, layout = self._script_body, self._script_layout
        for lab in self._sections.values():
            lab.ensurePolished()
        width = self.script_area.viewport().width()
        if width > 0:
            height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else \
                layout.totalSizeHint().height()
            height = max(height, self.script_area.viewport().height())
            if body.size().width() != width or body.size().height() != height:
                body.resize(width, height)
        layout.activate()

    def _top_section(self) -> str | None:
        """The product whose section is at the top of the script view (the one being read)."""
        value = self.script_area.verticalScrollBar().value()
        for sku, lab in self._sections.items():
            if lab.y() <= value < lab.y() + max(1, lab.height()) + self._script_layout.spacing():
                return sku
        st = self._state
        return st.current_sku if st is not None else None

    def displayed_texts(self) -> dict[str, str]:
        """Plain text of what the panel shows (tests, remote/local comparison)."""
        from PySide6.QtGui import QTextDocument

        def plain(label: QLabel) -> str:
            if label.isHidden():
                return ""
            doc = QTextDocument()
            doc.setHtml(label.text())
            return " ".join(doc.toPlainText().split())

        out = {name: plain(getattr(self, f"{name}_label")) for name in
               ("title", "price", "offer", "stock", "countdown", "next", "cue", "host_alert", "auto",
                "operator_alert")}
        sku = self._state.current_sku if self._state else None
        out["script"] = plain(self._sections[sku]) if sku in self._sections else ""
        out["sections"] = ",".join(self._sections)
        return out

    # ---- Frame ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Called by the frame timer; re-renders only when something changed."""
        st = self._state
        now = time.monotonic()
        dt, self._last_frame = now - self._last_frame, now
        changed = force or self._dirty
        if st is not None and st.version != self._seen_version:
            self._seen_version = st.version
            self._update_from_state(st)
            changed = True
        if st is not None:
            text = self._countdown(st)
            if text != self._countdown_text:
                self._countdown_text = text
                self._update_from_state(st)
                changed = True
        if self._pending_jump is not None:
            if self._pending_jump in self._sections:
                self.jump_to(self._pending_jump)
                changed = True
            self._jump_frames -= 1
            if self._jump_frames <= 0:
                self._pending_jump = None
        phase = int(now * 4) % 2 if self._pending_cue() is not None else -1
        if phase != self._flash_phase:
            self._flash_phase = phase
            self._paint_cue()
            changed = True
        if not self.paused and self.settings.scroll_speed > 0 and self._pending_jump is None:
            bar = self.script_area.verticalScrollBar()
            if self._scroll_pos < bar.maximum():
                self.scroll_by(self.settings.scroll_speed * min(dt, 0.2))
                changed = True
        if changed:
            self._dirty = False
            self._render_mirror()

    # ---- Rendering ----------------------------------------------------------------------
    def _plan_product(self, sku: str | None) -> dict:
        st = self._state
        if not sku or st is None or not isinstance(st.plan, dict):
            return {}
        for prod in st.plan.get("products") or []:
            if isinstance(prod, dict) and prod.get("sku") == sku:
                return prod
        return {}

    def _money(self, value: float | None) -> str:
        if value is None:
            return ""
        return f"¥{value:,.0f}" if float(value).is_integer() else f"¥{value:,.2f}"

    def _pending_cue(self) -> dict | None:
        st = self._state
        cue = st.cue if st is not None else None
        if not cue or cue.get("acked_at") is not None or cue.get("seq") in self._acked:
            return None
        return cue

    def _countdown(self, st: SessionState) -> str:
        fs = st.active_flash(st.current_sku) if st.current_sku else st.active_flash()
        if fs is None:
            return ""
        left = int(fs.seconds_left(self.clock()) + 0.999)
        return f"{left // 60:02d}:{left % 60:02d}"

    def _update_from_state(self, st: SessionState) -> None:
        t = THEMES[self.settings.theme]
        sku = st.current_sku
        self._ensure_sections(st)
        if sku != self._seen_sku:
            self._seen_sku = sku
            self._show_image(sku)
            self._mark_current(sku)
            self.jump_to(sku)
        prod = st.products.get(sku) if sku else None
        plan = self._plan_product(sku)
        offer = plan.get("offer") or {}
        if prod is None:
            if st.segments:           # cards were on air: this is a clear, not the start
                waiting = tr("No card on air")
            else:
                waiting = tr("Waiting for the first product card…")
            self.title_label.setText(html.escape(waiting))
            self.price_label.setText("")
            self.offer_label.setText("")
            self.stock_label.setText("–")
            self.stock_label.setStyleSheet("")
        else:
            self.title_label.setText(html.escape(prod.title or plan.get("title") or sku))
            fs = st.active_flash(sku)
            price = fs.deal_price if fs else prod.price
            parts = [f'<span style="color:{t.accent}">{self._money(price)}</span>']
            list_price = prod.list_price or plan.get("list_price")
            if list_price and list_price > price:
                parts.append(f'<span style="color:{t.dim}; text-decoration:line-through; '
                             f'font-size:{self._px(30)}px">{self._money(list_price)}</span>')
            self.price_label.setText(" ".join(parts))
            bits = []
            if fs is not None:
                bits.append(tr("Flash price {price}, {left} left").format(
                    price=self._money(fs.deal_price), left=fs.remaining))
            elif offer.get("flash_price"):
                bits.append(tr("Flash price {price}").format(price=self._money(offer["flash_price"])))
            if offer.get("coupon"):
                bits.append(tr("Coupon: {coupon}").format(coupon=offer["coupon"]))
            if offer.get("limit_per_buyer"):
                bits.append(tr("Limit {n} per buyer").format(n=offer["limit_per_buyer"]))
            self.offer_label.setText(html.escape("  ·  ".join(bits)))
            stock = fs.remaining if fs is not None else prod.stock
            if stock is None:
                self.stock_label.setText("–")
                color = t.fg
            elif stock == 0:
                self.stock_label.setText(html.escape(tr("SOLD OUT")))
                color = t.warn
            else:
                self.stock_label.setText(f"{stock:,}")
                color = t.warn if stock <= LOW_STOCK else t.fg
            self.stock_label.setStyleSheet(f"color:{color}")
        self.stock_caption.setText(html.escape(tr("Flash stock left") if prod is not None and
                                               st.active_flash(sku) else tr("Stock left")))
        # flash countdown
        self._countdown_text = self._countdown(st)
        fs_any = st.active_flash(sku) if sku else st.active_flash()
        self.countdown_caption.setVisible(bool(self._countdown_text))
        self.countdown_label.setVisible(bool(self._countdown_text))
        self.countdown_caption.setText(html.escape(tr("Flash sale ends in")))
        self.countdown_label.setText(self._countdown_text)
        ending = fs_any is not None and fs_any.seconds_left(self.clock()) <= FLASH_ENDING_S
        self.countdown_label.setStyleSheet(f"color:{t.warn if ending else t.accent}")
        # next product
        nxt = st.next_sku()
        self.next_caption.setText(html.escape(tr("Next")))
        if nxt and nxt != sku:
            nprod = st.products.get(nxt)
            self.next_label.setText(html.escape(nprod.title if nprod else nxt))
        else:
            self.next_label.setText(html.escape(tr("(end of run-of-show)")))
        # alerts: host-facing vs operator
        host, ops = [], []
        for alert in st.active_alerts.values():
            msg = alert_text(alert, st)
            if alert.get("audience") == "host" or alert.get("kind") in HOST_ALERT_KINDS:
                host.append(msg)
            elif alert.get("audience") != "operator_only":
                ops.append(msg)
        sold_out_alert = any(a.get("kind") in ("sold_out", "stockout") and a.get("sku") in (None, sku)
                             for a in st.active_alerts.values())
        if prod is not None and prod.stock == 0 and not sold_out_alert:
            host.insert(0, tr("{title} is sold out").format(title=prod.title))
        if ending and fs_any is not None and fs_any.seconds_left(self.clock()) > 0:
            host.insert(0, tr("Flash sale ending: {left} s").format(
                left=int(fs_any.seconds_left(self.clock()) + 0.999)))
        self.host_alert_label.setVisible(bool(host))
        self.host_alert_label.setText("⚠ " + html.escape("   ·   ".join(host)) if host else "")
        self.operator_alert_label.setVisible(bool(ops))
        self.operator_alert_label.setText(html.escape(tr("Operator: ") + "  ·  ".join(ops)) if ops else "")
        self._paint_automation(st)
        self._paint_cue()

    def _cue_font(self, size: int) -> QFont:
        font = QFont(self.cue_label.font())
        font.setPixelSize(size)
        font.setBold(True)
        return font
    def _paint_automation(self, st: SessionState) -> None:
        """Automation, when the operator has it on: running or paused, and the run-of-show
        timer's warning for the product on air (what will happen without anyone's hand)."""
        auto = st.automation
        if not auto.enabled:
            self.auto_label.hide()
            return
        t = THEMES[self.settings.theme]
        colour = t.warn if auto.paused else "#35c27a"
        text = ("⏸ " + tr("AUTO paused")) if auto.paused else ("● " + tr("AUTO on"))
        warning = auto.warning
        if warning and warning.get("sku") == st.current_sku and not auto.paused:
            if warning.get("kind") == "advance_notice":
                nxt = st.products.get(warning.get("next_sku") or "")
                text += "<br>" + html.escape(tr("Next card soon: {title}").format(
                    title=nxt.title if nxt else warning.get("next_sku", "")))
            else:
                text += "<br>" + html.escape(tr("Planned time is up"))
        self.auto_label.setText(f'<span style="color:{colour}">{text}</span>')
        self.auto_label.show()

    def _paint_cue(self) -> None:
        st = self._state
        t = THEMES[self.settings.theme]
        cue = st.cue if st is not None else None
        self.cue_label.setFixedHeight(QFontMetrics(self._cue_font(self._px(60))).height()
                                      + 2 * self._px(10) + 8)
        if not cue or not cue.get("text"):
            self.cue_label.setText("")
            self.cue_label.setStyleSheet("background: transparent; border: 4px solid transparent;")
            return
        pending = self._pending_cue() is not None
        room = self.cue_label.width() - 2 * self._px(10) - 16
        if pending:
            on = self._flash_phase != 1
            bg, fg = (t.cue_a, "#000000") if on else (t.cue_b, t.cue_a)
            hint = tr("Space / Enter = got it")
            room -= QFontMetrics(self._cue_font(self._px(28))).horizontalAdvance(hint + "    ")
            text = self._elide(cue["text"], self._px(60), room)
            self.cue_label.setText(f'▶ {html.escape(text)}&nbsp;&nbsp; '
                                   f'<span style="font-size:{self._px(28)}px">{html.escape(hint)}</span>')
            self.cue_label.setStyleSheet(f"background:{bg}; color:{fg}; border:4px solid {t.cue_a};")
        else:
            done = tr("host acknowledged")
            text = self._elide(cue["text"], self._px(30), room - 200)
            self.cue_label.setText(f'✓ {html.escape(text)}&nbsp;&nbsp; '
                                   f'<span style="font-size:{self._px(24)}px">({html.escape(done)})</span>')
            self.cue_label.setStyleSheet(f"background:{t.panel}; color:{t.dim}; border:4px solid {t.panel};"
                                         f"font-size:{self._px(30)}px")

    def _elide(self, text: str, size: int, room: int) -> str:
        """The cue cut to one line of ``room`` pixels at ``size`` (the banner never wraps)."""
        if room < 80:
            return text
        return QFontMetrics(self._cue_font(size)).elidedText(text, Qt.TextElideMode.ElideRight, room)

    # ---- Script sections ----------------------------------------------------------------
    def _ensure_sections(self, st: SessionState) -> None:
        key = (_PlanKey(st.plan), tuple(st.run_of_show),
               tuple((s, st.products[s].title, st.products[s].script, tuple(st.products[s].selling_points))
                     for s in st.run_of_show if s in st.products), self.settings.theme)
        if key == self._sections_key:
            return
        self._sections_key = key
        self._marked_sku = object()
        for lab in self._sections.values():
            self._script_layout.removeWidget(lab)
            lab.deleteLater()
        self._sections = {}
        for i, sku in enumerate(st.run_of_show):
            lab = QLabel(self._script_body)
            lab.setObjectName("section")
            lab.setWordWrap(True)
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setText(self._section_html(st, sku, i))
            self._script_layout.insertWidget(self._script_layout.count() - 1, lab)
            self._sections[sku] = lab
        self._seen_sku = object()  # re-mark and re-jump

    def _mark_current(self, sku: str | None) -> None:
        """Highlight the section on air (restyles only the sections whose state changed)."""
        t = THEMES[self.settings.theme]
        before, self._marked_sku = self._marked_sku, sku
        for s, lab in self._sections.items():
            if isinstance(before, str | None) and s != sku and s != before:
                continue
            cur = s == sku
            lab.setStyleSheet(f"border-left: 10px solid {t.accent if cur else t.panel};"
                              f"padding-left: 18px; color:{t.fg if cur else t.dim}")

    def _marked(self, text: str) -> str:
        """Escape a script line and underline advertising-law hits in it."""
        if check_text is None:
            return html.escape(text)
        try:
            if self._words is None:
                self._words = load_words()
            hits = check_text(text, self._words)
        except Exception:  # noqa: BLE001 - the script shows unmarked rather than not at all
            return html.escape(text)
        t = THEMES[self.settings.theme]
        out, pos = [], 0
        for h in hits:
            out.append(html.escape(text[pos:h.start]))
            out.append(f'<span style="background:{t.warn}; color:#ffffff">'
                       f'{html.escape(text[h.start:h.end])}</span>')
            pos = h.end
        out.append(html.escape(text[pos:]))
        return "".join(out)

    def _section_html(self, st: SessionState, sku: str, index: int) -> str:
        t = THEMES[self.settings.theme]
        prod = st.products.get(sku)
        plan = self._plan_product(sku)
        card = plan.get("cue_card") or {}
        title = (prod.title if prod else None) or plan.get("title") or sku
        parts = [f'<div style="color:{t.accent}; font-weight:bold">{index + 1}. {html.escape(title)}'
                 f' <span style="color:{t.dim}; font-size:{self._px(30)}px">{html.escape(sku)}</span></div>']

        def block(caption: str, lines: list[str], color: str, bullet: str = "•") -> None:
            if lines:
                parts.append(f'<div style="color:{t.dim}; font-size:{self._px(30)}px; margin-top:10px">'
                             f'{html.escape(caption)}</div>')
                parts.extend(f'<div style="color:{color}">{bullet} {self._marked(line)}</div>'
                             for line in lines)

        points = card.get("selling_points") or (prod.selling_points if prod else [])
        block(tr("Selling points"), list(points), t.fg)
        block(tr("Pitch lines"), list(card.get("pitch_lines") or []), t.fg, "“")
        script = plan.get("script") or (prod.script if prod else "")
        block(tr("Script"), [ln for ln in (script or "").splitlines() if ln.strip()], t.fg, "")
        block(tr("Cautions"), list(card.get("cautions") or []), t.accent, "!")
        banned = card.get("banned_phrases") or []
        if banned:
            parts.append(f'<div style="color:{t.warn}; font-size:{self._px(30)}px; margin-top:10px">'
                         f'{html.escape(tr("Do not say"))}: {html.escape("、".join(banned))}</div>')
        return "".join(parts)

    # ---- Style ------------------------------------------------------------------------
    def _px(self, v: float) -> int:
        return max(8, int(v * (self._unit or self._style_unit()) * self.settings.font_scale))

    def _style_unit(self) -> float:
        return round(max(0.35, min(self.height(), self.width() * 9 / 16) / 1080.0), 3)

    def _apply_style(self) -> None:
        t = THEMES[self.settings.theme]
        self._unit = self._style_unit()
        u = self._unit * self.settings.font_scale

        def px(v: float) -> int:
            return max(8, int(v * u))

        self.setStyleSheet(f"""
            #PrompterPanel, #content, #scriptBody, QScrollArea#script {{ background:{t.bg}; }}
            QLabel {{ color:{t.fg}; font-family:{FONTS}; }}
            #title {{ font-size:{px(64)}px; font-weight:bold; }}
            #price {{ font-size:{px(80)}px; font-weight:bold; }}
            #offer {{ font-size:{px(38)}px; color:{t.accent}; }}
            #section {{ font-size:{px(46)}px; }}
            #side {{ background:{t.panel}; border-radius:{px(16)}px; }}
            #caption {{ font-size:{px(30)}px; color:{t.dim}; }}
            #stock {{ font-size:{px(150)}px; font-weight:bold; }}
            #countdown {{ font-size:{px(120)}px; font-weight:bold; }}
            #next {{ font-size:{px(40)}px; }}
            #status {{ font-size:{px(22)}px; color:{t.dim}; }}
            #auto {{ font-size:{px(24)}px; font-weight:bold; }}
            #cue {{ font-size:{px(60)}px; font-weight:bold; padding:{px(10)}px; border-radius:{px(10)}px; }}
            #hostAlert {{ font-size:{px(48)}px; font-weight:bold; color:#ffffff; background:{t.warn};
                          padding:{px(8)}px; border-radius:{px(8)}px; }}
            #opAlert {{ font-size:{px(26)}px; color:{t.dim}; background:{t.panel}; padding:{px(4)}px; }}
        """)
        self._sections_key = None
        self._seen_version = -1
        self._dirty = True

    def _save(self) -> None:
        self.settings.save()
        self.sig_settings_changed.emit()

    def _render_mirror(self) -> None:
        if not self.settings.mirror or not self.isVisible() or self._rendering:
            return
        self._rendering = True
        try:
            self._grab_flipped()
        finally:
            self._rendering = False

    def _grab_flipped(self) -> None:
        self._overlay.setGeometry(self.rect())
        self._overlay.raise_()
        self._overlay.pixmap = self._content.grab()
        self._overlay.update()

    # ---- Qt events --------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._overlay.setGeometry(self.rect())
        if self._style_unit() != self._unit:
            self._apply_style()
        self._dirty = True  # the next frame re-renders (never re-enter from here)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1280, 720)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        K = Qt.Key
        if key in (K.Key_Space, K.Key_Return, K.Key_Enter):
            self.acknowledge_cue()
        elif key == K.Key_Up:
            self.set_scroll_speed(self.settings.scroll_speed - SCROLL_STEP)
        elif key == K.Key_Down:
            self.set_scroll_speed(self.settings.scroll_speed + SCROLL_STEP)
        elif key == K.Key_PageDown:
            self.scroll_by(self.script_area.viewport().height() * 0.8)
        elif key == K.Key_PageUp:
            self.scroll_by(-self.script_area.viewport().height() * 0.8)
        elif key == K.Key_P:
            self.set_paused(not self.paused)
        elif key == K.Key_M:
            self.set_mirror(not self.settings.mirror)
        elif key in (K.Key_Plus, K.Key_Equal):
            self.set_font_scale(self.settings.font_scale + FONT_STEP)
        elif key == K.Key_Minus:
            self.set_font_scale(self.settings.font_scale - FONT_STEP)
        else:
            super().keyPressEvent(event)
            return
        self.refresh(force=True)


__all__ = ["PrompterPanel", "PrompterSettings", "THEMES", "Theme"]
