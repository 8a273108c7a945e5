"""Command line: ``python -m server [web|worker|migrate|create-admin EMAIL|storage-setup]``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

import msgspec
from aiohttp import web

from server import loop
from server.auth.schemas import Email
from server.config import ConfigError, Settings, load_settings
from server.logs import access_log_flusher, configure_logging

log = logging.getLogger("rizeos")


async def _migrate(settings: Settings) -> None:
    from server.db import Database, apply_migrations
    from server.embedded import database_url

    db = await Database.connect(await asyncio.to_thread(database_url, settings), 1, 1)
    try:
        async with db.connection() as conn:
            applied = await apply_migrations(conn, db.q)
        print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    finally:
        await db.close()


async def _create_admin(settings: Settings, email: str, password: str | None) -> None:
    from server.auth import tokens
    from server.auth.service import AccountService
    from server.db import Database, apply_migrations
    from server.embedded import database_url
    from server.mail import Mailer

    tokens.use_profile(settings.password_hash_profile)
    db = await Database.connect(await asyncio.to_thread(database_url, settings), 1, 1)
    try:
        async with db.connection() as conn:
            await apply_migrations(conn, db.q)
        user = await AccountService(db, settings, Mailer(None, "")).create_admin(email, password)
        print(f"admin ready: {user.email} ({user.id})")
    finally:
        await db.close()


def announce_ready(settings: Settings) -> None:
    """The address it listens on, and the one to open: PUBLIC_URL, where emails and file
    references point (any other host the server answers on works too, uploads included:
    docs/storage.md)."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    log.info("ready at http://%s:%d: open %s", host, settings.port, settings.public_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description="RizeOS server")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("web", help="serve HTTP (the default)")
    sub.add_parser("worker", help="run background jobs (profile enrichment) until stopped")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    admin = sub.add_parser("create-admin", help="create a platform admin, or promote a user")
    admin.add_argument("email")
    admin.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    sub.add_parser("storage-setup", help="apply the B2 bucket's privacy, CORS and lifecycle rules")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)

    if args.command == "worker":
        from server.worker import run_standalone

        loop.run(settings.event_loop, run_standalone(settings))
        return 0
    if args.command == "migrate":
        loop.run(settings.event_loop, _migrate(settings))
        return 0
    if args.command == "storage-setup":
        from server.storage.setup import storage_setup

        loop.run(settings.event_loop, storage_setup(settings))
        return 0
    if args.command == "create-admin":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n") or None
        elif sys.stdin.isatty():
            password = getpass.getpass("password (empty to keep/none): ") or None
        else:
            # Scripts pass it in the environment; without one, an existing user keeps theirs
            # and a new admin must reset it by mail before logging in.
            password = settings.admin_password
        if password is not None and len(password) < 10:
            print("the password must be at least 10 characters", file=sys.stderr)
            return 2
        try:
            msgspec.convert(args.email, Email)
        except msgspec.ValidationError:
            print(f"not an email address: {args.email!r}", file=sys.stderr)
            return 2
        loop.run(settings.event_loop, _create_admin(settings, args.email, password))
        return 0

    from server.app import create_app, freeze_startup_heap

    # Before the database is started, migrated and connected: "ready at" says when it is.
    log.info("starting on %s:%d", settings.host, settings.port)
    app = create_app(settings)
    app.cleanup_ctx.append(access_log_flusher)
    app.on_startup.append(freeze_startup_heap)  # runs after every cleanup_ctx has started
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        access_log=None,
        shutdown_timeout=settings.shutdown_timeout,
        # Called once every cleanup context (database, migrations, Redis, worker) has started
        # and the socket listens: the moment to say so.
        print=lambda _banner: announce_ready(settings),
        loop=loop.new_event_loop(settings.event_loop),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
