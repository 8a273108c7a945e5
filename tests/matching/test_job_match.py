"""The candidate's side of matching on one job (issue 15, item 6): GET /api/jobs/{id}/match
explains the score with the same numbers recommendations give, and recommendations leave
out jobs already applied to."""

from __future__ import annotations

import uuid

from tests.applications.conftest import give_profile
from tests.matching.test_matching import post_jobs


async def test_recommendations_leave_out_jobs_already_applied_to_withdrawn_too(api, db):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    best, partial, text_only, _unrelated = await post_jobs(api, employer, company["id"])
    ana = await api.sign_up(["student"])
    await give_profile(
        db,
        ana,
        headline="Backend engineer",
        skills={"claimed": ["python", "postgresql", "docker"], "verified": ["Python"]},
    )

    async def recommended() -> list[str]:
        page = await api.get("/api/jobs/recommended", as_=ana, expect=200)
        return [item["job"]["id"] for item in page["items"]]

    assert await recommended() == [best["id"], partial["id"], text_only["id"]]
    await api.post(f"/api/jobs/{best['id']}/applications", {}, as_=ana, expect=201)
    assert await recommended() == [partial["id"], text_only["id"]]
    application = await api.post(f"/api/jobs/{partial['id']}/applications", {}, as_=ana, expect=201)
    await api.post(
        f"/api/applications/{application['id']}/status",
        {"status": "withdrawn"},
        as_=ana,
        expect=200,
    )
    assert await recommended() == [text_only["id"]]
    # another candidate's applications change nothing for ana, nor hers for them
    bo = await api.sign_up(["student"])
    await give_profile(db, bo, headline="Backend engineer", skills={"claimed": ["Python"]})
    page = await api.get("/api/jobs/recommended", as_=bo, expect=200)
    assert best["id"] in [item["job"]["id"] for item in page["items"]]


async def test_the_match_of_one_job_says_what_the_score_is_made_of(api, db):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    best, partial, *_ = await post_jobs(api, employer, company["id"])
    ana = await api.sign_up(["student"])
    await give_profile(
        db,
        ana,
        headline="Backend engineer",
        skills={"claimed": ["python", "postgresql", "docker"], "verified": ["Python"]},
    )
    recommended = await api.get("/api/jobs/recommended", as_=ana, expect=200)
    expected = {item["job"]["id"]: item for item in recommended["items"]}

    match = await api.get(f"/api/jobs/{best['id']}/match", as_=ana, expect=200)
    assert match["job_id"] == best["id"]
    assert match["weights"] == {"skills": 0.75, "text": 0.25, "claimed_skill": 0.6}
    # the same numbers as the recommendation for that job
    assert match["score"] == expected[best["id"]]["score"]
    assert match["reasons"] == expected[best["id"]]["reasons"]
    assert match["reasons"]["matched_skills"] == ["Python", "PostgreSQL", "Docker"]
    assert match["reasons"]["missing_skills"] == []
    weights = match["weights"]
    reasons = match["reasons"]
    made_of = weights["skills"] * reasons["skill_score"] + weights["text"] * reasons["text_score"]
    assert abs(match["score"] - made_of) < 1e-3

    partial_match = await api.get(f"/api/jobs/{partial['id']}/match", as_=ana, expect=200)
    assert partial_match["reasons"]["missing_skills"] == ["SQL", "Tableau", "Excel"]


async def test_every_skill_claimed_none_verified_scores_under_one_with_nothing_missing(api, db):
    # The case the page must explain rather than show as a bare "Match 48%".
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    job = await api.job(
        employer, company["id"], title="Pastry Chef", skills_required=["Baking", "Icing"]
    )
    ana = await api.sign_up(["student"])
    await give_profile(
        db, ana, headline="Student", skills={"claimed": ["baking", "icing"], "verified": []}
    )
    match = await api.get(f"/api/jobs/{job['id']}/match", as_=ana, expect=200)
    assert match["reasons"]["matched_skills"] == ["Baking", "Icing"]
    assert match["reasons"]["missing_skills"] == []
    assert match["reasons"]["skill_score"] == 0.6
    assert match["score"] < 0.75


async def test_the_match_of_a_closed_job_still_answers_and_unknown_is_404(api, db):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    job = await api.job(employer, company["id"], skills_required=["Go"])
    await api.post(f"/api/jobs/{job['id']}/close", as_=employer, expect=200)
    ana = await api.sign_up(["student"])
    await give_profile(db, ana, skills={"claimed": ["Go"], "verified": ["Go"]})
    match = await api.get(f"/api/jobs/{job['id']}/match", as_=ana, expect=200)
    assert match["reasons"]["skill_score"] == 1.0

    await api.get(f"/api/jobs/{uuid.uuid4()}/match", as_=ana, expect=404)
    await api.get("/api/jobs/not-a-job/match", as_=ana, expect=404)
    await api.get(f"/api/jobs/{job['id']}/match", expect=401)
