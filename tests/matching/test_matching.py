"""Matching: recommended jobs for a candidate and ranked applicants for a job, with reasons."""

from __future__ import annotations

from tests.applications.conftest import give_profile
from tests.jobs.conftest import add_member


async def post_jobs(api, poster, company_id):
    best = await api.job(
        poster,
        company_id,
        title="Backend Engineer",
        description="Build Python services on PostgreSQL and Docker.",
        skills_required=["Python", "PostgreSQL", "Docker"],
    )
    partial = await api.job(
        poster,
        company_id,
        title="Data Analyst",
        description="Dashboards and reports.",
        skills_required=["SQL", "Tableau", "Python", "Excel"],
    )
    text_only = await api.job(
        poster,
        company_id,
        title="Backend Engineer (Go)",
        description="Backend engineering in Go.",
        skills_required=["Go"],
    )
    unrelated = await api.job(
        poster,
        company_id,
        title="Pastry Chef",
        description="Croissants at dawn.",
        skills_required=["Baking"],
    )
    closed = await api.job(
        poster,
        company_id,
        title="Backend Engineer, closed",
        description="Python and PostgreSQL.",
        skills_required=["Python", "PostgreSQL", "Docker"],
    )
    await api.post(f"/api/jobs/{closed['id']}/close", as_=poster, expect=200)
    return best, partial, text_only, unrelated


async def test_recommended_jobs_put_the_best_fit_first_with_matched_and_missing_skills(api, db):
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

    page = await api.get("/api/jobs/recommended", as_=ana, expect=200)
    ids = [item["job"]["id"] for item in page["items"]]
    assert ids == [best["id"], partial["id"], text_only["id"]]  # no chef, no closed job
    top = page["items"][0]
    assert top["reasons"]["matched_skills"] == ["Python", "PostgreSQL", "Docker"]
    assert top["reasons"]["verified_skills"] == ["Python"]
    assert top["reasons"]["missing_skills"] == []
    # (1 verified + 2 x 0.6 claimed) / 3 required
    assert abs(top["reasons"]["skill_score"] - (1 + 1.2) / 3) < 1e-3
    assert top["reasons"]["text_score"] > 0
    assert (
        abs(
            top["score"]
            - (0.75 * top["reasons"]["skill_score"] + 0.25 * top["reasons"]["text_score"])
        )
        < 1e-3
    )
    second = page["items"][1]["reasons"]
    assert second["matched_skills"] == ["Python"]
    assert second["missing_skills"] == ["SQL", "Tableau", "Excel"]
    third = page["items"][2]["reasons"]
    assert third["matched_skills"] == [] and third["skill_score"] == 0
    assert third["text_score"] > 0  # found by its title's words alone

    limited = await api.get("/api/jobs/recommended", as_=ana, params={"limit": "1"}, expect=200)
    assert [i["job"]["id"] for i in limited["items"]] == [best["id"]]


async def test_verified_skills_outrank_the_same_skills_merely_claimed(api, db):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    job = await api.job(
        employer,
        company["id"],
        skills_required=["Rust", "Kafka"],
        title="Streaming",
        description="Pipelines.",
    )
    claimer = await api.sign_up(["student"])
    prover = await api.sign_up(["student"])
    await give_profile(
        db, claimer, headline="", skills={"claimed": ["Rust", "Kafka"], "verified": []}
    )
    await give_profile(
        db, prover, headline="", skills={"claimed": ["Rust"], "verified": ["Rust", "Kafka"]}
    )
    for user in (claimer, prover):
        await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=user, expect=201)

    ranked = await api.get(f"/api/jobs/{job['id']}/candidates", as_=employer, expect=200)
    assert [c["candidate_id"] for c in ranked["items"]] == [str(prover.id), str(claimer.id)]
    assert ranked["items"][0]["reasons"]["verified_skills"] == ["Rust", "Kafka"]
    assert ranked["items"][1]["reasons"]["verified_skills"] == []
    assert ranked["items"][0]["score"] > ranked["items"][1]["score"]


async def test_recruiters_see_applicants_ranked_with_reasons_and_others_are_refused(api, db):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    job = await api.job(
        employer,
        company["id"],
        title="Backend Engineer",
        description="Python and PostgreSQL services.",
        skills_required=["Python", "PostgreSQL", "Docker"],
    )
    strong = await api.sign_up(["student"])
    weak = await api.sign_up(["student"])
    gone = await api.sign_up(["student"])
    await give_profile(
        db,
        strong,
        headline="Backend developer",
        skills={"claimed": ["Python", "PostgreSQL"], "verified": []},
    )
    await give_profile(
        db, weak, headline="Illustrator", skills={"claimed": ["Figma"], "verified": []}
    )
    await give_profile(
        db,
        gone,
        headline="Backend developer",
        skills={"claimed": ["Python", "PostgreSQL", "Docker"], "verified": []},
    )
    applications = {}
    for user in (weak, strong, gone):
        applications[user.id] = await api.post(
            f"/api/jobs/{job['id']}/applications", {}, as_=user, expect=201
        )
    await api.post(
        f"/api/applications/{applications[gone.id]['id']}/status",
        {"status": "withdrawn"},
        as_=gone,
        expect=200,
    )

    recruiter = await api.sign_up(["professional"])
    await add_member(db, recruiter, company["id"], "recruiter")
    ranked = await api.get(f"/api/jobs/{job['id']}/candidates", as_=recruiter, expect=200)
    assert [c["candidate_id"] for c in ranked["items"]] == [str(strong.id), str(weak.id)]
    first = ranked["items"][0]
    assert first["application_id"] == applications[strong.id]["id"]
    assert first["reasons"]["matched_skills"] == ["Python", "PostgreSQL"]
    assert first["reasons"]["missing_skills"] == ["Docker"]
    assert ranked["items"][1]["reasons"]["matched_skills"] == []

    outsider = await api.sign_up(["employer"])
    await api.get(f"/api/jobs/{job['id']}/candidates", as_=outsider, expect=403)
    await api.get(f"/api/jobs/{job['id']}/candidates", as_=strong, expect=403)
    pending = await api.sign_up(["professional"])
    await add_member(db, pending, company["id"], "recruiter", status="pending")
    await api.get(f"/api/jobs/{job['id']}/candidates", as_=pending, expect=403)


async def test_recommended_is_not_taken_for_a_job_id_and_an_empty_profile_gets_nothing(api):
    ana = await api.sign_up(["student"])
    assert await api.get("/api/jobs/recommended", as_=ana, expect=200) == {"items": []}
    await api.get("/api/jobs/recommended", expect=401)
