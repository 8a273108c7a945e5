"""The data export through the API, built by the real job worker: what the ZIP holds and
what it never holds, who may download it, and asking twice."""

from __future__ import annotations

import asyncio
import uuid

from tests.exports.conftest import RESUME, Person, download, everything, ready, rows, status


async def data_exports(db) -> list[dict]:
    async with db.connection() as conn:
        return [dict(r) for r in await conn.fetch("SELECT * FROM data_exports ORDER BY id")]


async def export_jobs(db) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'account_export'"
        )


async def test_the_zip_holds_the_persons_rows_and_resume_file(api, db, worker, person: Person):
    await worker.start()
    user = person.user
    asked = await api.post("/api/me/export", as_=user, expect=202)
    assert asked["status"] == "queued"
    done = await ready(api, user)
    assert done["id"] == asked["id"]
    assert done["download_url"] == "/api/me/export"
    assert done["size"] > 0 and done["expires_at"] > done["ready_at"]

    archive = await download(api, user)
    names = set(archive.namelist())
    [resume_path] = [n for n in names if n.startswith("files/resume/")]
    assert resume_path == f"files/resume/{person.resume['id']}-Cam CV.pdf"
    assert archive.read(resume_path) == RESUME

    account = rows(archive, "account.json")
    assert (account["id"], account["email"]) == (str(user.id), user.email)
    assert account["has_password"] is True
    assert rows(archive, "profile.json")["full_name"] == "Cam Candidate"
    [application] = rows(archive, "applications.json")
    assert application["id"] == str(person.hiring.application_id)
    assert application["company_name"] == "Acme"
    assert application["status"] == "viewed"
    messages = rows(archive, "messages.json")
    assert [m["content"] for m in messages] == ["Thanks, I am keen on this role"]
    assert messages[0]["id"] == person.message["id"]
    notifications = rows(archive, "notifications.json")
    assert "application.status" in {n["type"] for n in notifications}
    [upload] = rows(archive, "uploads.json")
    assert upload["id"] == person.resume["id"]
    assert upload["export_path"] == resume_path
    assert len(rows(archive, "sessions.json")) >= 1
    for name in ("memberships", "saved_jobs", "job_alerts", "gigs", "orders", "reviews"):
        assert rows(archive, f"{name}.json") == [], name
    assert "README.txt" in names


async def test_the_zip_holds_nothing_of_others_and_no_secrets(api, db, worker, person: Person):
    await worker.start()
    user = person.user
    stranger = await api.sign_up(["student"], full_name="Sam Stranger")
    their_file = await api.upload(stranger, "resume", b"%PDF-1.4 Sam's own resume")
    await api.post("/api/me/export", as_=user, expect=202)
    await ready(api, user)
    archive = await download(api, user)
    data = everything(archive)

    assert b"Recruiter's private reply" not in data
    assert b"Sam's own resume" not in data
    assert their_file["id"].encode() not in data
    assert stranger.email.encode() not in data
    assert person.hiring.recruiter.email.encode() not in data
    # Never a password hash, a session token or its hash, an email token.
    async with db.connection() as conn:
        secrets = await conn.fetchrow(
            "SELECT u.password_hash, (SELECT array_agg(encode(token_hash, 'hex')) FROM sessions"
            " WHERE user_id = u.id) AS sessions FROM users u WHERE u.id = $1",
            user.id,
        )
    assert secrets["password_hash"].encode() not in data
    for token_hash in secrets["sessions"]:
        assert token_hash.encode() not in data
    assert user.token.encode() not in data
    for forbidden in (b"password_hash", b"token_hash", b"object_key", b"code_verifier"):
        assert forbidden not in data


async def test_asking_again_while_one_is_in_flight_returns_the_same_export(api, db):
    user = await api.sign_up(["student"])
    first = await api.post("/api/me/export", as_=user, expect=202)
    again = await api.post("/api/me/export", as_=user, expect=202)
    assert again["id"] == first["id"]
    assert again["status"] == "queued"
    assert len(await data_exports(db)) == 1
    assert await export_jobs(db) == 1
    waiting = await api.get("/api/me/export", as_=user, expect=202)
    assert (waiting["id"], waiting["status"]) == (first["id"], "queued")
    assert (await status(api, user))["id"] == first["id"]


async def test_two_requests_at_once_make_one_export(api, db):
    user = await api.sign_up(["student"])
    answers = await asyncio.gather(
        *(api.post("/api/me/export", as_=user, expect=202) for _ in range(4))
    )
    assert len({a["id"] for a in answers}) == 1
    assert len(await data_exports(db)) == 1
    assert await export_jobs(db) == 1


async def test_someone_else_cannot_download_it(api, db, worker, person: Person):
    await worker.start()
    await api.post("/api/me/export", as_=person.user, expect=202)
    await ready(api, person.user)
    other = person.hiring.recruiter
    await api.get("/api/me/export", as_=other, expect=404)
    assert await status(api, other) == {
        "status": "none",
        "id": None,
        "created_at": None,
        "ready_at": None,
        "expires_at": None,
        "size": None,
        "download_url": None,
    }
    anonymous = await api.client.get("/api/me/export")
    assert anonymous.status == 401
    # The owner still can.
    await download(api, person.user)


async def test_a_person_with_no_data_still_gets_an_export(api, db, worker):
    await worker.start()
    user = await api.sign_up(["student"], verified=False)
    await api.post("/api/me/export", as_=user, expect=202)
    await ready(api, user)
    archive = await download(api, user)
    account = rows(archive, "account.json")
    assert account["is_verified"] is False
    assert rows(archive, "profile.json")["full_name"] is None
    assert rows(archive, "uploads.json") == []
    assert rows(archive, "messages.json") == []
    assert not [n for n in archive.namelist() if n.startswith("files/")]


async def test_without_an_export_there_is_nothing_to_download(api, db):
    user = await api.sign_up(["student"])
    problem = await api.get("/api/me/export", as_=user, expect=404)
    assert "POST /api/me/export" in problem["detail"]
    assert (await status(api, user))["status"] == "none"


async def test_refusals_change_nothing(api, db, client):
    before = (await data_exports(db), await export_jobs(db))
    response = await client.post("/api/me/export")
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    forged = await client.post(
        "/api/me/export", headers={"Authorization": f"Bearer {uuid.uuid4().hex}"}
    )
    assert forged.status == 401
    assert (await data_exports(db), await export_jobs(db)) == before


async def test_a_ready_export_past_its_expiry_is_not_served_before_the_job_runs(
    api, db, worker, person: Person
):
    await worker.start()
    asked = await api.post("/api/me/export", as_=person.user, expect=202)
    await ready(api, person.user)
    await worker.stop()
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE data_exports SET expires_at = now() - interval '1 second' WHERE id = $1",
            uuid.UUID(asked["id"]),
        )
    answer = await status(api, person.user)
    assert (answer["status"], answer["download_url"]) == ("expired", None)
    await api.get("/api/me/export", as_=person.user, expect=404)
