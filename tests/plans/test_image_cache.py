"""The product image cache: fetched once, size limit (LRU), offline, refusals (loopback HTTP)."""

from __future__ import annotations

import http.server
import os
import struct
import threading
import time
import zlib

import pytest

from console.plans.images import ImageCache, image_kind, local_path


def png_bytes(w: int = 8, h: int = 8, pad: int = 0) -> bytes:
    """A valid RGB PNG of ``w`` x ``h``; ``pad`` bytes of an ancillary chunk make it bigger."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes([200, 80, 40]) * w for _ in range(h))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    if pad:
        out += chunk(b"tEXt", b"pad\x00" + b"x" * pad)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


class _Server:
    """A loopback HTTP server serving ``files`` (path -> (status, content-type, bytes))."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.hits.append(self.path)
                status, ctype, body = owner.files.get(self.path, (404, "text/plain", b"missing"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(5)


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.stop()


def test_fetch_once_then_cached(server, tmp_path):
    server.files["/a.png"] = (200, "image/png", png_bytes())
    cache = ImageCache(tmp_path / "c")
    url = server.url + "/a.png"
    assert cache.cached(url) is None
    path = cache.get(url)
    assert path is not None and path.suffix == ".png" and path.read_bytes() == png_bytes()
    assert cache.get(url) == path and server.hits == ["/a.png"]


def test_offline_uses_the_cached_copy(server, tmp_path):
    server.files["/a.png"] = (200, "image/png", png_bytes())
    cache = ImageCache(tmp_path / "c", timeout=2)
    url, other = server.url + "/a.png", server.url + "/b.png"
    first = cache.get(url)
    server.stop()
    offline = ImageCache(tmp_path / "c", timeout=2)        # a new run, no network
    assert offline.get(url) == first
    assert offline.get(other) is None and offline.failure(other)
    assert offline.get(other) is None and offline.fetches == 1   # not asked again at once


def test_size_limit_evicts_least_recently_used(server, tmp_path):
    big = [png_bytes(pad=30_000 + i) for i in range(4)]
    for i, body in enumerate(big):
        server.files[f"/{i}.png"] = (200, "image/png", body)
    cache = ImageCache(tmp_path / "c", max_bytes=100_000)
    urls = [f"{server.url}/{i}.png" for i in range(4)]
    paths = [cache.get(urls[0]), cache.get(urls[1]), cache.get(urls[2])]
    assert cache.size() <= 100_000 and all(p.exists() for p in paths)
    old = time.time() - 100
    for i, p in enumerate(paths):                       # 0 used last: 1 is the least recent
        os.utime(p, (old + i, old + i))
    cache.cached(urls[0])
    cache.get(urls[3])
    assert cache.size() <= 100_000
    assert cache.cached(urls[1]) is None
    assert cache.cached(urls[0]) is not None and cache.cached(urls[3]) is not None


def test_refusals(server, tmp_path):
    server.files["/page"] = (200, "image/png", b"<html>not an image</html>")
    server.files["/huge.png"] = (200, "image/png", png_bytes(pad=5000))
    server.files["/gone.png"] = (404, "text/plain", b"")
    cache = ImageCache(tmp_path / "c", max_file_bytes=4000)
    for path, why in (("/page", "not an image"), ("/huge.png", "allowed"), ("/gone.png", "HTTP 404")):
        assert cache.get(server.url + path) is None
        assert why in cache.failure(server.url + path)
    assert cache.size() == 0 and not list((tmp_path / "c").glob("*.part"))


def test_local_images_are_not_copied(tmp_path):
    img = tmp_path / "p.png"
    img.write_bytes(png_bytes())
    cache = ImageCache(tmp_path / "c")
    assert cache.get(str(img)) == img and cache.get(img.as_uri()) == img
    assert cache.get(str(tmp_path / "none.png")) is None and cache.get("") is None
    assert local_path("https://x/y.png") is None and image_kind(png_bytes()) == ".png"
    assert image_kind(b"\xff\xd8\xff\xe0") == ".jpg" and image_kind(b"GIF89a") == ".gif"
