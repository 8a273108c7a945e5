"""Who may start a conversation with whom, on what grounds (docs/messaging.md)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

NOTHING = {"conversations": 0, "conversation_participants": 0, "messages": 0}


# -- application ---------------------------------------------------------------------------


async def test_recruiter_starts_conversation_with_candidate_about_application(chat, hiring):
    conversation = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    assert conversation["context"] == {"type": "application", "id": str(hiring.application_id)}
    assert conversation["created_by"] == str(hiring.recruiter.id)
    names = {p["id"]: p["full_name"] for p in conversation["participants"]}
    assert names == {
        str(hiring.recruiter.id): "Rita Recruiter",
        str(hiring.candidate.id): "Cam Candidate",
    }
    assert conversation["last_seq"] == 0
    assert conversation["last_message"] is None
    assert conversation["unread_count"] == 0


async def test_candidate_starts_conversation_with_company_admin_and_recruiter(chat, hiring):
    conversation = await chat.start(
        hiring.candidate, [hiring.admin, hiring.recruiter], "application", hiring.application_id
    )
    assert len(conversation["participants"]) == 3


async def test_candidate_cannot_pull_an_outsider_into_an_application_conversation(
    api, chat, hiring
):
    outsider = await api.sign_up(["professional"])
    problem = await chat.start(
        hiring.candidate, [outsider], "application", hiring.application_id, expect=403
    )
    assert str(outsider.id) in problem["detail"]
    assert await chat.counts() == NOTHING


async def test_recruiter_cannot_start_application_conversation_with_a_colleague(chat, hiring):
    await chat.start(
        hiring.recruiter, [hiring.admin], "application", hiring.application_id, expect=403
    )
    assert await chat.counts() == NOTHING


@pytest.mark.parametrize("status", ["pending", "inactive"])
async def test_recruiter_without_active_membership_cannot_see_the_application(
    api, chat, hiring, status
):
    former = await api.sign_up(["employer"])
    await chat.add_member(hiring.company, hiring.admin, former, "recruiter", status)
    await chat.start(former, [hiring.candidate], "application", hiring.application_id, expect=404)
    await chat.start(hiring.candidate, [former], "application", hiring.application_id, expect=403)
    assert await chat.counts() == NOTHING


async def test_plain_employee_of_the_company_is_not_a_hiring_party(api, chat, hiring):
    employee = await api.sign_up(["professional"])
    await chat.add_member(hiring.company, hiring.admin, employee, "employee")
    await chat.start(employee, [hiring.candidate], "application", hiring.application_id, expect=404)
    assert await chat.counts() == NOTHING


async def test_stranger_is_told_the_application_does_not_exist(api, chat, hiring):
    stranger = await api.sign_up(["employer"])
    other_company = await api.company(stranger, name="Other")
    assert other_company["id"] != hiring.company["id"]
    await chat.start(stranger, [hiring.candidate], "application", hiring.application_id, expect=404)
    assert await chat.counts() == NOTHING


# -- gig -----------------------------------------------------------------------------------


async def test_any_verified_user_starts_conversation_with_freelancer_about_gig(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    client = await api.sign_up(["professional"])
    gig_id = await chat.gig(freelancer)
    conversation = await chat.start(client, [freelancer], "gig", gig_id)
    assert conversation["context"] == {"type": "gig", "id": str(gig_id)}


async def test_freelancer_cannot_cold_message_people_through_own_gig(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    client = await api.sign_up(["professional"])
    stranger = await api.sign_up(["student"])
    gig_id = await chat.gig(freelancer)
    await chat.start(freelancer, [client], "gig", gig_id, expect=403)
    await chat.start(freelancer, [client, stranger], "gig", gig_id, expect=403)
    assert await chat.counts() == NOTHING


async def test_gig_conversation_must_include_the_freelancer(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    client = await api.sign_up(["professional"])
    someone = await api.sign_up(["student"])
    gig_id = await chat.gig(freelancer)
    await chat.start(client, [someone], "gig", gig_id, expect=403)
    await chat.start(client, [freelancer, someone], "gig", gig_id, expect=403)
    assert await chat.counts() == NOTHING


async def test_nobody_starts_a_conversation_with_an_unverified_user(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    unverified = await api.sign_up(["professional"], verified=False)
    gig_id = await chat.gig(freelancer)
    await chat.start(freelancer, [unverified], "gig", gig_id, expect=403)
    assert await chat.counts() == NOTHING


async def test_unverified_caller_cannot_start_a_conversation(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    unverified = await api.sign_up(["professional"], verified=False)
    gig_id = await chat.gig(freelancer)
    await chat.start(unverified, [freelancer], "gig", gig_id, expect=403)
    assert await chat.counts() == NOTHING


# -- organization --------------------------------------------------------------------------


async def test_active_members_of_an_organization_start_a_group_conversation(api, chat):
    owner = await api.sign_up(["student"])
    institute = await api.institute(owner)
    a, b = await api.sign_up(["student"]), await api.sign_up(["student"])
    await chat.add_member(institute, owner, a, "student")
    await chat.add_member(institute, owner, b, "faculty")
    conversation = await chat.start(owner, [a, b], "organization", institute["id"])
    assert len(conversation["participants"]) == 3


@pytest.mark.parametrize("status", ["pending", "inactive"])
async def test_organization_conversation_refuses_non_active_members(api, chat, status):
    owner = await api.sign_up(["student"])
    institute = await api.institute(owner)
    member = await api.sign_up(["student"])
    await chat.add_member(institute, owner, member, "student")
    applicant = await api.sign_up(["student"])
    await chat.add_member(institute, owner, applicant, "student", status)
    await chat.start(owner, [member, applicant], "organization", institute["id"], expect=403)
    await chat.start(applicant, [owner], "organization", institute["id"], expect=403)
    assert await chat.counts() == NOTHING


async def test_members_of_different_organizations_cannot_use_either_one(api, chat):
    employer = await api.sign_up(["employer"])
    company = await api.company(employer)
    student = await api.sign_up(["student"])
    await api.institute(student)
    await chat.start(employer, [student], "organization", company["id"], expect=403)
    assert await chat.counts() == NOTHING


# -- unknown contexts and bad requests -----------------------------------------------------


@pytest.mark.parametrize("context_type", ["application", "gig", "organization"])
async def test_unknown_context_is_404(api, chat, context_type):
    a, b = await api.sign_up(), await api.sign_up()
    problem = await chat.start(a, [b], context_type, uuid.uuid4(), expect=404)
    assert context_type in problem["detail"]
    assert await chat.counts() == NOTHING


@pytest.mark.parametrize(
    "body",
    [
        {"participant_ids": [], "context": {"type": "gig", "id": str(uuid.uuid4())}},
        {"participant_ids": ["nope"], "context": {"type": "gig", "id": str(uuid.uuid4())}},
        {
            "participant_ids": [str(uuid.uuid4())],
            "context": {"type": "chat", "id": str(uuid.uuid4())},
        },
        {"participant_ids": [str(uuid.uuid4())], "context": {"type": "gig", "id": "x"}},
        {"participant_ids": [str(uuid.uuid4())], "context": {"type": "gig"}},
        {
            "participant_ids": [str(uuid.uuid4())],
            "context": {"type": "gig", "id": str(uuid.uuid4())},
            "extra": 1,
        },
        {
            "participant_ids": [str(uuid.uuid4())] * 51,
            "context": {"type": "gig", "id": str(uuid.uuid4())},
        },
    ],
)
async def test_malformed_start_request_is_422(api, chat, body):
    caller = await api.sign_up()
    await api.post("/api/conversations", body, as_=caller, expect=422)
    assert await chat.counts() == NOTHING


async def test_starting_a_conversation_with_only_yourself_is_422(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    gig_id = await chat.gig(freelancer)
    problem = await chat.start(freelancer, [freelancer], "gig", gig_id, expect=422)
    assert problem["errors"][0]["field"] == "participant_ids"
    assert await chat.counts() == NOTHING


async def test_starting_needs_a_logged_in_caller(api, chat):
    body = {
        "participant_ids": [str(uuid.uuid4())],
        "context": {"type": "gig", "id": str(uuid.uuid4())},
    }
    await api.post("/api/conversations", body, expect=401)


# -- the same conversation twice -----------------------------------------------------------


async def test_starting_the_same_conversation_again_returns_the_existing_one(chat, hiring):
    first = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    again = await chat.start(
        hiring.candidate, [hiring.recruiter], "application", hiring.application_id, expect=200
    )
    assert again["id"] == first["id"]
    assert (await chat.counts())["conversations"] == 1


async def test_concurrent_starts_of_the_same_conversation_make_one(api, chat, hiring):
    results = await asyncio.gather(
        *(
            api.post(
                "/api/conversations",
                {
                    "participant_ids": [str(hiring.candidate.id)],
                    "context": {"type": "application", "id": str(hiring.application_id)},
                },
                as_=hiring.recruiter,
            )
            for _ in range(5)
        )
    )
    assert len({r["id"] for r in results}) == 1
    assert (await chat.counts())["conversations"] == 1


async def test_other_participants_or_context_make_a_new_conversation(api, chat, hiring):
    one = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    group = await chat.start(
        hiring.candidate, [hiring.recruiter, hiring.admin], "application", hiring.application_id
    )
    second_job = await chat.job(hiring.company, hiring.admin)
    other_application = await chat.application(second_job, hiring.candidate)
    other = await chat.start(hiring.recruiter, [hiring.candidate], "application", other_application)
    assert len({one["id"], group["id"], other["id"]}) == 3


async def test_start_with_a_first_message_posts_it(chat, hiring):
    conversation = await chat.start(
        hiring.candidate,
        [hiring.recruiter],
        "application",
        hiring.application_id,
        message={"content": "Hi, any news?", "client_msg_id": "c-1"},
    )
    assert conversation["last_seq"] == 1
    assert conversation["last_message"]["content"] == "Hi, any news?"
    assert conversation["last_message"]["seq"] == 1
    assert conversation["unread_count"] == 0
    # A retried start (same client_msg_id) neither duplicates the conversation nor the message.
    again = await chat.start(
        hiring.candidate,
        [hiring.recruiter],
        "application",
        hiring.application_id,
        message={"content": "Hi, any news?", "client_msg_id": "c-1"},
        expect=200,
    )
    assert again["id"] == conversation["id"]
    assert again["last_seq"] == 1
    assert await chat.counts() == {
        "conversations": 1,
        "conversation_participants": 2,
        "messages": 1,
    }


async def test_refused_start_with_a_message_stores_no_message(api, chat, hiring):
    outsider = await api.sign_up()
    await chat.start(
        hiring.candidate,
        [outsider],
        "application",
        hiring.application_id,
        message={"content": "psst"},
        expect=403,
    )
    assert await chat.counts() == NOTHING


async def test_first_message_reusing_a_client_msg_id_from_another_conversation_is_409(chat, hiring):
    await chat.start(
        hiring.candidate,
        [hiring.recruiter],
        "application",
        hiring.application_id,
        message={"content": "Hi", "client_msg_id": "c-1"},
    )
    before = await chat.counts()
    problem = await chat.start(
        hiring.candidate,
        [hiring.recruiter, hiring.admin],
        "application",
        hiring.application_id,
        message={"content": "Hi both", "client_msg_id": "c-1"},
        expect=409,
    )
    assert "client_msg_id" in problem["detail"]
    assert await chat.counts() == before


async def test_first_message_attachment_must_be_the_senders_chat_upload(api, chat, hiring):
    theirs = await api.upload(hiring.recruiter, "message_attachment", b"%PDF theirs")
    problem = await chat.start(
        hiring.candidate,
        [hiring.recruiter],
        "application",
        hiring.application_id,
        message={"content": "see file", "attachment_url": theirs["url"]},
        expect=422,
    )
    assert problem["errors"][0]["field"] == "body.message.attachment_url"
    assert await chat.counts() == NOTHING
    mine = await api.upload(hiring.candidate, "message_attachment", b"%PDF mine")
    conversation = await chat.start(
        hiring.candidate,
        [hiring.recruiter],
        "application",
        hiring.application_id,
        message={"attachment_url": mine["url"], "attachment_type": "application/pdf"},
    )
    last = conversation["last_message"]
    assert (last["seq"], last["content"], last["attachment_url"]) == (1, None, mine["url"])
    assert last["attachment_type"] == "application/pdf"


async def test_nobody_starts_a_conversation_about_a_paused_gig(api, db):
    freelancer = await api.sign_up(["freelancer"])
    gig = await api.post(
        "/api/gigs",
        {
            "title": "Paused service",
            "description": "On a break",
            "pricing_tiers": {
                "basic": {"price": 100, "currency": "USD", "delivery_days": 1, "description": "x"}
            },
        },
        as_=freelancer,
        expect=201,
    )
    await api.patch(f"/api/gigs/{gig['id']}", {"status": "paused"}, as_=freelancer, expect=200)
    client = await api.sign_up(["student"])
    body = {"participant_ids": [str(freelancer.id)], "context": {"type": "gig", "id": gig["id"]}}
    await api.post("/api/conversations", body, as_=client, expect=404)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM conversations") == 0
    back = {"participant_ids": [str(client.id)], "context": {"type": "gig", "id": gig["id"]}}
    await api.post("/api/conversations", back, as_=freelancer, expect=403)
