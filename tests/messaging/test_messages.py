"""Sending messages: order, idempotency, validation, history, and who may see what."""

from __future__ import annotations

import asyncio
import uuid

import pytest


async def test_sent_message_gets_the_next_seq_and_moves_the_senders_read_marker(chat, pair):
    recruiter, candidate, conversation = pair
    first = await chat.send(recruiter, conversation, "Hello Cam")
    second = await chat.send(candidate, conversation, "Hi Rita")
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["sender_id"] == str(recruiter.id)
    assert first["conversation_id"] == conversation["id"]
    assert first["content"] == "Hello Cam"
    seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=candidate)
    markers = {p["id"]: p["last_read_seq"] for p in seen["participants"]}
    assert markers == {str(recruiter.id): 1, str(candidate.id): 2}
    assert seen["unread_count"] == 0
    assert seen["last_message"]["seq"] == 2


async def test_concurrent_sends_get_seqs_one_to_n_without_gaps(chat, pair):
    recruiter, candidate, conversation = pair
    senders = [recruiter, candidate] * 10
    sent = await asyncio.gather(
        *(chat.send(user, conversation, f"message {i}") for i, user in enumerate(senders))
    )
    assert sorted(m["seq"] for m in sent) == list(range(1, 21))
    page = await chat.history(recruiter, conversation, after=0, limit=100)
    assert [m["seq"] for m in page["items"]] == list(range(1, 21))
    assert {m["id"] for m in page["items"]} == {m["id"] for m in sent}


async def test_retry_with_same_client_msg_id_returns_the_original_message(chat, pair, db):
    recruiter, candidate, conversation = pair
    original = await chat.send(recruiter, conversation, "once", client_msg_id="r-1")
    await chat.send(candidate, conversation, "in between")
    retry = await chat.send(recruiter, conversation, "once", client_msg_id="r-1", expect=200)
    assert retry == original
    after = await chat.send(recruiter, conversation, "next")
    assert after["seq"] == 3  # the retry spent no seq
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 3


async def test_concurrent_retries_with_same_client_msg_id_store_one_message(chat, pair, db):
    recruiter, _, conversation = pair
    path = f"/api/conversations/{conversation['id']}/messages"
    body = {"content": "exactly once", "client_msg_id": "burst"}
    responses = await asyncio.gather(
        *(chat.api.client.post(path, json=body, headers=recruiter.headers) for _ in range(10))
    )
    statuses = sorted(r.status for r in responses)
    bodies = [await r.json() for r in responses]
    assert statuses == [200] * 9 + [201]
    assert len({b["id"] for b in bodies}) == 1
    assert {b["seq"] for b in bodies} == {1}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT last_seq FROM conversations") == 1
        assert await conn.fetchval("SELECT count(*) FROM messages") == 1


async def test_client_msg_id_is_scoped_to_the_sender(chat, pair):
    recruiter, candidate, conversation = pair
    mine = await chat.send(recruiter, conversation, "a", client_msg_id="same")
    theirs = await chat.send(candidate, conversation, "b", client_msg_id="same")
    assert mine["id"] != theirs["id"]


async def test_reusing_client_msg_id_in_another_conversation_is_409(chat, pair, hiring):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "a", client_msg_id="dup")
    group = await chat.start(
        candidate, [hiring.admin, recruiter], "application", hiring.application_id
    )
    problem = await chat.send(recruiter, group, "b", client_msg_id="dup", expect=409)
    assert "client_msg_id" in problem["detail"]
    seen = await chat.api.get(f"/api/conversations/{group['id']}", as_=recruiter)
    assert seen["last_seq"] == 0


async def test_attachment_only_message_is_accepted(chat, pair):
    recruiter, _, conversation = pair
    upload = await chat.api.upload(
        recruiter, "message_attachment", filename="offer.pdf", content_type="application/pdf"
    )
    message = await chat.send(
        recruiter,
        conversation,
        None,
        attachment_url=upload["url"],
        attachment_type="application/pdf",
    )
    assert message["content"] is None
    assert message["attachment_url"] == upload["url"]
    assert message["attachment_type"] == "application/pdf"


async def test_attachment_must_be_the_senders_completed_chat_upload(chat, pair, db):
    recruiter, candidate, conversation = pair
    path = f"/api/conversations/{conversation['id']}/messages"
    theirs = await chat.api.upload(candidate, "message_attachment", filename="cv.pdf")
    wrong_purpose = await chat.api.upload(recruiter, "resume", filename="cv.pdf")
    pending = await chat.api.grant_upload(recruiter, "message_attachment", 10, filename="a.pdf")
    pending_url = theirs["url"].replace(theirs["id"], pending["upload"]["id"])
    for url, reason in [
        ("https://files.example/offer.pdf", "not a file reference"),
        (theirs["url"], "no upload of yours"),
        (wrong_purpose["url"], "uploaded as resume"),
        (pending_url, "not complete"),
    ]:
        problem = await chat.api.post(
            path, {"content": "see file", "attachment_url": url}, as_=recruiter, expect=422
        )
        assert problem["errors"][0]["field"] == "body.attachment_url"
        assert reason in problem["errors"][0]["message"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 0
        assert await conn.fetchval("SELECT last_seq FROM conversations") == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"content": ""},
        {"content": "   \n"},
        {"content": "x" * 10_001},
        {"content": "nul \u0000 byte"},
        {"content": 5},
        {"attachment_url": "ftp://files.example/a.pdf"},
        {"attachment_url": "javascript:alert(1)"},
        {"attachment_type": "image/png"},
        {"content": "hi", "attachment_url": "https://x.example/" + "a" * 1024},
        {"content": "hi", "client_msg_id": ""},
        {"content": "hi", "client_msg_id": "x" * 65},
        {"content": "hi", "client_msg_id": "has space"},
        {"content": "hi", "sender_id": str(uuid.uuid4())},
    ],
)
async def test_invalid_message_is_422_and_stores_nothing(chat, pair, body, db):
    recruiter, _, conversation = pair
    path = f"/api/conversations/{conversation['id']}/messages"
    await chat.api.post(path, body, as_=recruiter, expect=422)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 0
        assert await conn.fetchval("SELECT last_seq FROM conversations") == 0


