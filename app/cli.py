"""Command-line verbs: `flask users create-admin`, `flask demo load`, `flask backup`, `flask restore`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="账号管理")
demo_cli = AppGroup("demo", help="示例数据")


@users_cli.command("create-admin")
@click.option("--username", prompt="用户名")
@click.option("--name", "display_name", prompt="姓名")
@click.password_option("--password", prompt="密码")
def create_admin(username: str, display_name: str, password: str) -> None:
    """Create a city administrator for a real deployment."""
    from app.auth.services import create_city_admin

    try:
        create_city_admin(username, display_name, password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"已创建市级管理员 {username}。")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="数据库已有数据时什么也不做")
@click.option("--teachers", default=2000, show_default=True, help="示例教师人数（约数）")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="以哪一天（北京时间，YYYY-MM-DD）为“今天”生成示例日期；默认今天",
)
def load_demo(if_empty: bool, teachers: int, today) -> None:
    """Load the demo city: 4 districts, about 60 schools, about 2,000 teachers, one login per role.

    R-TIME-1: every date follows ``--today`` (default: today in Beijing): last year's season complete,
    this year's in progress.
    """
    from app.demo import DEMO_PASSWORD, load, print_logins
    from app.orgs.models import District

    if db.session.scalar(sa.select(sa.func.count()).select_from(District)):
        if if_empty:
            click.echo("数据库已有数据，跳过示例数据。")
            print_logins(click.echo)
            return
        raise click.ClickException("数据库已有数据；示例数据只能载入空数据库。")
    load(teachers=teachers, today=today.date() if today else None)
    db.session.commit()
    click.echo(f"示例城市已载入（所有示例账号的密码均为 {DEMO_PASSWORD}）。")
    print_logins(click.echo)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent snapshot of the database (with the stamped scans) to PATH (.tar)."""
    from app.backup import BackupError, backup

    try:
        manifest = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(t["rows"] for t in manifest.tables.values())
    click.echo(
        f"已备份到 {path}（{manifest.dialect}，结构版本 {manifest.revision}，{len(manifest.tables)} 张表共 {rows} 行，"
        f"SHA-256 {manifest.sha256[:12]}…）。"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup made by `flask backup` into an EMPTY database at the same schema revision."""
    from app.backup import BackupError, restore

    try:
        manifest = restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"已从 {path} 恢复（备份时间 {manifest['created_at']}，共 {rows} 行，已逐表核对）。")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
