"""Rate limits on password checks, per account and per IP address.

Every check of a password (log-in; the current password asked when changing the password
or the email; re-authenticating before deleting the account) first takes a token from two
token buckets (server/ratelimit.py, in Redis when there is one, so the limits hold across
instances): one for the account, one for the client's IP address. Either empty: 429 with
``Retry-After``, before the password is looked at, so a refused attempt changes nothing
and costs no hashing.

The figures (settings; docs/privacy.md says why):

* per account (keyed by the email address, lower-cased, so guesses at an address that has
  no account are limited the same way and tell nothing): 10 at once, then 1 a minute. A
  person who mistypes uses a few; a guesser gets ~1,450 tries a day at most against a
  password of 10 characters or more. There is no lock-out: someone guessing at your
  account slows you to one try a minute, never shuts you out.
* per IP address: 30 at once, then 6 a minute (1 per 10 s). An office or campus behind one
  address has room for several people mistyping at once; one address spraying many
  accounts gets ~8,600 tries a day, whatever accounts it spreads them over.

Successful checks count too: a bucket taken before the password is known cannot tell.

The IP address is ``client_ip(request)`` (server/proxies.py): the peer of the TCP
connection, or behind a load balancer listed in ``TRUSTED_PROXIES`` the client it forwards
for (its X-Forwarded-For), so that clients behind one balancer do not share one bucket.
"""

from __future__ import annotations

from aiohttp import web

from server import keys
from server.auth.middleware import SESSION_KEY
from server.proxies import client_ip
from server.ratelimit import TokenBucket, token_bucket


def account_key(email: str) -> str:
    """The account's bucket: the address lower-cased the way PostgreSQL's ``lower()`` finds
    the account at log-in (sql/auth/auth.sql). Python's ``str.lower()`` differs from it in one
    character only: U+0130 (capital I with dot above) becomes "i" plus a combining dot, where
    the database makes it a plain "i"; left so, each "i" of an address was a spelling with a
    bucket of its own that still signed in to the account."""
    return email.strip().replace("\u0130", "i").lower()


class PasswordAttempts:
    def __init__(self, by_account: TokenBucket, by_ip: TokenBucket):
        self.by_account = by_account
        self.by_ip = by_ip

    async def check(self, *, ip: str | None, account: str) -> None:
        """Count one password check, or raise ``RateLimited`` (429, ``Retry-After``)."""
        await self.by_ip.check(ip or "unknown")
        await self.by_account.check(account_key(account))


PASSWORD_ATTEMPTS: web.AppKey[PasswordAttempts] = web.AppKey("password_attempts", PasswordAttempts)


def install_password_attempts(app: web.Application) -> None:
    """Put the limiter on the app (create_app, after the fan-out bus exists)."""
    settings = app[keys.SETTINGS]
    app[PASSWORD_ATTEMPTS] = PasswordAttempts(
        by_account=token_bucket(
            app,
            settings.password_account_burst,
            settings.password_account_per_minute / 60,
            "password_account",
            "too many password attempts for this account; try again in {retry}",
        ),
        by_ip=token_bucket(
            app,
            settings.password_ip_burst,
            settings.password_ip_per_minute / 60,
            "password_ip",
            "too many password attempts from your network; try again in {retry}",
        ),
    )


async def check_password_attempt(app: web.Application, *, ip: str | None, account: str) -> None:
    """Count one password check for the account (its email address) from ``ip``
    (``client_ip(request)``); raise ``RateLimited`` when either limit is spent."""
    await app[PASSWORD_ATTEMPTS].check(ip=ip, account=account)


async def check_caller_password_attempt(request: web.Request, password: str | None) -> None:
    """A password the signed-in caller gives (their current password, a re-authentication)
    counts against their account's and their address's limits; none given, none counted."""
    if password is not None:
        account = request[SESSION_KEY].user.email
        await check_password_attempt(request.app, ip=client_ip(request), account=account)
