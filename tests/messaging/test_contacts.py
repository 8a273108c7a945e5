"""The people picker's list: whom the start policy lets the caller message, and about what.
Its defining property: every entry it lists can be started."""

from __future__ import annotations

import pytest

from tests.client import User

CONTACTS = "/api/messaging/contacts"


async def contacts(api, user: User, expect: int = 200, **params) -> list[dict]:
    page = await api.get(CONTACTS, as_=user, params=params, expect=expect)
    return page["items"] if expect == 200 else page


def names(items: list[dict]) -> list[tuple[str, str]]:
    return [(item["user"]["full_name"], item["context"]["type"]) for item in items]


async def start_each(chat, caller: User, items: list[dict]) -> None:
    """The picker's promise: each listed person can be messaged about the listed context."""
    for item in items:
        body = {
            "participant_ids": [item["user"]["id"]],
            "context": item["context"],
        }
        response = await chat.api.call("POST", "/api/conversations", as_=caller, json=body)
        assert "id" in response, (item, response)


async def test_a_candidate_sees_the_hiring_team_of_each_application(api, chat, hiring):
    items = await contacts(api, hiring.candidate)
    assert names(items) == [("Hana Admin", "application"), ("Rita Recruiter", "application")]
    for item in items:
        assert item["context"] == {"type": "application", "id": str(hiring.application_id)}
        assert item["about"] == "Backend Intern at Acme"
    await start_each(chat, hiring.candidate, items)


async def test_the_hiring_side_sees_candidates_and_colleagues(api, chat, hiring):
    items = await contacts(api, hiring.recruiter)
    assert names(items) == [("Cam Candidate", "application"), ("Hana Admin", "organization")]
    assert items[1]["context"] == {"type": "organization", "id": hiring.company["id"]}
    assert items[1]["about"] == "Acme"
    await start_each(chat, hiring.recruiter, items)
    admin_items = await contacts(api, hiring.admin)
    assert names(admin_items) == [
        ("Cam Candidate", "application"),
        ("Rita Recruiter", "organization"),
    ]
    await start_each(chat, hiring.admin, admin_items)


async def test_one_entry_per_person_and_context(api, chat, hiring):
    """A second application is a second context; a second role in the company is not."""
    other_job = await chat.job(hiring.company, hiring.admin)
    second = await chat.application(other_job, hiring.candidate)
    employee_too = await api.sign_up(["professional"], full_name="Eve Employee")
    await chat.add_member(hiring.company, hiring.admin, employee_too, "employee")
    await chat.add_member(hiring.company, hiring.admin, employee_too, "recruiter")
    items = await contacts(api, hiring.recruiter)
    keys = [(i["user"]["id"], i["context"]["type"], i["context"]["id"]) for i in items]
    assert len(keys) == len(set(keys))
    assert {k[2] for k in keys if k[0] == str(hiring.candidate.id)} == {
        str(hiring.application_id),
        str(second),
    }
    assert [k for k in keys if k[0] == str(employee_too.id)] == [
        (str(employee_too.id), "organization", hiring.company["id"])
    ]
    await start_each(chat, hiring.recruiter, items)
    # Eve is now a recruiter: the candidate sees her on both applications.
    candidate_keys = {
        (i["user"]["full_name"], i["context"]["id"]) for i in await contacts(api, hiring.candidate)
    }
    assert ("Eve Employee", str(second)) in candidate_keys


async def test_people_the_policy_refuses_are_not_listed(api, chat, hiring):
    pending = await api.sign_up(["professional"], full_name="Pat Pending")
    await chat.add_member(hiring.company, hiring.admin, pending, "recruiter", status="pending")
    gone = await api.sign_up(["professional"], full_name="Ian Inactive")
    await chat.add_member(hiring.company, hiring.admin, gone, "recruiter", status="inactive")
    employee = await api.sign_up(["professional"], full_name="Emil Employee")
    await chat.add_member(hiring.company, hiring.admin, employee, "employee")
    listed = {item["user"]["full_name"] for item in await contacts(api, hiring.candidate)}
    # Employees do not hire: not a contact about an application; pending and inactive
    # memberships grant nothing.
    assert listed == {"Hana Admin", "Rita Recruiter"}
    recruiter_sees = {item["user"]["full_name"] for item in await contacts(api, hiring.recruiter)}
    assert recruiter_sees == {"Cam Candidate", "Hana Admin", "Emil Employee"}
    outsider = await api.sign_up(["student"], full_name="Olly Outsider")
    assert await contacts(api, outsider) == []


async def test_unverified_people_are_not_listed(api, chat, hiring):
    unverified = await api.sign_up(["student"], verified=False, full_name="Una Unverified")
    job = await chat.job(hiring.company, hiring.admin)
    # The application route needs a verified candidate, so the row is made directly.
    async with chat.db.connection() as conn:
        await conn.execute(
            "INSERT INTO job_applications (job_id, candidate_id) VALUES ($1, $2)",
            job,
            unverified.id,
        )
    listed = {item["user"]["full_name"] for item in await contacts(api, hiring.recruiter)}
    assert "Una Unverified" not in listed


async def test_q_filters_by_any_part_of_the_name_ignoring_case(api, hiring):
    assert names(await contacts(api, hiring.candidate, q="RITA")) == [
        ("Rita Recruiter", "application")
    ]
    assert names(await contacts(api, hiring.candidate, q="admi")) == [("Hana Admin", "application")]
    assert await contacts(api, hiring.candidate, q="%") == []
    assert await contacts(api, hiring.candidate, q="_") == []
    assert len(await contacts(api, hiring.candidate, q="  ")) == 2


async def test_the_list_is_bounded_by_limit(api, hiring):
    assert len(await contacts(api, hiring.candidate, limit=1)) == 1


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "51"}, {"q": "x" * 101}, {"q": "a\x00"}, {"other": "1"}],
)
async def test_bad_input_is_422(api, hiring, params):
    await contacts(api, hiring.candidate, expect=422, **params)


async def test_contacts_need_a_verified_login(api):
    await api.get(CONTACTS, expect=401)
    unverified = await api.sign_up(["student"], verified=False)
    await api.get(CONTACTS, as_=unverified, expect=403)
