"""The shared glue: configuration, SQLite pragmas, error pages, fragments, health."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.config import apply_environment, normalise_database_url
from app.extensions import db


def test_postgres_urls_are_routed_through_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first: dict = {}
    apply_environment(first, tmp_path)
    second: dict = {}
    apply_environment(second, tmp_path)
    assert len(first["SECRET_KEY"]) == 64 and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'saixuntong.sqlite3'}"


def test_environment_wins_over_instance_config(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/x")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite:///other", "SECRET_KEY": "from-file"}
    apply_environment(config, tmp_path)
    assert (
        config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/x"
        and config["SECRET_KEY"] == "from-env"
    )


def test_sqlite_enforces_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_htmx_gets_the_named_block_and_a_full_page_otherwise(client, city, login):
    login(city.city_admin)
    full = client.get("/admin/schools?q=青石")
    fragment = client.get("/admin/schools?q=青石", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "青石镇中心小学" in body and "东山县实验小学" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/admin/schools", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_anonymous_root_goes_to_the_public_portal_or_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(("/login", "/p/"))


def test_a_judge_lands_on_the_scoring_queue_not_the_admin_dashboard(client, city, login):
    login(city.judge)
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"].endswith("/judging/my")
    login(city.school_admin)
    assert client.get("/dashboard").status_code == 200
