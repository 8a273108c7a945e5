"""Two real server processes sharing PostgreSQL and Redis: a change made through instance A
reaches the sockets connected to instance B."""

from __future__ import annotations

import aiohttp

from tests.client import Api
from tests.notifications.conftest import stored, uid
from tests.processes import ServerProcess


async def test_rest_changes_on_one_instance_reach_sockets_on_the_other(
    api,
    mailbox,
    database_url,
    redis_server_url,
    redis_prefix,
    hiring,
    recruiter,
    student,
    inbox_for,
):
    a = await ServerProcess(database_url, redis_server_url, redis_prefix).start()
    b = await ServerProcess(database_url, redis_server_url, redis_prefix).start()
    try:
        async with aiohttp.ClientSession(base_url=a.url) as http:
            on_a = Api(http, mailbox)
            recruiter_on_b = await inbox_for(recruiter, b.url)
            student_on_b = await inbox_for(student, b.url)

            # workflow 2 step 3 on A; workflow 1 step 3 (the recruiter sees it) on B
            application = await on_a.post(
                f"/api/jobs/{hiring.job['id']}/applications", {}, as_=student, expect=201
            )
            event, data = await recruiter_on_b.next()
            assert event == "application.created"
            assert data["payload"]["application_id"] == application["id"]
            assert data["payload"]["candidate_id"] == uid(student.id)

            # the recruiter opens it and moves it on A; the candidate hears both on B
            path = f"/api/applications/{application['id']}"
            await on_a.get(path, as_=recruiter, expect=200)
            await on_a.post(f"{path}/status", {"status": "shortlisted"}, as_=recruiter, expect=200)
            statuses = []
            for _ in range(2):
                event, data = await student_on_b.next()
                assert event == "application.status"
                statuses.append(data["payload"]["status"])
            assert statuses == ["viewed", "shortlisted"]
            assert (await stored(api, student))[0] == data  # live is what is stored
    finally:
        await a.stop()
        await b.stop()
