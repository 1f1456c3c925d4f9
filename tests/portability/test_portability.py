"""No unguarded POSIX-only use in product code (studios run Windows), and the check itself works."""

from __future__ import annotations

import textwrap

import pytest

from tests.portability.checker import check_source, check_tree


def test_product_code_is_portable():
    findings = check_tree()
    assert not findings, "\n".join(map(str, findings))


def _found(source: str) -> list[str]:
    return [f.what for f in check_source(textwrap.dedent(source))]


@pytest.mark.parametrize("source, what", [
    ("import fcntl\n", "import fcntl"),
    ("from termios import tcgetattr\n", "from termios import ..."),
    ("import os\nos.fork()\n", "os.fork"),
    ("import os\nos.killpg(1, 9)\n", "os.killpg"),
    ("import signal\nsignal.signal(signal.SIGHUP, print)\n", "signal.SIGHUP"),
    ("loop.add_signal_handler(2, print)\n", ".add_signal_handler()"),
    ("import multiprocessing\nmultiprocessing.get_context('fork')\n", "multiprocessing start method 'fork'"),
    ("LOG = '/tmp/livedesk.log'\n", "the path '/tmp/livedesk.log'"),
    ("open('plan.yaml')\n", "text I/O without encoding="),
    ("from pathlib import Path\nPath('a').read_text()\n", "text I/O without encoding="),
    ("def f():\n    try:\n        import fcntl\n    except ValueError:\n        pass\n", "import fcntl"),
])
def test_unguarded_uses_are_found(source, what):
    assert _found(source) == [what]


@pytest.mark.parametrize("source", [
    "import sys\nif sys.platform != 'win32':\n    import fcntl\n",
    "import os\nif os.name == 'posix':\n    os.killpg(1, 9)\n",
    "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n",
    "try:\n    loop.add_signal_handler(2, print)\nexcept NotImplementedError:\n    pass\n",
    "import contextlib\nwith contextlib.suppress(NotImplementedError):\n    loop.add_signal_handler(2, print)\n",
    "import signal\nsig = signal.SIGKILL if hasattr(signal, 'SIGKILL') else signal.SIGTERM\n",
    "import os\nos.fork()  # portable: only reached from the POSIX branch of start()\n",
    "import multiprocessing\nmultiprocessing.get_context('spawn')\n",
    "open('plan.yaml', encoding='utf-8')\n",
    "open('a.db', 'rb')\n",
])
def test_guarded_uses_pass(source):
    assert _found(source) == []
