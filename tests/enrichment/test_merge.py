"""Merge rules: the user's own data wins, extracted skills are only claimed, re-runs change
nothing, and the owner is told live and in storage."""

from __future__ import annotations

from server.enrichment.events import PROFILE_ENRICHED
from tests.enrichment.conftest import ADA_SKILLS, enrich, pdf_resume, upload_resume, wait_finished
from tests.notifications.conftest import NS, Inbox
from tests.sockets import connect_socket


async def test_the_users_own_entries_are_kept_and_extracted_skills_are_never_verified(api, db):
    ada = await api.sign_up(["student"])
    mine = {
        "skills": {"claimed": ["python", "Public Speaking"]},
        "experience": [{"title": "Software Engineer", "company": "ACME Corp"}],
        "education": [{"institution": "State University", "degree": "BSc"}],
        "headline": "My own words",
    }
    await api.patch(f"/api/profiles/{ada.id}", mine, as_=ada, expect=200)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE profiles SET skills = jsonb_set(skills, '{verified}', '[\"Docker\"]') "
            "WHERE user_id = $1",
            ada.id,
        )

    job = await enrich(api, ada, pdf_resume())
    assert job["status"] == "succeeded", job

    profile = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)
    # The user's spelling and order first; Docker is verified already, so not claimed again.
    new = [s for s in ADA_SKILLS if s not in ("Docker", "Python")]
    assert profile["skills"] == {
        "claimed": ["python", "Public Speaking", *new],
        "verified": ["Docker"],
    }
    assert job["result"]["skills_added"] == new
    assert profile["headline"] == "My own words"
    # Same title and company (any case) is the same job: the user's entry stays as written.
    assert [(e["title"], e["company"]) for e in profile["experience"]] == [
        ("Software Engineer", "ACME Corp"),
        ("Data Intern", "Globex"),
    ]
    # A different degree at the same school is another entry; the user's is untouched.
    assert [(e["institution"], e["degree"]) for e in profile["education"]] == [
        ("State University", "BSc"),
        ("State University", "Bachelor of Science"),
    ]


async def test_a_rerun_on_the_same_resume_changes_nothing_and_removed_skills_stay_removed(api):
    ada = await api.sign_up(["student"])
    first = await enrich(api, ada, pdf_resume())
    assert first["status"] == "succeeded"
    before = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)

    again = await api.post("/api/ai/process-profile", {"user_id": str(ada.id)}, as_=ada, expect=202)
    assert again["id"] != first["id"]
    second = await wait_finished(api, ada, again["id"])
    assert second["status"] == "succeeded"
    assert second["result"]["skills_added"] == []
    assert second["result"]["experience_added"] == 0
    assert second["result"]["education_added"] == 0
    assert second["result"]["links_added"] == 0
    assert await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200) == before

    # The user removes a skill the resume gave them; another run does not bring it back.
    kept = [s for s in before["skills"]["claimed"] if s != "Go"]
    await api.patch(f"/api/profiles/{ada.id}", {"skills": {"claimed": kept}}, as_=ada, expect=200)
    third = await api.post("/api/ai/process-profile", {"user_id": str(ada.id)}, as_=ada, expect=202)
    assert (await wait_finished(api, ada, third["id"]))["result"]["skills_added"] == []
    profile = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)
    assert profile["skills"]["claimed"] == kept


async def test_the_owner_hears_profile_enriched_live_and_finds_it_stored(api, client):
    ada = await api.sign_up(["student"])
    url = str(client.make_url("/")).rstrip("/")
    inbox = Inbox(await connect_socket(url, ada.token, [NS]))
    try:
        job = await enrich(api, ada, pdf_resume())
        event, data = await inbox.next()
    finally:
        await inbox.close()
    assert event == PROFILE_ENRICHED
    assert data["type"] == PROFILE_ENRICHED
    payload = data["payload"]
    assert payload["user_id"] == str(ada.id)
    assert payload["enrichment_id"] == job["id"]
    assert payload["resume_url"] == job["resume_url"]
    assert payload["skills_added"] == ADA_SKILLS
    stored = await api.get("/api/notifications", as_=ada, expect=200)
    assert [n["id"] for n in stored["items"]] == [data["id"]]


async def test_only_the_owner_may_ask_for_or_see_an_enrichment(api):
    ada = await api.sign_up(["student"])
    eve = await api.sign_up(["student"])
    url = await upload_resume(api, ada, pdf_resume())
    await api.post(
        "/api/ai/process-profile", {"user_id": str(ada.id), "resume_url": url}, as_=eve, expect=403
    )
    job = await api.post(
        "/api/ai/process-profile", {"user_id": str(ada.id), "resume_url": url}, as_=ada, expect=202
    )
    await api.get(f"/api/ai/jobs/{job['id']}", as_=eve, expect=404)
    await wait_finished(api, ada, job["id"])


async def test_a_profile_without_a_resume_cannot_be_enriched(api):
    ada = await api.sign_up(["student"])
    await api.post("/api/ai/process-profile", {"user_id": str(ada.id)}, as_=ada, expect=422)


async def test_only_your_own_resume_upload_is_enriched_and_queued_work_is_capped(api, db):
    ada = await api.sign_up(["student"])
    eve = await api.sign_up(["student"])
    theirs = await upload_resume(api, eve, pdf_resume())
    for url in ("https://files.example/cv.pdf", theirs):
        problem = await api.post(
            "/api/ai/process-profile",
            {"user_id": str(ada.id), "resume_url": url},
            as_=ada,
            expect=422,
        )
        assert problem["errors"][0]["field"] == "body.resume_url"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrichment_jobs") == 0
        # Three of Ada's enrichments waiting (no queue rows, so no worker takes them).
        for i in range(3):
            await conn.execute(
                "INSERT INTO enrichment_jobs (user_id, requested_by, resume_url) "
                "VALUES ($1, $1, $2)",
                ada.id,
                f"https://held.example/{i}",
            )
    url = await upload_resume(api, ada, pdf_resume())
    problem = await api.post(
        "/api/ai/process-profile", {"user_id": str(ada.id), "resume_url": url}, as_=ada, expect=429
    )
    assert "already queued or running" in problem["detail"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrichment_jobs") == 3
