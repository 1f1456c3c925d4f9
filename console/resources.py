"""One way to find Livedesk's bundled data files, in a checkout, a wheel or a frozen app.

The files live in the ``resources`` package (``resources/`` at the top of the repository,
installed with the wheel as package data, collected by the PyInstaller spec); they are
located through :mod:`importlib.resources`, so nothing depends on where a source file sits.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = "resources"


def resource_path(*parts: str) -> Path:
    """The path of a bundled resource (it may not exist: check before reading an optional one).

    Livedesk is installed as files on disk (a wheel, an editable install or a PyInstaller
    folder), so the package's traversable is a real directory.
    """
    return package_file(PACKAGE, *parts)


def package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside a Python package (a plugin's example, the migrations)."""
    return Path(str(files(package).joinpath(*parts)))


def sample_plan_path() -> Path:
    """The sample show plan the simulator runs by default."""
    return resource_path("sample_plan.yaml")


def banned_words_path() -> Path:
    """The default advertising-law word list."""
    return resource_path("banned_words.yaml")


def i18n_dir() -> Path:
    """The folder of compiled translations (``livedesk_<locale>.qm``)."""
    return resource_path("i18n")
