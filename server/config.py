"""Settings: read once from the environment into one frozen, validated object.

A bad value raises ``ConfigError`` naming the variable, and ``python -m server``
turns that into a one-line message and a non-zero exit before anything starts.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlparse

from server.loop import default_kind


class ConfigError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """One identity provider people may sign in with (issue 17, docs/privacy.md).

    OpenID Connect when ``issuer`` is set (endpoints and keys from its discovery document);
    plain OAuth 2 (GitHub-style: no ID token, the person read from ``userinfo_url``) when it
    is not."""

    name: str
    label: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    issuer: str | None = None
    scopes: str = "openid email profile"
    authorize_url: str | None = None
    token_url: str | None = None
    userinfo_url: str | None = None

    @property
    def is_oidc(self) -> bool:
        return self.issuer is not None


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "0.0.0.0"  # noqa: S104 - a server listens on all interfaces by default
    port: int = 8080
    # Background worker and profile enrichment (server/worker.py, docs/enrichment.md).
    run_worker: str = "auto"
    worker_concurrency: int = 2
    worker_heartbeat_seconds: int = 30
    enrichment_max_attempts: int = 5
    enrichment_timeout_seconds: float = 30.0
    resume_max_pages: int = 30
    resume_max_bytes: int = 10 * 1_048_576
    # For tests that stop a worker mid-job: each delivery waits this long once started.
    enrichment_test_delay_seconds: float = 0.0
    data_dir: Path = Path("var")
    # Where the embedded PostgreSQL keeps its lock file (through platformdirs): None means
    # DATA_DIR/run, as XDG_RUNTIME_DIR is often unset or missing in containers.
    xdg_runtime_dir: Path | None = None
    database_url: str | None = None
    db_pool_min: int = 1
    db_pool_max: int = 10
    cache_max_entries: int = 10_000
    cache_ttl_seconds: float = 300.0
    redis_url: str | None = None
    redis_prefix: str = "rizeos"
    secret_key: str = field(default="", repr=False)
    public_url: str = "http://localhost:8080"
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "RizeOS <no-reply@localhost>"
    session_ttl_days: int = 30
    # argon2 parameters for new password hashes (server/auth/tokens.py PROFILES).
    password_hash_profile: str = "rfc9106-low-memory"  # noqa: S105 (a profile name)
    email_token_ttl_hours: int = 48
    password_reset_ttl_minutes: int = 60
    # How recently a password-less session must have re-authenticated with its provider
    # before DELETE /api/me (docs/privacy.md, "Deleting your account").
    reauth_window_minutes: int = 10
    # Password checks (log-in, changing password or email, re-authenticating) per account and
    # per IP address: a burst, then so many a minute (server/auth/attempts.py).
    password_account_burst: int = 10
    password_account_per_minute: float = 1.0
    password_ip_burst: int = 30
    password_ip_per_minute: float = 6.0
    # Provider sign-ins started (GET /api/auth/oidc/{provider}/start) per IP address: each
    # writes a flow row, so anyone could otherwise fill oidc_logins (server/auth/oidc/routes.py).
    oidc_start_ip_burst: int = 20
    oidc_start_ip_per_minute: float = 10.0
    # issue 18: load balancers (and other proxies) whose X-Forwarded-For is believed for the
    # client's address (server/proxies.py, docs/deploy.md); none by default.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    # A session's last_seen_at is written at most once per this many seconds (per instance).
    session_seen_interval_seconds: float = 300.0
    cookie_secure: bool = False
    max_body_bytes: int = 1_048_576
    shutdown_timeout: float = 15.0
    log_level: str = "INFO"
    # server/loop.py: "uvloop" (the default where it is installed) or "asyncio".
    event_loop: str = "uvloop"
    migrate_on_start: bool = True
    # create-admin's password when it is neither prompted for nor read from standard input.
    admin_password: str | None = field(default=None, repr=False)
    send_burst: int = 30
    send_rate_per_second: float = 10.0
    # Group commit of chat sends (server/messaging/sender.py): batches start at least this
    # many milliseconds apart while sends keep coming; a send after an idle spell goes at once.
    send_batch_interval_ms: float = 5.0
    # How long after sending a chat message its sender may still edit it (docs/messaging.md).
    message_edit_window_seconds: int = 86400
    # Missed-message email (docs/messaging.md): a participant who has not read a message
    # this many seconds after it was sent gets one email for the batch.
    missed_message_email_delay_seconds: float = 600.0
    # issue 15 (H3): the job-alert digest (docs/job-alerts.md) is due at this hour (UTC)
    # and then every interval (a day; tests make it a second).
    job_alert_digest_hour: int = 8
    job_alert_digest_interval_seconds: float = 86400.0
    # issue 16: a delivered order the buyer does not answer completes by itself this many
    # days after the last delivery; the seller is reminded this many hours before an order
    # is due (docs/orders.md). Fractions allowed (tests use seconds' worth).
    order_auto_complete_days: float = 3.0
    order_due_reminder_hours: float = 24.0
    # issue 17: a ready data export (docs/privacy.md) is deleted this many hours after it is
    # built. Fractions allowed (tests use seconds' worth).
    export_ttl_hours: float = 72.0
    # Object storage (server/storage): Backblaze B2 when its credentials are set, else local.
    b2_key_id: str | None = None
    b2_application_key: str | None = field(default=None, repr=False)
    b2_bucket: str | None = None
    b2_s3_endpoint: str | None = None
    b2_region: str | None = None
    upload_grant_ttl_seconds: int = 600
    upload_complete_grace_seconds: int = 3600
    download_url_ttl_seconds: int = 300
    upload_sweep_interval_seconds: float = 300.0
    upload_cors_origins: tuple[str, ...] = ()
    # issue 17: identity providers people may sign in with (OIDC_PROVIDERS).
    oidc_providers: tuple[OidcProvider, ...] = ()
    # issue 18: GET /metrics requires `Authorization: Bearer <this>` when set; unset, it is
    # served to anyone (docs/operations.md: set it in production).
    metrics_token: str | None = field(default=None, repr=False)
    # issue 18 (logs and worker visibility): "text" or "json" lines (server/logs.py); how
    # often each worker writes its heartbeat row (server/worker.py: under
    # WORKER_HEARTBEAT_SECONDS, after which it counts as gone); how often a web process
    # looks for jobs queued with no live worker to run them (server/queue_watch.py).
    log_format: str = "text"
    worker_beat_seconds: float = 5.0
    queue_check_seconds: float = 30.0
    # issue 18: `python -m server worker` serves its own GET /metrics and /healthz on
    # HOST:WORKER_METRICS_PORT (server/metrics/worker_listener.py); unset, it listens nowhere.
    worker_metrics_port: int | None = None

    def oidc_provider(self, name: str) -> OidcProvider | None:
        return next((p for p in self.oidc_providers if p.name == name), None)

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def storage_backend(self) -> str:
        return "b2" if self.b2_key_id else "local"

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """Origins a browser may upload from: UPLOAD_CORS_ORIGINS, else PUBLIC_URL's."""
        if self.upload_cors_origins:
            return self.upload_cors_origins
        parsed = urlparse(self.public_url)
        return (f"{parsed.scheme}://{parsed.netloc}",)


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, hi: float | None = None) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {raw!r}")
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    if hi is not None and value > hi:
        raise ConfigError(f"{name} must be at most {hi:g}, got {value}")
    return value


