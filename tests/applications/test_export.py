"""The CSV export of a job's applicants (issue 15, item 4): the hiring team only, every
applicant in the asked order and filter, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import uuid

from tests.applications.conftest import give_profile, set_status
from tests.jobs.conftest import add_member

HOSTILE = {
    '=HYPERLINK("http://evil.example","click")': '\'=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)": "'+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd\\|' /C calc'!A0",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
}


async def export(api, user, job_id: str, query: str = "", expect: int = 200):
    response = await api.client.get(
        f"/api/jobs/{job_id}/applications.csv{query}", headers=user.headers if user else {}
    )
    body = await response.text()
    assert response.status == expect, body
    return response, body


async def test_export_lists_every_applicant_with_formulas_escaped(api, db, hiring):
    made = []
    for name, headline in zip(HOSTILE, reversed(list(HOSTILE)), strict=True):
        candidate = await api.sign_up(["student"])
        await give_profile(
            db,
            candidate,
            full_name=name,
            headline=headline,
            skills={"claimed": ["Python"], "verified": []},
        )
        made.append(
            await api.post(
                f"/api/jobs/{hiring.job['id']}/applications", {}, as_=candidate, expect=201
            )
        )
    await set_status(db, made[0]["id"], "shortlisted")
    await api.post(f"/api/applications/{made[1]['id']}/notes", {"body": "=1+1"}, as_=hiring.admin)

    response, body = await export(api, hiring.admin, hiring.job["id"], "?sort=oldest")
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["candidate"] for r in rows] == list(HOSTILE.values())
    assert [r["headline"] for r in rows] == list(reversed(list(HOSTILE.values())))
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@"), row
    first = rows[0]
    assert first["status"] == "shortlisted"
    assert float(first["match_score"]) > 0
    assert first["matched_skills"] == "python"
    assert first["missing_skills"] == "postgresql"
    assert first["resume_url"] == "https://files.example.com/ana-resume.pdf"
    assert first["profile_url"].endswith(f"/people/{made[0]['candidate_id']}")
    assert rows[1]["team_notes"] == "1"
    assert "=1+1" not in body  # notes themselves are not exported

    _, filtered = await export(api, hiring.admin, hiring.job["id"], "?status=shortlisted")
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == 1


async def test_export_of_many_applicants_streams_them_all_once(api, db, hiring):
    """More than one batch (500): loaded with SQL, since the export is what is tested."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO users (id, email, roles, is_verified)"
            " SELECT md5('x' || n)::uuid, 'bulk' || n || '@example.com', ARRAY['student'], true"
            " FROM generate_series(1, 1201) n;"
        )
        await conn.execute(
            "INSERT INTO job_applications (job_id, candidate_id, submitted_at)"
            " SELECT $1, md5('x' || n)::uuid, now() - n * interval '1 minute'"
            " FROM generate_series(1, 1201) n",
            uuid.UUID(hiring.job["id"]),
        )
    for sort in ("newest", "score"):
        _, body = await export(api, hiring.admin, hiring.job["id"], f"?sort={sort}")
        emails = [r["email"] for r in csv.DictReader(io.StringIO(body))]
        assert len(emails) == len(set(emails)) == 1201


async def test_only_the_hiring_team_exports(api, db, hiring, applied, student):
    outsider = await api.sign_up(["employer"])
    employee = await api.sign_up(["professional"])
    await add_member(db, employee, hiring.company["id"], "employee")
    inactive = await api.sign_up(["professional"])
    await add_member(db, inactive, hiring.company["id"], "recruiter", status="inactive")
    for user in (outsider, employee, inactive, student):
        _, body = await export(api, user, hiring.job["id"], expect=403)
        assert "@example.com" not in body
    await export(api, None, hiring.job["id"], expect=401)
    await export(api, hiring.admin, str(uuid.uuid4()), expect=404)
    await export(api, hiring.admin, hiring.job["id"], "?sort=salary", expect=422)
