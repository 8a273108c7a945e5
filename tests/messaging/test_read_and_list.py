"""Read markers, unread counts, and the list of my conversations."""

from __future__ import annotations

import asyncio

import pytest


async def test_unread_count_is_last_seq_minus_my_read_marker(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(3):
        await chat.send(recruiter, conversation, f"m{i}")
    mine = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert (mine["last_seq"], mine["unread_count"]) == (3, 3)
    theirs = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=recruiter)
    assert theirs["unread_count"] == 0


async def test_read_marker_moves_forward_and_never_back(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(4):
        await chat.send(recruiter, conversation, f"m{i}")
    state = await chat.read(candidate, conversation, 2)
    assert state == {
        "conversation_id": conversation["id"],
        "user_id": str(candidate.id),
        "last_read_seq": 2,
        "last_seq": 4,
        "unread_count": 2,
    }
    back = await chat.read(candidate, conversation, 1)
    assert (back["last_read_seq"], back["unread_count"]) == (2, 2)
    done = await chat.read(candidate, conversation, 4)
    assert (done["last_read_seq"], done["unread_count"]) == (4, 0)
    seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["unread_count"] == 0
    await chat.send(recruiter, conversation, "one more")
    seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["unread_count"] == 1


async def test_concurrent_read_marks_keep_the_highest(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(10):
        await chat.send(recruiter, conversation, f"m{i}")
    await asyncio.gather(*(chat.read(candidate, conversation, seq) for seq in range(10, 0, -1)))
    seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    marker = {p["id"]: p["last_read_seq"] for p in seen["participants"]}[str(candidate.id)]
    assert marker == 10


async def test_reading_beyond_the_last_message_is_422(chat, pair):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "only one")
    problem = await chat.read(candidate, conversation, 2, expect=422)
    assert problem["errors"][0]["field"] == "seq"
    seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    assert seen["unread_count"] == 1


@pytest.mark.parametrize(
    "body", [{}, {"seq": -1}, {"seq": "3"}, {"seq": 2**63}, {"seq": 1, "extra": True}]
)
async def test_malformed_read_request_is_422(chat, pair, body):
    _, candidate, conversation = pair
    path = f"/api/conversations/{conversation['id']}/read"
    await chat.api.post(path, body, as_=candidate, expect=422)


# -- my conversations ------------------------------------------------------------------------


async def test_my_conversations_are_listed_by_latest_activity_with_last_message(api, chat, hiring):
    freelancer = await api.sign_up(["freelancer"], full_name="Fay Freelancer")
    gig_id = await chat.gig(freelancer)
    candidate, recruiter = hiring.candidate, hiring.recruiter
    about_job = await chat.start(recruiter, [candidate], "application", hiring.application_id)
    about_gig = await chat.start(candidate, [freelancer], "gig", gig_id)
    with_admin = await chat.start(candidate, [hiring.admin], "application", hiring.application_id)
    # Newest first by last message, or by creation for a conversation with none yet.
    await chat.send(freelancer, about_gig, "gig news")
    await chat.send(recruiter, about_job, "job news")

    page = await api.get("/api/conversations", as_=candidate, expect=200)
    assert [c["id"] for c in page["items"]] == [about_job["id"], about_gig["id"], with_admin["id"]]
    assert page["next"] is None
    latest = page["items"][0]
    assert latest["last_message"]["content"] == "job news"
    assert latest["last_message"]["sender_id"] == str(recruiter.id)
    assert latest["unread_count"] == 1
    assert {p["full_name"] for p in latest["participants"]} == {"Rita Recruiter", "Cam Candidate"}
    assert page["items"][2]["last_message"] is None

    await chat.send(candidate, with_admin, "bump")
    page = await api.get("/api/conversations", as_=candidate, expect=200)
    assert page["items"][0]["id"] == with_admin["id"]
    assert page["items"][0]["unread_count"] == 0

    recruiters = await api.get("/api/conversations", as_=recruiter, expect=200)
    assert [c["id"] for c in recruiters["items"]] == [about_job["id"]]


async def test_conversation_list_pages_with_a_cursor(api, chat):
    freelancer = await api.sign_up(["freelancer"])
    gig_id = await chat.gig(freelancer)
    clients = [await api.sign_up(["professional"]) for _ in range(5)]
    started = [await chat.start(client, [freelancer], "gig", gig_id) for client in clients]
    for conversation, client in zip(started[::2], clients[::2], strict=True):
        await chat.send(client, conversation, "hello")
    page = await api.get("/api/conversations", as_=freelancer, params={"limit": 2}, expect=200)
    seen = [c["id"] for c in page["items"]]
    while page["next"]:
        params = {"limit": 2, "cursor": page["next"]}
        page = await api.get("/api/conversations", as_=freelancer, params=params, expect=200)
        seen += [c["id"] for c in page["items"]]
    expected = [started[i]["id"] for i in (4, 2, 0)] + [started[i]["id"] for i in (3, 1)]
    assert seen == expected


@pytest.mark.parametrize(
    "params", [{"cursor": "not-a-cursor"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 1000}]
)
async def test_bad_conversation_list_query_is_refused(api, params):
    user = await api.sign_up()
    response = await api.client.get("/api/conversations", params=params, headers=user.headers)
    assert response.status in (400, 422)
