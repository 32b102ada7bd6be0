"""Limits and lockouts are shared by every app process (R-ROLE-1, R-PUB-2): counters live in the database
(or Redis), never in one worker's memory; behind trusted proxies each client is counted on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.config import apply_session_security
from app.extensions import db
from app.roles import Role
from app.web.ratelimit import DatabaseStorage

ROOT = Path(__file__).resolve().parents[2]

SERVER = """
import json, sys
from werkzeug.serving import make_server
from app import create_app

app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def test_the_database_store_counts_atomically_and_expires(app):
    store = DatabaseStorage("database://")
    store.reset()
    assert store.get("k") == 0
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3 and store.get_expiry("k") > 0
    assert store.incr("gone", -1) == 1  # a window that has already passed
    assert store.get("gone") == 0
    assert store.incr("gone", 60) == 1  # starts afresh
    store.clear("k")
    assert store.get("k") == 0
    assert store.check()


def test_memory_counters_are_refused_outside_tests_and_debug():
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        apply_session_security({"RATELIMIT_STORAGE_URI": "memory://"}, testing_or_debug=False)
    production, testing = {}, {}
    apply_session_security(production, testing_or_debug=False)
    apply_session_security(testing, testing_or_debug=True)
    assert production["RATELIMIT_STORAGE_URI"] == "database://"
    assert testing["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.fixture
def two_servers(tmp_path):
    """Two app processes (as two gunicorn workers or machines) on one SQLite database, behind one proxy."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engine = sa.create_engine(url)
    db.metadata.create_all(engine)
    from app.auth.models import User

    with Session(engine) as session:
        judge = User(username="judge", display_name="评委", role=Role.JUDGE, password_hash="")
        judge.set_password("secret-pass", method="pbkdf2:sha256:1000")
        session.add(judge)
        session.commit()
    engine.dispose()
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "shared-secret",
        "WTF_CSRF_ENABLED": False,
        "TRUSTED_PROXY_HOPS": 1,  # nginx in front
        "LOGIN_RATE_LIMIT": "4 per 5 minutes",
        "LOCKOUT_THRESHOLD": 3,
        # no RATELIMIT_STORAGE_URI and not TESTING: the production default, counters in the database
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("RATELIMIT_STORAGE_URI", None)
    processes, ports = [], []
    try:
        for _ in range(2):
            process = subprocess.Popen(
                [sys.executable, "-c", SERVER, json.dumps(config)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            ports.append(int(process.stdout.readline()))
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _login(port, username, password, client_ip):
    data = urllib.parse.urlencode({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/login", data=data, headers={"X-Forwarded-For": client_ip}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_two_app_processes_share_one_limit_and_one_lockout_R_ROLE_1(two_servers):
    a, b = two_servers
    # per address: 4 failures in all, alternating between the servers, then both refuse this client …
    for port in (a, b, a, b):
        assert _login(port, "nobody", "wrong", "203.0.113.7")[0] == 422
    for port in (a, b):
        status, text = _login(port, "nobody", "wrong", "203.0.113.7")
        assert status == 429 and "后再试" in text
    # … while another client behind the same proxy is still served
    assert _login(b, "nobody", "wrong", "203.0.113.8")[0] == 422

    # per account: 3 wrong passwords from three addresses on two servers lock the judge on both
    for port, ip in ((a, "198.51.100.1"), (b, "198.51.100.2"), (a, "198.51.100.3")):
        assert _login(port, "judge", "wrong", ip)[0] == 422
    for port in (a, b):
        status, text = _login(port, "judge", "secret-pass", "198.51.100.9")
        assert status == 422 and "已暂时锁定" in text
