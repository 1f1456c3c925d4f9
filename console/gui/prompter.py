"""The prompter window: the host's prompt panel full-screen on a chosen monitor.

``livedesk prompter --connect ws://HOST:PORT --token T [--screen N] [--windowed]``
runs :func:`run_prompter`: a qasync loop, a :class:`console.live.relay.RelayClient`
that rebuilds the session state from the console's relay, and the same
:class:`widgets.prompter_panel.PrompterPanel` the console shows locally.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Callable

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from console.core.eventlog import StateClock
from console.fold.state import SessionState
from widgets.prompter_panel import PrompterPanel, PrompterSettings

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class PrompterWindow(QMainWindow):
    """Frameless full-screen window holding a PrompterPanel; Esc leaves full screen."""

    def __init__(self, state: SessionState | None = None, *, screen: int | None = None,
                 windowed: bool = False, settings: PrompterSettings | None = None,
                 on_cue_ack: Callable[[int], None] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.setWindowTitle(tr("Livedesk prompter"))
        # countdowns on the session's clock (the console passes its own; a remote panel runs
        # the same clock from the folded log), never the wall clock: see docs/session-log.md
        self.panel = PrompterPanel(self, settings=settings)
        self.panel.clock = clock or StateClock(self.panel.state)
        self.setCentralWidget(self.panel)
        if state is not None:
            self.panel.set_state(state)
        if on_cue_ack is not None:
            self.panel.sig_cue_acknowledged.connect(on_cue_ack)
        self.resize(1280, 720)
        self.place(screen, windowed)

    # ---- Public API -------------------------------------------------------------
    def place(self, screen: int | None, windowed: bool) -> None:
        screens = QGuiApplication.screens()
        target = screens[screen] if screen is not None and 0 <= screen < len(screens) else (
            screens[-1] if screens else None)  # default: the last (usually the second) monitor
        if target is not None:
            self.setGeometry(target.availableGeometry().adjusted(40, 40, -40, -40)
                             if windowed else target.geometry())
        if not windowed:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.showFullScreen()
        else:
            self.show()
        self.panel.setFocus()

    def leave_full_screen(self) -> None:
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, False)
        self.showNormal()
        self.panel.setFocus()

    # ---- Qt events ---------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.leave_full_screen()
        elif event.key() == Qt.Key.Key_F11 and not self.isFullScreen():
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.showFullScreen()
        else:
            super().keyPressEvent(event)


def run_prompter(args) -> int:
    """Entry point of ``livedesk prompter`` (remote prompt panel fed by a console relay)."""
    import qasync

    from console.live.relay import RelayClient

    url = getattr(args, "connect", None)
    if not url:
        print("error: --connect ws://HOST:PORT is required", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Livedesk")
    app.setApplicationName("Livedesk")
    app.setQuitOnLastWindowClosed(False)
    from console.gui.i18n import install_translator
    install_translator(app)              # the language chosen in Settings (or LIVEDESK_LANG)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = PrompterWindow(screen=getattr(args, "screen", None),
                            windowed=bool(getattr(args, "windowed", False)))
    status_text = {"connecting": tr("connecting…"), "live": tr("live"),
                   "reconnecting": tr("reconnecting…"), "unauthorized": tr("refused: wrong token"),
                   "closed": tr("disconnected")}
    client = RelayClient(url, getattr(args, "token", None),
                         on_state=window.panel.set_state,
                         on_status=lambda s: window.panel.set_status(f"{url} · {status_text.get(s, s)}"))
    window.panel.sig_cue_acknowledged.connect(
        lambda seq: asyncio.ensure_future(client.send_cue_ack(seq)))
    done = asyncio.Event()
    app.lastWindowClosed.connect(done.set)
    from console.gui.closing import quit_on_signals
    quit_on_signals(app)                 # Ctrl-C / SIGTERM close the window: done is set

    def excepthook(kind, value, tb):
        log.error("uncaught error", exc_info=(kind, value, tb))

    sys.excepthook = excepthook

    async def main() -> int:
        task = asyncio.ensure_future(client.run())
        waiter = asyncio.ensure_future(done.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if client.status == "unauthorized":
            print(f"error: {url} refused the token (close code 4401)", file=sys.stderr)
            window.panel.set_status(status_text["unauthorized"])
            await done.wait()
            return 3
        await client.close()
        task.cancel()
        return 0

    with loop:
        return loop.run_until_complete(main())


__all__ = ["PrompterWindow", "run_prompter"]