async def test_longest_allowed_message_is_accepted(chat, pair):
    recruiter, _, conversation = pair
    message = await chat.send(recruiter, conversation, "é" * 10_000)
    assert len(message["content"]) == 10_000


async def test_malformed_json_is_400(chat, pair):
    recruiter, _, conversation = pair
    path = f"/api/conversations/{conversation['id']}/messages"
    headers = {**recruiter.headers, "Content-Type": "application/json"}
    response = await chat.api.client.post(path, data=b'{"content": ', headers=headers)
    assert response.status == 400


# -- history ---------------------------------------------------------------------------------


async def test_history_pages_backwards_from_the_newest(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(7):
        await chat.send(recruiter if i % 2 else candidate, conversation, f"m{i + 1}")
    page = await chat.history(candidate, conversation, limit=3)
    assert [m["seq"] for m in page["items"]] == [7, 6, 5]
    page = await chat.history(candidate, conversation, limit=3, before=page["next"])
    assert [m["seq"] for m in page["items"]] == [4, 3, 2]
    page = await chat.history(candidate, conversation, limit=3, before=page["next"])
    assert [m["seq"] for m in page["items"]] == [1]
    assert page["next"] is None


async def test_history_pages_forwards_after_a_seq(chat, pair):
    recruiter, candidate, conversation = pair
    for i in range(5):
        await chat.send(recruiter, conversation, f"m{i + 1}")
    page = await chat.history(candidate, conversation, after=1, limit=2)
    assert [m["seq"] for m in page["items"]] == [2, 3]
    page = await chat.history(candidate, conversation, after=page["next"], limit=2)
    assert [m["seq"] for m in page["items"]] == [4, 5]
    assert page["next"] is None
    caught_up = await chat.history(candidate, conversation, after=5)
    assert caught_up == {"items": [], "next": None}


async def test_history_of_an_empty_conversation_is_empty(chat, pair):
    _, candidate, conversation = pair
    assert await chat.history(candidate, conversation) == {"items": [], "next": None}


@pytest.mark.parametrize(
    "query",
    [
        {"before": 0},
        {"after": -1},
        {"before": 3, "after": 1},
        {"limit": 0},
        {"limit": 101},
        {"before": "x"},
        {"before": 2**63},
        {"after": 10**20},
        {"page": 2},
    ],
)
async def test_bad_history_query_is_422(chat, pair, query):
    _, candidate, conversation = pair
    await chat.history(candidate, conversation, expect=422, **query)


# -- outsiders -------------------------------------------------------------------------------


async def test_outsider_gets_404_on_every_conversation_route(api, chat, pair, db):
    recruiter, _, conversation = pair
    await chat.send(recruiter, conversation, "private")
    outsider = await api.sign_up(["employer"])
    cid = conversation["id"]
    await api.get(f"/api/conversations/{cid}", as_=outsider, expect=404)
    await api.get(f"/api/conversations/{cid}/messages", as_=outsider, expect=404)
    await api.post(
        f"/api/conversations/{cid}/messages", {"content": "hi"}, as_=outsider, expect=404
    )
    await api.post(f"/api/conversations/{cid}/read", {"seq": 1}, as_=outsider, expect=404)
    assert (await api.get("/api/conversations", as_=outsider, expect=200))["items"] == []
    # An unknown id and a stranger's id look the same.
    unknown = await api.get(f"/api/conversations/{uuid.uuid4()}", as_=outsider, expect=404)
    known = await api.get(f"/api/conversations/{cid}", as_=outsider, expect=404)
    assert unknown["detail"] == known["detail"]
    await api.get("/api/conversations/not-a-uuid", as_=outsider, expect=404)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 1


async def test_conversation_routes_need_a_verified_caller(api, pair):
    _, _, conversation = pair
    cid = conversation["id"]
    unverified = await api.sign_up(verified=False)
    await api.get("/api/conversations", expect=401)
    await api.get(f"/api/conversations/{cid}", expect=401)
    await api.get("/api/conversations", as_=unverified, expect=403)
    await api.post(
        f"/api/conversations/{cid}/messages", {"content": "x"}, as_=unverified, expect=403
    )
