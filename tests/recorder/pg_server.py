"""Throwaway PostgreSQL server on loopback for tests (and scripts/test-postgres.sh).

Usage as a program:  python tests/recorder/pg_server.py CMD [ARGS...]
starts a server, exports LIVEDESK_TEST_PG_URL, runs CMD, stops the server.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time


class PgServerError(RuntimeError):
    pass


def find_bindir() -> str | None:
    env = os.environ.get("LIVEDESK_PG_BINDIR")
    cands = [env] if env else []
    cands += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for d in cands:
        if d and os.path.exists(os.path.join(d, "initdb")) and os.path.exists(
                os.path.join(d, "postgres")):
            return d
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bindir: str | None = None) -> None:
        self.bindir = bindir or find_bindir()
        if not self.bindir:
            raise PgServerError("PostgreSQL binaries (initdb, postgres) not found")
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="livedesk-pg-")
        self.proc: subprocess.Popen | None = None
        self.user = None
        if os.geteuid() == 0:  # postgres refuses to run as root
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if self.user is None:
                raise PgServerError("running as root and no 'postgres'/'nobody' user exists")
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/livedesk_test"

    def _demote(self):
        if self.user is None:
            return None
        uid, gid = self.user.pw_uid, self.user.pw_gid

        def fn() -> None:
            os.setgid(gid)
            os.setuid(uid)
        return fn

    def _run(self, *args: str) -> None:
        r = subprocess.run(args, preexec_fn=self._demote(), capture_output=True, text=True,
                           cwd=self.dir, timeout=60)
        if r.returncode != 0:
            raise PgServerError(f"{args[0]} failed: {r.stderr.strip() or r.stdout.strip()}")

    def start(self) -> "PgServer":
        data = os.path.join(self.dir, "data")
        b = self.bindir
        self._run(f"{b}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        self.proc = subprocess.Popen(
            [f"{b}/postgres", "-D", data, "-p", str(self.port), "-h", "127.0.0.1",
             "-k", self.dir, "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "synchronous_commit=off"],
            preexec_fn=self._demote(), stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "server.log"), "wb"), cwd=self.dir)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise PgServerError("postgres exited: " + self.log_tail())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                self._run(f"{b}/createdb", "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "livedesk_test")
                return self
            except (OSError, PgServerError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise PgServerError("postgres did not start: " + self.log_tail())
                time.sleep(0.2)

    def log_tail(self) -> str:
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as fh:
                return fh.read()[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # smart shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: pg_server.py CMD [ARGS...]", file=sys.stderr)
        return 2
    srv = PgServer().start()
    try:
        env = dict(os.environ, LIVEDESK_TEST_PG_URL=srv.url)
        print(f"== PostgreSQL on {srv.url}", file=sys.stderr)
        return subprocess.call(argv, env=env)
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
