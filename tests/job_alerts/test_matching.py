"""Matching is the board: for every alert, the jobs it records are exactly the jobs
GET /api/jobs shows for the same search, for every kind of filter; and the matcher only
checks the alerts the inverted index hands it."""

from __future__ import annotations

import random
import uuid

from server import keys
from server.job_alerts.matching import AlertMatcher
from tests.client import User

WORDS = ["backend", "frontend", "data", "python", "design", "sales", "remote", "senior"]
SKILLS = ["Python", "PostgreSQL", "React", "Go", "SQL", "Figma", "Excel"]
PLACES = ["Berlin", "Berlin, DE", "Munich", "Remote 100%", "New York", None]
TYPES = ["internship", "full_time", "part_time", "contract"]

# Searches a person types, each kind of filter alone and in combination; the random ones
# below add combinations nobody thought of.
HAND_PICKED: list[dict] = [
    {},
    {"q": "backend"},
    {"q": "backend developer"},
    {"q": '"data engineer"'},
    {"q": "python or design"},
    {"q": "python -senior"},
    {"q": "backend or frontend -senior"},
    {"q": '"data engineer" or sales'},
    {"q": "-python"},  # all negation: nothing to index, every job a candidate
    {"q": "-python or design"},
    {"q": "python or the"},
    {"q": "sales or design", "skills": ["go", "excel"], "skills_match": "any"},
    {"q": "the"},  # only a stop word: the board shows nothing
    {"skills": ["python"]},
    {"skills": ["PYTHON", "sql"]},
    {"skills": ["figma", "go"], "skills_match": "any"},
    {"location": "berlin"},
    {"location": "100%"},  # % is a character, not a wildcard
    {"employment_type": "internship"},
    {"remote": True},
    {"remote": False},
    {"q": "data", "remote": True, "employment_type": "full_time"},
    {"skills": ["react"], "location": "Munich"},
]


def random_job(rng: random.Random) -> dict:
    words = rng.sample(WORDS, 3)
    return {
        "title": f"{words[0].title()} {rng.choice(['Developer', 'Engineer', 'Lead'])}",
        "description": f"We need {words[1]} and {words[2]} work. Data engineer team.",
        "skills_required": rng.sample(SKILLS, rng.randint(0, 3)),
        "location": rng.choice(PLACES),
        "employment_type": rng.choice(TYPES),
        "remote": rng.random() < 0.4,
    }


def random_search(rng: random.Random, companies: list[str]) -> dict:
    search: dict = {}
    if rng.random() < 0.4:
        search["q"] = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
    elif rng.random() < 0.3:  # OR and NOT: keyed on every word the query tree keeps
        a, b, c = rng.sample(WORDS, 3)
        search["q"] = rng.choice([f"{a} or {b}", f"{a} -{b}", f"{a} or {b} -{c}", f"-{a}"])
    if rng.random() < 0.4:
        search["skills"] = [s.lower() for s in rng.sample(SKILLS, rng.randint(1, 2))]
        search["skills_match"] = rng.choice(["all", "any"])
    if rng.random() < 0.25:
        search["location"] = rng.choice(["berlin", "Munich", "york"])
    if rng.random() < 0.3:
        search["employment_type"] = rng.choice(TYPES)
    if rng.random() < 0.3:
        search["remote"] = rng.random() < 0.5
    if rng.random() < 0.2:
        search["company_id"] = rng.choice(companies)
    return search


async def board(api, search: dict) -> set[str]:
    """Every job GET /api/jobs shows for the search, all pages."""
    params: dict = {"limit": 100}
    for name, value in search.items():
        if name == "skills":
            params[name] = ",".join(value)
        elif isinstance(value, bool):
            params[name] = "true" if value else "false"
        else:
            params[name] = value
    found: set[str] = set()
    while True:
        page = await api.get("/api/jobs", params=params, expect=200)
        found |= {job["id"] for job in page["items"]}
        if not page["next"]:
            return found
        params["cursor"] = page["next"]


async def recorded(db, alert_id: str) -> set[str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT job_id FROM job_alert_matches WHERE alert_id = $1", uuid.UUID(alert_id)
        )
    return {str(r["job_id"]) for r in rows}


