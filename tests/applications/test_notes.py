"""Private team notes on an application (issue 15, item 4): the hiring company's active admins
and recruiters write and read them; everyone else, the candidate first, gets 404, and no
candidate-facing API or page ever shows one."""

from __future__ import annotations

import csv
import io
import uuid
from urllib.parse import urlencode

from tests.jobs.conftest import add_member

SECRET = "Strong SQL, weak on system design; ask about the outage story."


async def test_team_members_write_and_read_notes_newest_first_with_author(api, db, hiring, applied):
    recruiter = await api.sign_up(["professional"], full_name="Rita Recruiter")
    await add_member(db, recruiter, hiring.company["id"], "recruiter")
    path = f"/api/applications/{applied['id']}/notes"
    first = await api.post(
        path, {"body": "  Phone screen went well.  "}, as_=hiring.admin, expect=201
    )
    assert first["body"] == "Phone screen went well."
    assert first["author_id"] == str(hiring.admin.id)
    assert first["author_name"] == hiring.admin.email  # no full name on the profile
    second = await api.post(path, {"body": SECRET}, as_=recruiter, expect=201)
    assert second["author_name"] == "Rita Recruiter"
    for _ in range(3):
        await api.post(path, {"body": "filler"}, as_=recruiter, expect=201)

    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await api.get(f"{path}?{urlencode(query)}", as_=hiring.admin, expect=200)
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == 5 and len({n["id"] for n in seen}) == 5
    assert [n["id"] for n in seen[-2:]] == [second["id"], first["id"]]
    created = [n["created_at"] for n in seen]
    assert created == sorted(created, reverse=True)
    row = await api.get(
        f"/api/jobs/{hiring.job['id']}/applications/{applied['id']}", as_=hiring.admin
    )
    assert row["note_count"] == 5


async def test_blank_or_oversized_notes_are_refused_and_nothing_is_stored(api, db, hiring, applied):
    path = f"/api/applications/{applied['id']}/notes"
    for body in (
        {"body": "   "},
        {"body": ""},
        {"body": "x" * 5001},
        {},
        {"body": "ok", "pin": True},
    ):
        problem = await api.post(path, body, as_=hiring.admin, expect=422)
        assert problem["errors"][0]["field"].startswith("body")
    assert (await api.get(path, as_=hiring.admin, expect=200))["items"] == []


async def test_nobody_outside_the_hiring_team_sees_or_writes_notes(
    api, db, hiring, applied, student
):
    path = f"/api/applications/{applied['id']}/notes"
    await api.post(path, {"body": SECRET}, as_=hiring.admin, expect=201)
    rival = await api.sign_up(["employer"])
    await api.company(rival, name="Rival Inc")
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, hiring.company["id"], "recruiter", status="pending")
    gone = await api.sign_up(["professional"])
    await add_member(db, gone, hiring.company["id"], "recruiter", status="inactive")
    for user in (student, rival, employee, pending, gone):
        problem = await api.get(path, as_=user, expect=404)
        assert problem["detail"] == "no such application"
        await api.post(path, {"body": "sneaky"}, as_=user, expect=404)
    await api.get(path, expect=401)
    await api.get(f"/api/applications/{uuid.uuid4()}/notes", as_=hiring.admin, expect=404)
    items = (await api.get(path, as_=hiring.admin))["items"]
    assert [n["body"] for n in items] == [SECRET]


async def test_a_candidate_who_joins_the_hiring_team_still_cannot_read_their_own_notes(
    api, db, hiring, applied, student
):
    """Not the notes, and not how many there are: the dashboard list, its one-row read, the
    CSV and the page show the turncoat 0 notes (and no notes panel) on their own row."""
    path = f"/api/applications/{applied['id']}/notes"
    await api.post(path, {"body": SECRET}, as_=hiring.admin, expect=201)
    await add_member(db, student, hiring.company["id"], "recruiter")
    await api.get(path, as_=student, expect=404)
    await api.post(path, {"body": "about me"}, as_=student, expect=404)

    job_path = f"/api/jobs/{hiring.job['id']}/applications"
    for user, count in ((hiring.admin, 1), (student, 0)):
        listed = await api.get(job_path, as_=user, expect=200)
        assert [a["note_count"] for a in listed["items"]] == [count]
        row = await api.get(f"{job_path}/{applied['id']}", as_=user, expect=200)
        assert row["note_count"] == count
        response = await api.client.get(f"{job_path}.csv", headers=user.headers)
        assert response.status == 200
        (exported,) = csv.DictReader(io.StringIO(await response.text()))
        assert exported["team_notes"] == str(count)
        page = await api.client.get(f"/jobs/{hiring.job['id']}/applicants", headers=cookie(user))
        text = await page.text()
        assert page.status == 200
        own_row = text[text.index(f'data-application-id="{applied["id"]}"') :]
        assert ("data-notes" in own_row[: own_row.index("</tr>")]) == (user is hiring.admin)


def cookie(user) -> dict[str, str]:
    return {"Cookie": f"rizeos_session={user.token}"}


async def test_no_candidate_facing_api_or_page_shows_a_note(api, db, hiring, applied, student):
    await api.post(
        f"/api/applications/{applied['id']}/notes", {"body": SECRET}, as_=hiring.admin, expect=201
    )
    await api.post(
        f"/api/applications/{applied['id']}/status", {"status": "viewed"}, as_=hiring.admin
    )
    for path in (
        f"/api/applications/{applied['id']}",
        "/api/me/applications",
        "/api/notifications",
        f"/api/jobs/{hiring.job['id']}",
    ):
        response = await api.client.get(path, headers=student.headers)
        text = await response.text()
        assert response.status == 200, path
        assert SECRET not in text and "note_count" not in text, path
    for path in ("/applications", f"/jobs/{hiring.job['id']}", f"/people/{student.id}"):
        response = await api.client.get(path, headers=cookie(student))
        assert response.status == 200, path
        assert SECRET not in await response.text(), path
