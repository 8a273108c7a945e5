"""The extraction rules of docs/enrichment.md on plain text (no files, no database)."""

from __future__ import annotations

from datetime import date

from server.enrichment.parse import parse_resume
from server.enrichment.vocabulary import canonical_key, vocabulary

JANE = """Jane Doe
jane@example.com - www.janedoe.dev
Skills: Python, SQL, Tableau, Excel, postgres, PostgreSQL
Experience
Data Analyst, Initech - 2019 - 2022
- Built dashboards in Tableau and automated reports with Python and Docker.
- We go to the field every week and keep equipment under control.
Education: Springfield University - BSc Statistics, 2015 - 2019
"""


def test_the_vocabulary_is_the_packaged_gazetteer():
    assert vocabulary().size == 30_957


def test_skills_come_from_the_skills_section_and_technology_spellings_elsewhere():
    parsed = parse_resume(JANE)
    # "Doe" (a vocabulary term) is in the name line; "Data Analyst" is a job title line;
    # "go", "equipment" and "control" are everyday words outside the Skills section;
    # postgres and PostgreSQL are one skill.
    assert parsed.skills == ["Python", "SQL", "Tableau", "Excel", "postgres", "Docker"]


def test_aliases_and_spellings_fold_into_one_identity():
    assert canonical_key("Node.js") == canonical_key("nodejs") == canonical_key("node js")
    assert canonical_key("Postgres") == canonical_key("PostgreSQL")
    assert canonical_key("k8s") == canonical_key("Kubernetes")


def test_experience_education_and_links_are_read_from_their_sections():
    parsed = parse_resume(JANE)
    assert parsed.experience == [
        {
            "title": "Data Analyst",
            "company": "Initech",
            "start_date": date(2019, 1, 1),
            "end_date": date(2022, 1, 1),
        }
    ]
    assert parsed.education == [
        {
            "institution": "Springfield University",
            "degree": "BSc",
            "field": "Statistics",
            "start_year": 2015,
            "end_year": 2019,
        }
    ]
    assert parsed.links == ["https://www.janedoe.dev"]
    # The e-mail address in the resume is neither a link nor part of an entry.
    assert all("@" not in link for link in parsed.links)
    assert "jane@example.com" not in repr(parsed.experience + parsed.education)
