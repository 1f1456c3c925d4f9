from __future__ import annotations

import os
import uuid

import pytest

from tests.recorder.pg_server import PgServer, PgServerError, find_bindir


@pytest.fixture(scope="session")
def pg_url():
    """LIVEDESK_TEST_PG_URL if set, else a throwaway server started for this test run."""
    url = os.environ.get("LIVEDESK_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: psycopg is not installed")
    if not find_bindir():
        pytest.skip("PostgreSQL tests skipped: no LIVEDESK_TEST_PG_URL and no PostgreSQL "
                    "binaries (initdb/postgres) found")
    try:
        srv = PgServer().start()
    except PgServerError as exc:
        pytest.skip(f"PostgreSQL tests skipped: could not start a server: {exc}")
    yield srv.url
    srv.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rec.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'rec.db'}"


@pytest.fixture
def sid():
    return "s-" + uuid.uuid4().hex[:12]
