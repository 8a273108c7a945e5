"""Institute email domains claimed by more than one institute: overlapping domains, the
takeover rule (proof by email, outranked by the platform's verification), concurrent
claims, and the database's own guards."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.orgs.test_domains import at, register, verified_institute
from tests.waits import eventually

OVERLAP = "another institute holds an overlapping domain (the same, a parent or a subdomain)"


async def _institute(api, email_domain: str, name: str):
    admin = await api.sign_up(["professional"], email=at(email_domain))
    return admin, await api.institute(admin, name=name)


async def _domains(api, admin, org) -> list[str]:
    listed = await api.get(f"/api/organizations/{org['id']}/domains", as_=admin, expect=200)
    return [d["domain"] for d in listed["items"]]


async def _platform_verify(api, db, org) -> None:
    staff = await api.admin(db)
    path = f"/api/admin/organizations/{org['id']}/verification"
    await api.post(path, {"is_verified": True}, as_=staff, expect=200)


async def test_a_subdomain_or_parent_of_another_institutes_domain_is_refused(
    api, memberships, domain_rows
):
    _, org, _ = await verified_institute(api)
    rival, rival_org = await _institute(api, "student.uni.example", "Student Union College")
    before = await domain_rows()
    problem = await register(api, rival, rival_org, "student.uni.example", expect=409)
    assert problem["errors"] == [{"field": "body.domain", "message": OVERLAP}]
    assert await domain_rows() == before
    # The other way round: a parent of a domain another institute holds.
    await verified_institute(api, "cs.college.example", "CS Department")
    parent, parent_org = await _institute(api, "college.example", "The College")
    problem = await register(api, parent, parent_org, "college.example", expect=409)
    assert problem["errors"] == [{"field": "body.domain", "message": OVERLAP}]
    # So a student on the overlap joins only the institute that holds it.
    student = await api.sign_up(email=at("student.uni.example"))
    assert (await memberships.join(student, org, "student"))["status"] == "active"
    assert (await memberships.join(student, rival_org, "student"))["status"] == "pending"


async def test_an_institute_may_hold_overlapping_domains_of_its_own(api):
    admin, org, _ = await verified_institute(api)
    await register(api, admin, org, "cs.uni.example")
    assert await _domains(api, admin, org) == ["cs.uni.example", "uni.example"]


async def test_two_overlapping_claims_at_once_get_one_201_and_one_409(api):
    claimants = [
        (*(await _institute(api, "uni.example", "State University")), "uni.example"),
        (*(await _institute(api, "cs.uni.example", "CS School")), "cs.uni.example"),
    ]

    async def claim(admin, org, domain):
        path = f"/api/organizations/{org['id']}/domains"
        response = await api.client.post(path, json={"domain": domain}, headers=admin.headers)
        return response.status

    statuses = await asyncio.gather(*(claim(*c) for c in claimants))
    assert sorted(statuses) == [201, 409]


async def _both_waiting_for_locks(db) -> bool:
    async with db.connection() as conn:
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    return waiting >= 2


async def test_two_institutes_taking_each_others_domains_at_once_both_succeed(api, db):
    # Each holds a domain it cannot prove and proves the other's: both claims are takeovers.
    a_admin, a_org = await _institute(api, "beta.example", "Alpha Institute")
    b_admin, b_org = await _institute(api, "alpha.example", "Beta Institute")
    await register(api, a_admin, a_org, "alpha.example")
    await register(api, b_admin, b_org, "beta.example")

    async def claim(admin, org, domain):
        path = f"/api/organizations/{org['id']}/domains"
        response = await api.client.post(path, json={"domain": domain}, headers=admin.headers)
        return response.status

    # Hold Alpha's row until both claims wait on a lock, so they meet halfway through.
    async with db.transaction() as tx:
        await tx.conn.execute(
            "SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE", a_org["id"]
        )
        claims = asyncio.gather(
            claim(a_admin, a_org, "beta.example"), claim(b_admin, b_org, "alpha.example")
        )
        await eventually(lambda: _both_waiting_for_locks(db), what="both claims waiting")
    assert await claims == [201, 201]
    assert await _domains(api, a_admin, a_org) == ["beta.example"]
    assert await _domains(api, b_admin, b_org) == ["alpha.example"]


async def test_a_platform_verified_institute_takes_its_domain_from_a_student_squatter(
    api, db, memberships
):
    # Any student with a university address can make an institute and prove the domain.
    squatter, squat = await _institute(api, "uni.example", "State Universty")
    assert (await register(api, squatter, squat, "uni.example"))["verified"] is True
    await register(api, squatter, squat, "cs.uni.example")
    owner, real = await _institute(api, "uni.example", "State University")
    await register(api, owner, real, "uni.example", expect=409)  # equals: proof against proof
    await _platform_verify(api, db, real)
    taken = await register(api, owner, real, "uni.example")
    assert taken["verified"] is True
    assert await _domains(api, squatter, squat) == []
    assert (await api.get(f"/api/organizations/{squat['id']}"))["domain_verified"] is False
    student = await api.sign_up(email=at("cs.uni.example"))
    assert (await memberships.join(student, real, "student"))["status"] == "active"
    assert (await memberships.join(student, squat, "student"))["status"] == "pending"


async def test_a_platform_verified_institutes_domain_is_never_taken_by_an_unverified_one(
    api, db, domain_rows
):
    # The verified holder cannot prove the domain (its admin mails from elsewhere) and the
    # claimant can: between equals that would move it, not from a verified holder.
    owner, real = await _institute(api, "example.org", "State University")
    await register(api, owner, real, "uni.example")
    await _platform_verify(api, db, real)
    squatter, squat = await _institute(api, "uni.example", "State Universty")
    before = await domain_rows()
    for domain in ("uni.example", "cs.uni.example"):
        problem = await register(api, squatter, squat, domain, expect=409)
        assert problem["errors"][0]["field"] == "body.domain"
    assert await domain_rows() == before


async def test_a_verified_institute_that_cannot_prove_the_domain_takes_nothing(api, db):
    holder, held = await _institute(api, "uni.example", "Fake University")
    await register(api, holder, held, "uni.example")
    claimant, claiming = await _institute(api, "example.org", "State University")
    await _platform_verify(api, db, claiming)
    await register(api, claimant, claiming, "uni.example", expect=409)
    assert await _domains(api, holder, held) == ["uni.example"]


@pytest.mark.parametrize("domain", ["uni_x.example", "%.example", "uni.example.", "UNI.example"])
async def test_the_database_refuses_a_domain_that_is_not_a_host_name(api, db, domain):
    _, org = await _institute(api, "uni.example", "State University")
    async with db.connection() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO institute_domains (organization_id, domain) VALUES ($1, $2)",
                org["id"],
                domain,
            )


@pytest.mark.parametrize(
    ("email", "domain", "on"),
    [
        ("a@uni.example", "uni.example", True),
        ("a@cs.uni.example", "uni.example", True),
        ("a@CS.Uni.Example.", "uni.example", True),
        ("a@notuni.example", "uni.example", False),
        ("a@cs.uniXexample", "uni_example", False),
        ("a@cs.anything", "%", False),
        ("a@x.uni.example", "%.example", False),
    ],
)
async def test_email_on_domain_compares_characters_not_patterns(db, email, domain, on):
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT email_on_domain($1, $2)", email, domain) is on


async def test_the_overlap_check_is_served_by_indexes(db):
    async with db.connection() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT id FROM institute_domains"
                " WHERE domain = ANY ($1::VARCHAR[])"
                " OR (reverse(domain) COLLATE \"C\" >= reverse($2::TEXT) || '.'"
                " AND reverse(domain) COLLATE \"C\" < reverse($2::TEXT) || '/')",
                ["cs.uni.example", "uni.example"],
                "cs.uni.example",
            )
        )
    assert "institute_domains_domain_key" in plan
    assert "institute_domains_reversed_idx" in plan
