"""The worker reads real PDF and DOCX resumes and merges what it finds into the profile."""

from __future__ import annotations

from tests.enrichment.conftest import ADA_SKILLS, docx_resume, enrich, pdf_resume


async def test_a_pdf_resume_enriches_the_profile_with_skills_education_and_experience(api):
    ada = await api.sign_up(["student"])
    school_admin = await api.sign_up(["professional"])
    school = await api.institute(school_admin, name="State University")

    job = await enrich(api, ada, pdf_resume())

    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1 and job["error"] is None
    result = job["result"]
    assert [s["name"] for s in result["skills"]] == ADA_SKILLS
    assert {s["source"] for s in result["skills"]} == {"resume"}
    assert result["skills_added"] == ADA_SKILLS

    profile = await api.get(f"/api/profiles/{ada.id}", as_=ada, expect=200)
    assert profile["skills"] == {"claimed": ADA_SKILLS, "verified": []}
    assert profile["experience"] == [
        {
            "title": "Software Engineer",
            "company": "Acme Corp",
            "organization_id": None,
            "start_date": "2021-01-01",
            "end_date": None,
            "description": None,
        },
        {
            "title": "Data Intern",
            "company": "Globex",
            "organization_id": None,
            "start_date": "2019-06-01",
            "end_date": "2020-08-01",
            "description": None,
        },
    ]
    assert profile["education"] == [
        {
            "institution": "State University",
            "organization_id": school["id"],
            "degree": "Bachelor of Science",
            "field": "Computer Science",
            "start_year": 2016,
            "end_year": 2020,
        }
    ]
    assert [(p["title"], p["url"]) for p in profile["portfolio"]] == [
        ("LinkedIn", "https://linkedin.com/in/ada-lovelace"),
        ("GitHub", "https://github.com/ada-l"),
    ]


async def test_a_docx_resume_is_read_the_same_way(api):
    ada = await api.sign_up(["student"])
    job = await enrich(api, ada, docx_resume(), kind="docx")
    assert job["status"] == "succeeded", job
    assert [s["name"] for s in job["result"]["skills"]] == ADA_SKILLS
    assert [e["company"] for e in job["result"]["experience"]] == ["Acme Corp", "Globex"]
    assert job["result"]["education"][0]["organization_id"] is None  # no such institute