def _positive(env: Mapping[str, str], name: str, default: float, hi: float | None = None) -> float:
    value = _float(env, name, default, hi)
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _url(env: Mapping[str, str], name: str, schemes: set[str]) -> str | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ConfigError(f"{name} must be a URL with scheme {allowed}, got {parsed.scheme!r}")
    return raw


def _secret_key(env: Mapping[str, str], data_dir: Path, embedded: bool) -> str:
    raw = env.get("SECRET_KEY")
    if raw:
        if len(raw) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters")
        return raw
    if not embedded:
        raise ConfigError(
            "SECRET_KEY is required when DATABASE_URL is set (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    # Embedded default: a key generated once and kept beside the embedded database,
    # so sessions and signed links survive a restart of the development server.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _redis_prefix(env: Mapping[str, str]) -> str:
    prefix = env.get("REDIS_PREFIX") or "rizeos"
    if not all(c.isalnum() or c in "-_:." for c in prefix) or len(prefix) > 64:
        raise ConfigError("REDIS_PREFIX may hold letters, digits, '-', '_', ':' and '.' (≤ 64)")
    return prefix


B2_SETTINGS = ("B2_KEY_ID", "B2_APPLICATION_KEY", "B2_BUCKET", "B2_S3_ENDPOINT")
# Upload grants must expire within 15 minutes (issue 4's security requirement).
MAX_UPLOAD_GRANT_TTL = 900


def _b2(env: Mapping[str, str]) -> dict[str, str | None]:
    """All of the B2 settings or none of them: half a configuration is a mistake, not local."""
    values = {name: (env.get(name) or "").strip() or None for name in B2_SETTINGS}
    given = [name for name, value in values.items() if value]
    if given and len(given) != len(B2_SETTINGS):
        missing = ", ".join(name for name in B2_SETTINGS if not values[name])
        raise ConfigError(f"B2 storage needs {', '.join(B2_SETTINGS)}; missing {missing}")
    endpoint = values["B2_S3_ENDPOINT"]
    region = (env.get("B2_REGION") or "").strip() or None
    if endpoint:
        parsed = urlparse(endpoint)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ConfigError(f"B2_S3_ENDPOINT must be an http(s) URL, got {endpoint!r}")
        if region is None:
            # https://s3.us-west-004.backblazeb2.com -> us-west-004
            host = parsed.hostname.split(".")
            if len(host) < 3 or host[0] != "s3":
                raise ConfigError("set B2_REGION: it cannot be read from B2_S3_ENDPOINT")
            region = host[1]
    return {
        "b2_key_id": values["B2_KEY_ID"],
        "b2_application_key": values["B2_APPLICATION_KEY"],
        "b2_bucket": values["B2_BUCKET"],
        "b2_s3_endpoint": endpoint.rstrip("/") if endpoint else None,
        "b2_region": region if endpoint else None,
    }


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("UPLOAD_CORS_ORIGINS") or ""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        parsed = urlparse(origin)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname or parsed.path:
            raise ConfigError(f"UPLOAD_CORS_ORIGINS takes origins (https://host), got {origin!r}")
    return origins


def _networks(env: Mapping[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated addresses or CIDR networks (``10.0.0.0/24, 192.0.2.7``)."""
    raw = env.get(name) or ""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(ip_network(item))
        except ValueError as exc:
            raise ConfigError(f"{name} takes IP addresses or networks (CIDR): {exc}") from None
    return tuple(networks)


_PROVIDER_NAME = re.compile(r"\A[a-z0-9_]{1,64}\Z")


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw


def _oidc_providers(env: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """``OIDC_PROVIDERS=google,github`` and, per name, ``OIDC_<NAME>_ISSUER`` (OpenID
    Connect) or ``_AUTHORIZE_URL`` + ``_TOKEN_URL`` + ``_USERINFO_URL`` (plain OAuth 2), with
    ``_CLIENT_ID``, ``_CLIENT_SECRET``, ``_LABEL`` and ``_SCOPES``."""
    raw = env.get("OIDC_PROVIDERS") or ""
    names = [n.strip() for n in raw.split(",") if n.strip()]
    providers = []
    for name in names:
        if not _PROVIDER_NAME.match(name):
            raise ConfigError(
                f"OIDC_PROVIDERS names may hold a-z, 0-9 and '_' (at most 64), got {name!r}"
            )
        if name in [p.name for p in providers]:
            raise ConfigError(f"OIDC_PROVIDERS names {name!r} twice")
        prefix = f"OIDC_{name.upper()}_"
        client_id = (env.get(prefix + "CLIENT_ID") or "").strip()
        if not client_id:
            raise ConfigError(f"{prefix}CLIENT_ID is required for the provider {name!r}")
        issuer = _http_url(env, prefix + "ISSUER")
        endpoints = {
            part: _http_url(env, prefix + part.upper())
            for part in ("authorize_url", "token_url", "userinfo_url")
        }
        if issuer is None and not all(endpoints.values()):
            missing = ", ".join(prefix + k.upper() for k, v in endpoints.items() if not v)
            raise ConfigError(
                f"the provider {name!r} needs {prefix}ISSUER (OpenID Connect) or, for plain "
                f"OAuth 2, {prefix}AUTHORIZE_URL, {prefix}TOKEN_URL and {prefix}USERINFO_URL; "
                f"missing {missing}"
            )
        default_scopes = "openid email profile" if issuer else "user:email"
        scopes = " ".join((env.get(prefix + "SCOPES") or default_scopes).split())
        if issuer and "openid" not in scopes.split():
            raise ConfigError(f"{prefix}SCOPES must include openid for an OpenID Connect issuer")
        label = (env.get(prefix + "LABEL") or "").strip() or name.replace("_", " ").title()
        if len(label) > 64:
            raise ConfigError(f"{prefix}LABEL must be at most 64 characters")
        providers.append(
            OidcProvider(
                name=name,
                label=label,
                client_id=client_id,
                client_secret=(env.get(prefix + "CLIENT_SECRET") or "").strip() or None,
                issuer=issuer,
                scopes=scopes,
                **endpoints,
            )
        )
    return tuple(providers)


def _worker_metrics_port(env: Mapping[str, str], port: int) -> int | None:
    if not env.get("WORKER_METRICS_PORT"):
        return None
    value = _int(env, "WORKER_METRICS_PORT", 0, 1, 65535)
    if value == port:
        # The environment file is shared by web and worker (docs/deploy.md): on a host that
        # runs both, the second to start could not bind.
        raise ConfigError(f"WORKER_METRICS_PORT must differ from PORT ({port})")
    return value


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = env.get("METRICS_TOKEN") or None
    if token is not None and (len(token) < 16 or not token.isprintable() or " " in token):
        raise ConfigError(
            "METRICS_TOKEN must be at least 16 printable characters without spaces "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return token


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR") or "var")
    database_url = _url(env, "DATABASE_URL", {"postgres", "postgresql"})
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    public_url = _url(env, "PUBLIC_URL", {"http", "https"}) or "http://localhost:{port}"
    port = _int(env, "PORT", 8080, 1, 65535)
    pool_min = _int(env, "DB_POOL_MIN", 1, 0, 100)
    pool_max = _int(env, "DB_POOL_MAX", 10, 1, 500)
    if pool_min > pool_max:
        raise ConfigError(f"DB_POOL_MIN ({pool_min}) must not exceed DB_POOL_MAX ({pool_max})")
    # issue 18
    worker_heartbeat_seconds = _int(env, "WORKER_HEARTBEAT_SECONDS", 30, 1, 3600)
    worker_beat_seconds = _positive(
        env, "WORKER_BEAT_SECONDS", min(5.0, worker_heartbeat_seconds / 3)
    )
    if worker_beat_seconds >= worker_heartbeat_seconds:
        raise ConfigError(
            f"WORKER_BEAT_SECONDS ({worker_beat_seconds:g}) must be less than"
            f" WORKER_HEARTBEAT_SECONDS ({worker_heartbeat_seconds})"
        )
    return Settings(
        host=env.get("HOST") or "0.0.0.0",  # noqa: S104
        port=port,
        run_worker=_choice(env, "RUN_WORKER", "auto", ("auto", "yes", "no")),
        worker_concurrency=_int(env, "WORKER_CONCURRENCY", 2, 1, 64),
        worker_heartbeat_seconds=worker_heartbeat_seconds,
        enrichment_max_attempts=_int(env, "ENRICHMENT_MAX_ATTEMPTS", 5, 1, 50),
        enrichment_timeout_seconds=_positive(env, "ENRICHMENT_TIMEOUT_SECONDS", 30.0),
        resume_max_pages=_int(env, "RESUME_MAX_PAGES", 30, 1, 1000),
        resume_max_bytes=_int(env, "RESUME_MAX_BYTES", 10 * 1_048_576, 1024, 512 * 1_048_576),
        enrichment_test_delay_seconds=_float(env, "ENRICHMENT_TEST_DELAY_SECONDS", 0.0, hi=3600),
        data_dir=data_dir,
        xdg_runtime_dir=Path(env["XDG_RUNTIME_DIR"]) if env.get("XDG_RUNTIME_DIR") else None,
        database_url=database_url,
        db_pool_min=pool_min,
        db_pool_max=pool_max,
        cache_max_entries=_int(env, "CACHE_MAX_ENTRIES", 10_000, 0, 10_000_000),
        cache_ttl_seconds=_positive(env, "CACHE_TTL_SECONDS", 300.0),
        redis_url=_url(env, "REDIS_URL", {"redis", "rediss", "unix"}),
        redis_prefix=_redis_prefix(env),
        secret_key=_secret_key(env, data_dir, database_url is None),
        public_url=public_url.format(port=port).rstrip("/"),
        smtp_url=_url(env, "SMTP_URL", {"smtp", "smtps"}),
        mail_from=env.get("MAIL_FROM") or "RizeOS <no-reply@localhost>",
        session_ttl_days=_int(env, "SESSION_TTL_DAYS", 30, 1, 365),
        password_hash_profile=_choice(
            env,
            "PASSWORD_HASH_PROFILE",
            "rfc9106-low-memory",
            ("rfc9106-low-memory", "rfc9106-high-memory", "cheapest"),
        ),
        email_token_ttl_hours=_int(env, "EMAIL_TOKEN_TTL_HOURS", 48, 1, 24 * 30),
        password_reset_ttl_minutes=_int(env, "PASSWORD_RESET_TTL_MINUTES", 60, 5, 24 * 60),
        reauth_window_minutes=_int(env, "REAUTH_WINDOW_MINUTES", 10, 1, 24 * 60),
        password_account_burst=_int(env, "PASSWORD_ACCOUNT_BURST", 10, 1, 1_000_000),
        password_account_per_minute=_positive(env, "PASSWORD_ACCOUNT_PER_MINUTE", 1.0),
        password_ip_burst=_int(env, "PASSWORD_IP_BURST", 30, 1, 1_000_000),
        password_ip_per_minute=_positive(env, "PASSWORD_IP_PER_MINUTE", 6.0),
        oidc_start_ip_burst=_int(env, "OIDC_START_IP_BURST", 20, 1, 1_000_000),
        oidc_start_ip_per_minute=_positive(env, "OIDC_START_IP_PER_MINUTE", 10.0),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        session_seen_interval_seconds=_positive(
            env, "SESSION_SEEN_INTERVAL_SECONDS", 300.0, hi=86400
        ),
        cookie_secure=_bool(env, "COOKIE_SECURE", public_url.startswith("https://")),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_048_576, 1024, 64 * 1_048_576),
        shutdown_timeout=_float(env, "SHUTDOWN_TIMEOUT", 15.0),
        log_level=log_level,
        event_loop=_choice(env, "EVENT_LOOP", default_kind(), ("uvloop", "asyncio")),
        migrate_on_start=_bool(env, "MIGRATE_ON_START", True),
        admin_password=env.get("ADMIN_PASSWORD") or None,
        send_burst=_int(env, "SEND_BURST", 30, 1, 1_000_000),
        send_rate_per_second=_positive(env, "SEND_RATE_PER_SECOND", 10.0),
        send_batch_interval_ms=_float(env, "SEND_BATCH_INTERVAL_MS", 5.0, hi=1000),
        message_edit_window_seconds=_int(
            env, "MESSAGE_EDIT_WINDOW_SECONDS", 86400, 0, 366 * 24 * 3600
        ),
        missed_message_email_delay_seconds=_positive(
            env, "MISSED_MESSAGE_EMAIL_DELAY_SECONDS", 600.0
        ),
        job_alert_digest_hour=_int(env, "JOB_ALERT_DIGEST_HOUR", 8, 0, 23),
        job_alert_digest_interval_seconds=_positive(
            env, "JOB_ALERT_DIGEST_INTERVAL_SECONDS", 86400.0
        ),
        order_auto_complete_days=_positive(env, "ORDER_AUTO_COMPLETE_DAYS", 3.0, hi=365),
        order_due_reminder_hours=_positive(env, "ORDER_DUE_REMINDER_HOURS", 24.0, hi=24 * 365),
        export_ttl_hours=_positive(env, "EXPORT_TTL_HOURS", 72.0, hi=24 * 365),
        upload_grant_ttl_seconds=_int(
            env, "UPLOAD_GRANT_TTL_SECONDS", 600, 30, MAX_UPLOAD_GRANT_TTL
        ),
        upload_complete_grace_seconds=_int(
            env, "UPLOAD_COMPLETE_GRACE_SECONDS", 3600, 60, 7 * 24 * 3600
        ),
        download_url_ttl_seconds=_int(env, "DOWNLOAD_URL_TTL_SECONDS", 300, 10, 3600),
        upload_sweep_interval_seconds=_positive(env, "UPLOAD_SWEEP_INTERVAL_SECONDS", 300.0),
        upload_cors_origins=_origins(env),
        oidc_providers=_oidc_providers(env),
        metrics_token=_metrics_token(env),
        # issue 18
        log_format=_choice(env, "LOG_FORMAT", "text", ("text", "json")),
        worker_beat_seconds=worker_beat_seconds,
        queue_check_seconds=_positive(env, "QUEUE_CHECK_SECONDS", 30.0, hi=3600),
        worker_metrics_port=_worker_metrics_port(env, port),
        **_b2(env),
    )
