"""The job host: its registry of job kinds, and its queue: ``enqueue_job`` writes what
pgqueuer's own enqueue writes, in the caller's transaction, and why it is not pgqueuer's
enqueue (server/worker.py says it too)."""

from __future__ import annotations

import asyncpg
import pydantic
import pytest
from pgqueuer import Queries

from server.db import Database
from server.worker import enqueue_job, job_kind, job_kinds

# Everything of a queue row but its id and timestamps, plus how long after its creation the
# job may run. A SQL NULL and a JSON null `headers` both come out as null here, as pgqueuer's
# Job reads both as None.
QUEUE_ROW = """
SELECT to_jsonb(p) - ARRAY['id', 'created', 'updated', 'heartbeat', 'execute_after']
       || jsonb_build_object('runs_after', extract(epoch FROM p.execute_after - p.created))
FROM pgqueuer p WHERE p.id = $1
"""
LOG_ROWS = """
SELECT to_jsonb(l) - ARRAY['id', 'created', 'job_id'] FROM pgqueuer_log l WHERE l.job_id = $1
"""


def test_each_domains_worker_module_registers_its_kinds_of_job():
    from server.deletion.worker import account_erase_objects_handler
    from server.enrichment.worker import ENTRYPOINT, enrichment_handler
    from server.exports.worker import account_export_expire_handler, account_export_handler
    from server.job_alerts.worker import job_alert_digest_handler, job_alert_match_handler
    from server.messaging.missed import ENTRYPOINT as MISSED_EMAIL
    from server.messaging.worker import missed_message_email_handler
    from server.orders.worker import order_auto_complete_handler, order_due_reminder_handler

    kinds = {kind.entrypoint: kind.make_handler for kind in job_kinds()}
    assert kinds == {
        ENTRYPOINT: enrichment_handler,
        MISSED_EMAIL: missed_message_email_handler,
        # issue 15 (H3)
        "job_alert_match": job_alert_match_handler,
        "job_alert_digest": job_alert_digest_handler,
        # issue 16
        "order_auto_complete": order_auto_complete_handler,
        "order_due_reminder": order_due_reminder_handler,
        # issue 17
        "account_erase_objects": account_erase_objects_handler,
        "account_export": account_export_handler,
        "account_export_expire": account_export_expire_handler,
    }


def test_two_kinds_of_job_cannot_share_an_entrypoint():
    from server.enrichment.worker import ENTRYPOINT

    with pytest.raises(RuntimeError, match=ENTRYPOINT):
        job_kind(ENTRYPOINT)(lambda resources: None)


@pytest.fixture
async def plain(database_url: str):
    """A connection without the app's JSON codecs, as pgqueuer's own pool has."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def rows_of(conn: asyncpg.Connection, job_id: int) -> tuple[str, list[str]]:
    return await conn.fetchval(QUEUE_ROW, job_id), [
        r[0] for r in await conn.fetch(LOG_ROWS, job_id)
    ]


async def test_a_queued_job_is_the_row_pgqueuers_own_enqueue_writes(db: Database, plain):
    async with db.transaction() as tx:
        ours = await enqueue_job(db, tx, "probe", b"payload")
    (theirs,) = await Queries.from_asyncpg_connection(plain).enqueue("probe", b"payload")

    assert await rows_of(plain, ours) == await rows_of(plain, theirs)
    read = Queries.from_asyncpg_connection(plain)
    timestamps = {"id", "created", "updated", "heartbeat", "execute_after"}
    ours_job, theirs_job = await read.queue_job_by_id(ours), await read.queue_job_by_id(theirs)
    assert ours_job.model_dump(exclude=timestamps) == theirs_job.model_dump(exclude=timestamps)


async def test_a_job_is_queued_only_if_the_callers_transaction_commits(db: Database, plain):
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            job_id = await enqueue_job(db, tx, "probe", b"payload")
            raise RuntimeError("the caller's transaction fails")
    assert await plain.fetchval("SELECT count(*) FROM pgqueuer WHERE id = $1", job_id) == 0
    assert await plain.fetchval("SELECT count(*) FROM pgqueuer_log WHERE job_id = $1", job_id) == 0


async def test_pgqueuers_own_enqueue_cannot_share_the_callers_transaction(db: Database, plain):
    """On the app's connections (JSON codecs) pgqueuer's enqueue stores its `headers`, JSON
    text it encoded itself, as a JSON string, and a worker then cannot read the job. When
    this stops being so, enqueue_job can become Queries.enqueue on the caller's connection."""
    async with db.transaction() as tx:
        (job_id,) = await Queries.from_asyncpg_connection(tx.conn).enqueue("probe", b"payload")
    headers = "SELECT jsonb_typeof(headers) FROM pgqueuer WHERE id = $1"
    assert await plain.fetchval(headers, job_id) == "string"
    with pytest.raises(pydantic.ValidationError):
        await Queries.from_asyncpg_connection(plain).queue_job_by_id(job_id)
