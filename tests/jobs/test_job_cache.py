"""``GET /api/jobs/{id}`` from the per-instance cache (server/jobs/cache.py): no database
round trip once read, and every change (edit, close, reopen, the company renamed or given a
new logo) shown at once where it was made and on every other instance as it commits."""

from __future__ import annotations

import asyncpg
import pytest

from tests.caching import acquisitions, job_cached, listening, second_instance
from tests.client import Api
from tests.waits import eventually


@pytest.fixture
async def other(settings, aiohttp_client, mailbox) -> Api:
    return await second_instance(settings, aiohttp_client, mailbox)


@pytest.fixture
async def posted(api, other):
    await listening(api)
    await listening(other)
    employer = await api.sign_up(["employer"])
    company = await api.company(employer, "Cache Corp")
    job = await api.job(employer, company["id"], title="Cached role")
    # Both instances have read (and cached) the posting.
    await job_cached(api, job["id"])
    await job_cached(other, job["id"])
    return employer, company, job


def shows(other: Api, job_id: str, **expected):
    async def check() -> bool:
        seen = await other.get(f"/api/jobs/{job_id}", expect=200)
        return all(seen[name] == value for name, value in expected.items())

    return check


async def test_a_read_job_is_answered_without_the_database(api, posted, monkeypatch):
    _, _, job = posted
    borrowed = acquisitions(api, monkeypatch)
    seen = await api.get(f"/api/jobs/{job['id']}", expect=200)
    assert seen == job
    assert borrowed == []


async def test_an_unknown_job_is_still_404_and_not_cached(api):
    await listening(api)
    await api.get("/api/jobs/00000000-0000-0000-0000-000000000000", expect=404)
    await api.get("/api/jobs/00000000-0000-0000-0000-000000000000", expect=404)


async def test_an_edit_shows_at_once_here_and_soon_on_every_instance(api, other, posted):
    employer, _, job = posted
    await api.patch(f"/api/jobs/{job['id']}", {"title": "Edited role"}, as_=employer, expect=200)
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["title"] == "Edited role"
    await eventually(shows(other, job["id"], title="Edited role"), what="the edit elsewhere")


async def test_close_and_reopen_show_everywhere(api, other, posted):
    employer, _, job = posted
    await api.post(f"/api/jobs/{job['id']}/close", as_=employer, expect=200)
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["status"] == "closed"
    await eventually(shows(other, job["id"], status="closed"), what="the close elsewhere")
    await api.post(f"/api/jobs/{job['id']}/reopen", as_=employer, expect=200)
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["status"] == "open"
    await eventually(shows(other, job["id"], status="open"), what="the reopen elsewhere")


async def test_renaming_the_company_renames_its_cached_jobs(api, other, posted):
    employer, company, job = posted
    await api.patch(
        f"/api/organizations/{company['id']}", {"name": "Renamed Corp"}, as_=employer, expect=200
    )
    seen = await api.get(f"/api/jobs/{job['id']}", expect=200)
    assert seen["company_name"] == "Renamed Corp"
    await eventually(
        shows(other, job["id"], company_name="Renamed Corp"), what="the new name elsewhere"
    )


async def test_a_new_company_logo_reaches_every_cached_job(api, other, posted):
    employer, company, job = posted
    logo = await api.upload(employer, "org_logo")
    await api.patch(
        f"/api/organizations/{company['id']}", {"logo_url": logo["url"]}, as_=employer, expect=200
    )
    assert (await api.get(f"/api/jobs/{job['id']}", expect=200))["company_logo_url"] == logo["url"]
    await eventually(
        shows(other, job["id"], company_logo_url=logo["url"]), what="the new logo elsewhere"
    )


async def test_a_change_made_in_sql_reaches_the_cache(other, posted, database_url):
    _, _, job = posted
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE jobs SET title = 'Fixed by hand' WHERE id = $1", job["id"])
    finally:
        await conn.close()
    await eventually(shows(other, job["id"], title="Fixed by hand"), what="the SQL edit")
