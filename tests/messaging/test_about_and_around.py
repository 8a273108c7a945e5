"""What a conversation is about (its header's title and link), and the history page around
a message (where a search result opens the conversation)."""

from __future__ import annotations

import uuid

import pytest

from tests.messaging.live import hiring, sockets, two_instances


async def test_an_application_conversation_links_each_side_to_its_own_page(api, chat, hiring):
    conversation = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    expected = {
        "type": "application",
        "id": str(hiring.application_id),
        "title": "Backend Intern at Acme",
    }
    assert conversation["about"] == {**expected, "url": f"/jobs/{hiring.job_id}/applicants"}
    mine = await api.get(f"/api/conversations/{conversation['id']}", as_=hiring.candidate)
    assert mine["about"] == {**expected, "url": "/applications"}
    [listed] = (await api.get("/api/conversations", as_=hiring.candidate))["items"]
    assert listed["about"] == {**expected, "url": "/applications"}


async def test_gig_and_organization_conversations_link_to_their_pages(api, chat, hiring):
    freelancer = await api.sign_up(["freelancer"], full_name="Fran Freelancer")
    gig_id = await chat.gig(freelancer)
    about_gig = await chat.start(hiring.admin, [freelancer], "gig", gig_id)
    assert about_gig["about"] == {
        "type": "gig",
        "id": str(gig_id),
        "title": "Logo design",
        "url": f"/gigs/{gig_id}",
    }
    company = hiring.company
    about_company = await chat.start(
        hiring.admin, [hiring.recruiter], "organization", company["id"]
    )
    assert about_company["about"] == {
        "type": "organization",
        "id": company["id"],
        "title": "Acme",
        "url": f"/companies/{company['id']}",
    }
    school = await api.institute(hiring.admin, name="State University")
    student = await api.sign_up(["student"], full_name="Stu Dent")
    await chat.add_member(school, hiring.admin, student, "student")
    about_school = await chat.start(student, [hiring.admin], "organization", school["id"])
    assert about_school["about"]["url"] == f"/organizations/{school['id']}/members"
    assert about_school["about"]["title"] == "State University"
    # Every conversation of the page carries its own, from one query for the page.
    listed = (await api.get("/api/conversations", as_=hiring.admin))["items"]
    assert {c["id"]: c["about"]["type"] for c in listed} == {
        about_gig["id"]: "gig",
        about_company["id"]: "organization",
        about_school["id"]: "organization",
    }


async def test_a_conversation_whose_context_is_gone_is_about_nothing(api, chat, pair, db):
    _recruiter, candidate, conversation = pair
    async with db.connection() as conn:
        await conn.execute(
            "DELETE FROM job_applications WHERE id = $1", uuid.UUID(conversation["context"]["id"])
        )
    seen = await api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["about"] is None


async def seqs(chat, user, conversation, **query) -> tuple[list[int], dict]:
    page = await chat.history(user, conversation, **query)
    return [m["seq"] for m in page["items"]], page


async def test_around_returns_the_message_in_the_middle_oldest_first(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(30):
        await chat.send(recruiter, conversation, f"m{i + 1}")
    got, page = await seqs(chat, candidate, conversation, around=15, limit=10)
    assert got == list(range(11, 21))
    assert (page["older"], page["newer"], page["next"]) == (11, 20, None)
    older, _ = await seqs(chat, candidate, conversation, before=page["older"], limit=10)
    assert older == list(range(10, 0, -1))
    newer, _ = await seqs(chat, candidate, conversation, after=page["newer"], limit=10)
    assert newer == list(range(21, 31))


@pytest.mark.parametrize(
    ("around", "expected", "older", "newer"),
    [
        (1, range(1, 11), None, 10),
        (3, range(1, 11), None, 10),
        (29, range(21, 31), 21, None),
        (30, range(21, 31), 21, None),
        (500, range(21, 31), 21, None),
    ],
)
async def test_around_near_either_end_fills_the_page_from_the_other_side(
    chat, pair, around, expected, older, newer
):
    recruiter, candidate, conversation = pair
    for i in range(30):
        await chat.send(recruiter, conversation, f"m{i + 1}")
    got, page = await seqs(chat, candidate, conversation, around=around, limit=10)
    assert got == list(expected)
    assert (page["older"], page["newer"]) == (older, newer)


async def test_around_a_short_conversation_is_all_of_it(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(3):
        await chat.send(recruiter, conversation, f"m{i + 1}")
    got, page = await seqs(chat, candidate, conversation, around=2, limit=10)
    assert got == [1, 2, 3]
    assert (page["older"], page["newer"]) == (None, None)


@pytest.mark.parametrize(
    "query", [{"around": 0}, {"around": 2, "before": 5}, {"around": 2, "after": 1}, {"around": "x"}]
)
async def test_around_refuses_bad_input(chat, pair, query):
    _recruiter, candidate, conversation = pair
    await chat.history(candidate, conversation, expect=422, **query)


async def test_around_is_404_for_a_non_participant(api, chat, pair):
    recruiter, _candidate, conversation = pair
    await chat.send(recruiter, conversation, "private")
    outsider = await api.sign_up(["student"])
    await chat.history(outsider, conversation, expect=404, around=1)


async def test_the_chat_history_call_takes_around_too(
    api, db, database_url, redis_server_url, redis_prefix
):
    chat, h = await hiring(api, db)
    conversation_id = h.conversation["id"]
    for i in range(9):
        await chat.send(h.recruiter, h.conversation, f"m{i + 1}")
    async with (
        two_instances(database_url, redis_server_url, redis_prefix) as (a, _),
        sockets((a.url, h.candidate)) as [candidate],
    ):
        page = await candidate.call(
            "history", {"conversation_id": conversation_id, "around": 5, "limit": 4}
        )
        bad = await candidate.call(
            "history", {"conversation_id": conversation_id, "around": 5, "before": 3}
        )
    assert [m["seq"] for m in page["items"]] == [4, 5, 6, 7]
    assert (page["older"], page["newer"]) == (4, 7)
    assert bad["error"]["code"] == "invalid"
