"""Product images by URL: fetched once, kept in the user cache directory, size-limited.

Headless (no Qt). :meth:`ImageCache.get` blocks (network), so the GUI calls it from a
worker thread (``console.gui.image_loader``); the report calls :meth:`ImageCache.cached`
only, which never touches the network. Without network the cached copy is used, and
when there is none the caller draws its letter tile.

* Files are named by the SHA-1 of the URL, in ``<user_cache_dir("livedesk")>/images``
  (``$LIVEDESK_IMAGE_CACHE`` overrides the folder).
* The folder is kept under ``max_bytes``: the least recently used files go first (a hit
  touches the file's modification time, so the order survives restarts).
* A download larger than ``max_file_bytes``, or that is not an image (checked by its first
  bytes, not by what the server claims), is refused; a failed URL is not asked again for
  ``retry_after`` seconds.
* Local paths and ``file://`` URLs are returned as they are, never copied.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
USER_AGENT = "Livedesk image cache"

#: Leading bytes of the image formats Qt and reportlab read -> file extension.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"),
          (b"GIF89a", ".gif"), (b"BM", ".bmp"))


class ImageFetchError(OSError):
    """The image could not be fetched (network, HTTP status, size, not an image)."""


def default_folder() -> Path:
    override = os.environ.get("LIVEDESK_IMAGE_CACHE")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_cache_dir("livedesk")) / "images"


def image_kind(head: bytes) -> str | None:
    """The file extension for an image's first bytes, or None when it is not one we read."""
    for magic, ext in _MAGIC:
        if head.startswith(magic):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


def local_path(url: str) -> Path | None:
    """The file a local image reference names (a path or file:// URL), else None."""
    url = (url or "").strip()
    if not url:
        return None
    if url.startswith("file://"):
        return Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    scheme = urllib.parse.urlparse(url).scheme
    if scheme in ("http", "https"):
        return None
    if len(scheme) > 1 and "://" in url:   # another scheme (ftp:, data:): not a file
        return None
    return Path(url)


class ImageCache:
    """A size-limited, least-recently-used disk cache of images fetched by URL. Thread-safe."""

    def __init__(self, folder: str | Path | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, timeout: float = 10.0,
                 retry_after: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_bytes = int(max_bytes)
        self.max_file_bytes = int(max_file_bytes)
        self.timeout = timeout
        self.retry_after = retry_after
        self.clock = clock
        self._lock = threading.Lock()
        self._failed: dict[str, tuple[float, str]] = {}   # url -> (when, why)
        self.fetches = 0                                  # network requests made (tests, status)

    # ---- Public API
    def key(self, url: str) -> str:
        return hashlib.sha1(url.strip().encode("utf-8")).hexdigest()

    def cached(self, url: str) -> Path | None:
        """The image for ``url`` if it is on disk (a local file, or a cached copy); no network."""
        local = local_path(url)
        if local is not None:
            return local if local.is_file() else None
        if not url or not url.strip():
            return None
        for path in self.folder.glob(self.key(url) + ".*"):
            if path.suffix == ".part":
                continue
            try:
                os.utime(path)          # used now: last to be evicted
            except OSError:
                pass
            return path
        return None

    def get(self, url: str) -> Path | None:
        """The image for ``url``: the cached copy, or fetched now (blocking). None when it
        cannot be had (offline, refused, not an image); the reason is logged once."""
        path = self.cached(url)
        if path is not None or local_path(url) is not None or not (url or "").strip():
            return path
        failed = self._failed.get(url)
        if failed is not None and self.clock() - failed[0] < self.retry_after:
            return None
        try:
            return self.fetch(url)
        except ImageFetchError as exc:
            self._failed[url] = (self.clock(), str(exc))
            log.info("product image not available: %s", exc)
            return None

    def failure(self, url: str) -> str | None:
        """Why the last fetch of ``url`` failed, if it did."""
        failed = self._failed.get(url)
        return failed[1] if failed else None

    def fetch(self, url: str) -> Path:
        """Download ``url`` into the cache (replacing a cached copy); raise ImageFetchError."""
        url = url.strip()
        if urllib.parse.urlparse(url).scheme not in ("http", "https"):
            raise ImageFetchError(f"{url}: only http(s) images are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - http(s) only, checked above
        self.fetches += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - http(s) only
                length = resp.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_file_bytes:
                    raise ImageFetchError(f"{url}: {int(length)} bytes, more than the "
                                          f"{self.max_file_bytes} allowed for one image")
                data = resp.read(self.max_file_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise ImageFetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ImageFetchError(f"{url}: {reason}") from None
        if len(data) > self.max_file_bytes:
            raise ImageFetchError(f"{url}: more than the {self.max_file_bytes} bytes allowed "
                                  "for one image")
        ext = image_kind(data[:16])
        if ext is None:
            raise ImageFetchError(f"{url}: not an image (PNG, JPEG, GIF, BMP or WebP)")
        self._failed.pop(url, None)
        return self._store(url, data, ext)

    def size(self) -> int:
        """Bytes the cache holds now."""
        return sum(p.stat().st_size for p in self._files())

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Delete least recently used files until the cache fits ``max_bytes``."""
        with self._lock:
            files = []
            for path in self._files():
                try:
                    st = path.stat()
                except OSError:
                    continue
                files.append((st.st_mtime, st.st_size, path))
            total = sum(f[1] for f in files)
            removed = []
            for _mtime, size, path in sorted(files, key=lambda f: (f[0], str(f[2]))):
                if total <= self.max_bytes:
                    break
                if keep is not None and path == keep:
                    continue
                try:
                    path.unlink()
                except OSError:
                    continue
                total -= size
                removed.append(path)
            return removed

    # ---- Internals
    def _files(self) -> list[Path]:
        try:
            return [p for p in self.folder.iterdir() if p.is_file() and p.suffix != ".part"]
        except OSError:
            return []

    def _store(self, url: str, data: bytes, ext: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        key = self.key(url)
        for old in self.folder.glob(key + ".*"):
            if old.suffix != ext:
                old.unlink(missing_ok=True)
        path = self.folder / (key + ext)
        tmp = self.folder / f"{key}.{threading.get_ident()}.part"
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ImageFetchError(f"{url}: cannot write the cache: {exc.strerror or exc}") from None
        # A newer mtime than anything already there, even on coarse file-system clocks.
        now = time.time()
        newest = max((p.stat().st_mtime for p in self._files() if p != path), default=0.0)
        os.utime(path, (now, max(now, newest + 0.001)))
        self.evict(keep=path)
        return path


__all__ = ["ImageCache", "ImageFetchError", "image_kind", "local_path", "default_folder"]
