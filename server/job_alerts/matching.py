"""Matching a new or reopened job against every job alert, without reading every alert.

``JobService.create`` and the reopen path queue a ``job_alert_match`` job in their own
transaction (so it exists exactly when the job does). Its run (``AlertMatcher.match``) is one
transaction: ``record_job_alert_matches`` finds the candidate alerts through the inverted
index (sql/job_alerts/functions.sql: each alert filed under its most selective required
term, the job probing with every term it has), checks each candidate with the board's own
predicate, and inserts (alert, job) once; then, for the rows inserted now, one
``job_alert.match`` notification per user for instant alerts (one insert for all of them)
and a digest job per user for daily ones (``queue_digests``: the job share-locked until the
run commits, so a pending match always has a digest job that will read it). A run again
(redelivery after a crash, a job reopened twice) inserts nothing and so sends nothing; a
deleted alert is no candidate, and its rows went with it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

import asyncpg
import msgspec

from server.config import Settings
from server.db import Database, Transaction, fetch_all
from server.job_alerts import schemas
from server.job_alerts.events import JOB_ALERT_MATCH
from server.notifications.service import NotificationService
from server.worker import enqueue_job

MATCH_ENTRYPOINT = "job_alert_match"


async def queue_match(db: Database, tx: Transaction, job_id: uuid.UUID) -> None:
    """In the transaction that posts or reopens the job."""
    await enqueue_job(db, tx, MATCH_ENTRYPOINT, json.dumps({"job_id": str(job_id)}).encode())


async def queue_digests(
    db: Database, conn: asyncpg.Connection, settings: Settings, user_ids: Iterable[uuid.UUID]
) -> None:
    """A digest job for each of these users, due at the next digest time, unless one is
    waiting already; in the transaction that recorded their pending matches (or, for the
    rest of a long backlog, in the digest's own). Each user's job is then share-locked until
    that transaction commits, so a digest run cannot free its key and read before these rows
    are committed; a key freed between the insert and the lock is scheduled again."""
    q = db.q.job_alerts
    pending = sorted(set(user_ids))
    while pending:
        await q.schedule_job_alert_digests(
            conn,
            user_ids=pending,
            hour=settings.job_alert_digest_hour,
            interval_seconds=settings.job_alert_digest_interval_seconds,
        )
        rows = await fetch_all(q.share_job_alert_digest_jobs, conn, user_ids=pending)
        held = {row["user_id"] for row in rows}
        pending = [user_id for user_id in pending if user_id not in held]


class AlertMatcher:
    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.q = db.q.job_alerts
        self.settings = settings

    async def match(self, job_id: uuid.UUID) -> int:
        """Record and send the job's new matches; how many (alert, job) rows were new."""
        async with self.db.transaction() as tx:
            rows = await fetch_all(self.q.record_job_alert_matches, tx.conn, job_id=job_id)
            if not rows:
                return 0
            instant = {row["user_id"] for row in rows if not row["digest_pending"]}
            daily = {row["user_id"] for row in rows if row["digest_pending"]}
            if instant:
                job = msgspec.convert(
                    dict(await self.q.get_job_alert_job(tx.conn, job_id=job_id)),
                    schemas.JobAlertMatchJob,
                )
                # One payload for every recipient, so one insert for all of them (a job can
                # match thousands of alerts): which of their alerts matched is on their
                # alerts page, not in the notification.
                await NotificationService(self.db).notify(
                    tx, instant, JOB_ALERT_MATCH, schemas.JobAlertMatch(job=job)
                )
            if daily:
                await queue_digests(self.db, tx.conn, self.settings, daily)
            return len(rows)