async def test_each_alert_matches_exactly_what_the_board_shows_for_its_search(
    api, client, db, employer: User, company
):
    rng = random.Random(15)
    other = await api.company(employer, "Globex")
    companies = [company["id"], other["id"]]
    searches = HAND_PICKED + [random_search(rng, companies) for _ in range(40)]
    students = [await api.sign_up() for _ in range(len(searches) // 20 + 1)]  # 50 alerts each
    alerts = [
        await api.post(
            "/api/me/job-alerts",
            {"frequency": "instant", **search},
            as_=students[i // 20],
            expect=201,
        )
        for i, search in enumerate(searches)
    ]
    matcher = AlertMatcher(db, client.app[keys.SETTINGS])
    for _ in range(40):
        job = await api.job(employer, rng.choice(companies), **random_job(rng))
        await matcher.match(uuid.UUID(job["id"]))

    nonempty = 0
    for search, alert in zip(searches, alerts, strict=True):
        expected = await board(api, search)
        assert await recorded(db, alert["id"]) == expected, search
        nonempty += bool(expected)
    assert nonempty > len(searches) // 2  # the property is not met by matching nothing


async def test_a_closed_job_matches_nothing_until_it_is_reopened(
    api, client, db, employer, company
):
    student = await api.sign_up()
    alert = await api.post("/api/me/job-alerts", {"frequency": "daily"}, as_=student)
    job = await api.job(employer, company["id"])
    await api.post(f"/api/jobs/{job['id']}/close", as_=employer, expect=200)
    matcher = AlertMatcher(db, client.app[keys.SETTINGS])
    assert await matcher.match(uuid.UUID(job["id"])) == 0
    await api.post(f"/api/jobs/{job['id']}/reopen", as_=employer, expect=200)
    assert await matcher.match(uuid.UUID(job["id"])) == 1
    assert await recorded(db, alert["id"]) == {job["id"]}


async def test_the_matcher_checks_only_the_alerts_sharing_a_key_with_the_job(
    api, db, employer, company
):
    """20,000 alerts on other skills and companies: a job is checked against the few filed
    under its own terms, and the plan reads them from the GIN index."""
    student = await api.sign_up()
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO job_alerts (user_id, skills, frequency, match_keys)"
            " SELECT $1, ARRAY['skill' || n], 'instant', ARRAY['s:skill' || n]"
            " FROM generate_series(1, 20000) AS n",
            student.id,
        )
        await conn.execute("ANALYZE job_alerts")
    someone = await api.sign_up()
    await api.post(
        "/api/me/job-alerts",
        {"frequency": "instant", "skills": ["Rust"]},
        as_=someone,
        expect=201,
    )
    await api.post(
        "/api/me/job-alerts",
        {"frequency": "instant", "skills": ["rust"], "location": "Oslo"},
        as_=someone,
        expect=201,
    )
    for q in ("rust or haskell", "rust -java", "cobol or fortran"):
        await api.post(
            "/api/me/job-alerts", {"frequency": "instant", "q": q}, as_=someone, expect=201
        )
    job = await api.job(
        employer, company["id"], title="Rust Engineer", skills_required=["Rust", "skill7"]
    )
    job_id = uuid.UUID(job["id"])
    async with db.connection() as conn:
        keys_by_q = dict(
            await conn.fetch("SELECT q, match_keys FROM job_alerts WHERE q IS NOT NULL")
        )
        candidates = await db.q.job_alerts.count_job_alert_candidates(conn, job_id=job_id)
        sql = db.q.job_alerts.record_job_alert_matches.sql
        literal = sql.replace("$1", f"'{job_id}'::UUID")
        plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + literal))
    # OR: every word is a key; NOT: the negated word is none.
    assert keys_by_q == {
        "rust or haskell": ["w:haskel", "w:rust"],
        "rust -java": ["w:rust"],
        "cobol or fortran": ["w:fortran", "w:cobol"],
    }
    # rust, rust in Oslo, skill7, rust or haskell, rust -java: not cobol or fortran, nor the
    # other 19,999.
    assert candidates == 5
    assert "job_alerts_match_keys_gin" in plan, plan
