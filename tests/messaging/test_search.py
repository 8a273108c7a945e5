"""Message search: what it finds (only the caller's current conversations, never a deleted
message), in what order, how it pages, and that its highlights are safe HTML."""

from __future__ import annotations

import uuid

import pytest

from server.messaging.ratelimit import SEARCH_BURST
from server.messaging.search import walk_is_cheaper
from server.paging import encode_cursor
from tests.client import User
from tests.messaging.changes import delete, edit, react

SEARCH = "/api/messages/search"


async def search(api, user: User, q: str, expect: int = 200, **params) -> dict:
    return await api.get(SEARCH, as_=user, params={"q": q, **params}, expect=expect)


def contents(page: dict) -> list[str]:
    return [item["message"]["content"] for item in page["items"]]


async def test_finds_matching_messages_newest_first_with_their_conversation(chat, pair):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "The interview is on Monday")
    await chat.send(candidate, conversation, "Great, see you then")
    await chat.send(candidate, conversation, "Can we move the interview to Tuesday?")
    page = await search(chat.api, recruiter, "interview")
    assert contents(page) == ["Can we move the interview to Tuesday?", "The interview is on Monday"]
    assert {item["conversation_id"] for item in page["items"]} == {conversation["id"]}
    assert page["items"][0]["message"]["seq"] == 3
    assert page["items"][0]["highlight"] == "Can we move the <mark>interview</mark> to Tuesday?"
    assert page["next"] is None
    # The other side finds the same messages: both are participants.
    assert contents(await search(chat.api, candidate, "INTERVIEW")) == contents(page)


async def test_all_words_must_match_and_the_last_one_matches_as_a_prefix(chat, pair):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "We scheduled interviews for Friday")
    await chat.send(recruiter, conversation, "Scheduling is hard")
    await chat.send(recruiter, conversation, "Friday works")
    assert contents(await search(chat.api, candidate, "sched")) == [
        "Scheduling is hard",
        "We scheduled interviews for Friday",
    ]
    assert contents(await search(chat.api, candidate, "friday sched")) == [
        "We scheduled interviews for Friday"
    ]
    assert contents(await search(chat.api, candidate, "scheduled fri")) == [
        "We scheduled interviews for Friday"
    ]
    # Only the last word is a prefix: "sched" is no word of the message.
    assert contents(await search(chat.api, candidate, "sched friday")) == []


async def test_pages_follow_each_other_without_gaps_or_repeats(chat, pair):
    recruiter, candidate, conversation = pair
    sent = [await chat.send(recruiter, conversation, f"offer letter draft {i}") for i in range(7)]
    await chat.send(recruiter, conversation, "unrelated")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = await search(chat.api, candidate, "offer", **params)
        pages += 1
        assert len(page["items"]) <= 3
        seen += [item["message"]["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [m["id"] for m in reversed(sent)]


async def test_highlight_escapes_the_message_html(chat, pair):
    recruiter, candidate, conversation = pair
    evil = "<script>alert('x')</script> & <b>salary</b> \x02 talk"
    await chat.send(recruiter, conversation, evil)
    [item] = (await search(chat.api, candidate, "salary"))["items"]
    assert item["message"]["content"] == evil  # the message itself is returned as sent
    highlight = item["highlight"]
    assert "<script>" not in highlight and "<b>" not in highlight
    assert "&lt;script&gt;" in highlight
    assert "&lt;b&gt;<mark>salary</mark>&lt;/b&gt;" in highlight
    # Only our own markup is left: every tag is a <mark> or </mark>.
    stripped = highlight.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert highlight.startswith("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; ")


async def test_a_long_message_is_shown_as_escaped_fragments(chat, pair):
    recruiter, candidate, conversation = pair
    filler = " ".join(f"word{i}" for i in range(80))
    await chat.send(recruiter, conversation, f"{filler} <i>visa</i> sponsorship {filler}")
    [item] = (await search(chat.api, candidate, "visa"))["items"]
    highlight = item["highlight"]
    assert "<mark>visa</mark>" in highlight
    assert len(highlight) < 400
    assert "<i>" not in highlight


async def test_deleted_messages_are_never_found(chat, pair):
    recruiter, candidate, conversation = pair
    kept = await chat.send(recruiter, conversation, "budget approved")
    gone = await chat.send(recruiter, conversation, "budget secret")
    await delete(chat, recruiter, conversation, gone)
    page = await search(chat.api, candidate, "budget")
    assert [item["message"]["id"] for item in page["items"]] == [kept["id"]]
    assert (await search(chat.api, candidate, "secret"))["items"] == []


async def test_results_are_messages_as_they_are_now(chat, pair):
    """An edit is found by its new words only, and a result carries the message's current
    state (edited, with its reactions), as history shows it."""
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "the offer is ready")
    await edit(chat, recruiter, conversation, sent, "the contract is ready")
    await react(chat, candidate, conversation, sent, "🎉")
    assert (await search(chat.api, candidate, "offer"))["items"] == []
    [item] = (await search(chat.api, candidate, "contract"))["items"]
    message = item["message"]
    assert message["content"] == "the contract is ready"
    assert message["edited_at"] is not None
    assert message["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [str(candidate.id)]}]


async def test_other_peoples_conversations_are_never_found(api, chat, hiring):
    conversation = await chat.start(
        hiring.recruiter, [hiring.candidate], "application", hiring.application_id
    )
    await chat.send(hiring.recruiter, conversation, "confidential shortlist")
    outsider = await api.sign_up(["student"], full_name="Olly Outsider")
    assert (await search(api, outsider, "confidential"))["items"] == []
    # The company admin is no participant of the recruiter's conversation either.
    assert (await search(api, hiring.admin, "confidential"))["items"] == []
    assert len((await search(api, hiring.candidate, "confidential"))["items"]) == 1


async def test_a_removed_participant_no_longer_finds_the_conversation(api, chat, hiring):
    conversation = await chat.start(
        hiring.candidate, [hiring.recruiter, hiring.admin], "application", hiring.application_id
    )
    await chat.send(hiring.recruiter, conversation, "relocation package details")
    assert len((await search(api, hiring.admin, "relocation"))["items"]) == 1
    await api.delete(
        f"/api/conversations/{conversation['id']}/participants/{hiring.admin.id}",
        as_=hiring.candidate,
        expect=204,
    )
    assert (await search(api, hiring.admin, "relocation"))["items"] == []
    assert len((await search(api, hiring.recruiter, "relocation"))["items"]) == 1


async def test_attachment_only_messages_and_non_matches_are_not_found(chat, pair, api):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "nothing here")
    assert (await search(api, candidate, "something"))["items"] == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 422),
        ({"q": "   "}, 422),
        ({"q": "x" * 201}, 422),
        ({"q": "!!! ???"}, 422),
        ({"q": "a\x00b"}, 422),
        ({"q": "ok", "limit": "0"}, 422),
        ({"q": "ok", "limit": "101"}, 422),
        ({"q": "ok", "cursor": "not-a-cursor"}, 400),
        ({"q": "ok", "cursor": "WyJ4IiwgMV0"}, 400),  # ["x", 1]
        # [a time, a uuid, a seq beyond BIGINT]
        (
            {
                "q": "ok",
                "cursor": encode_cursor(
                    "2026-01-01T00:00:00Z", "00000000-0000-0000-0000-000000000000", 2**70
                ),
            },
            400,
        ),
        ({"q": "ok", "unknown": "1"}, 422),
        ({}, 422),
    ],
)
async def test_bad_input_is_a_client_error(api, pair, params, status):
    _, candidate, _ = pair
    await api.get(SEARCH, as_=candidate, params=params, expect=status)


async def test_query_syntax_is_taken_as_plain_words(chat, pair):
    recruiter, candidate, conversation = pair
    await chat.send(recruiter, conversation, "rock & roll | jazz")
    for q in ("rock & roll", "!rock", "rock:*", "'rock'", "rock <-> roll", "(rock", "\\rock"):
        page = await search(chat.api, candidate, q)
        assert contents(page) == ["rock & roll | jazz"], q
    assert contents(await search(chat.api, candidate, "rock | blues")) == []
    # Inputs the parser makes compound tokens of are safe too (a fuzz of 20,000 random
    # strings of these characters raised nothing when this query was written).
    for q in ("foo-bar", "a@b.c", "x/y:z", "(a|b)&!c", "é日 'x' \\"):
        assert (await search(chat.api, candidate, q))["items"] == [], q


async def test_search_needs_a_verified_login(api, pair):
    await api.get(SEARCH, params={"q": "x"}, expect=401)


async def test_a_rare_word_is_found_through_the_search_index(chat, pair, db):
    """The plan: for a word few messages have, messages_search_idx, not a walk through the
    conversation (the planner decides on real statistics; the common-word walk is measured
    in bench/message_search.py)."""
    recruiter, candidate, conversation = pair
    async with db.connection() as conn:
        await conn.execute(
            """
            INSERT INTO messages (conversation_id, sender_id, content, seq)
            SELECT $1, $2,
                   CASE WHEN s % 1000 = 0 THEN 'the xylophone arrived'
                        ELSE 'see the notes on ' || md5(s::text) END,
                   s
            FROM generate_series(1, 20000) AS s
            """,
            uuid.UUID(conversation["id"]),
            recruiter.id,
        )
        await conn.execute(
            "UPDATE conversations SET last_seq = 20000 WHERE id = $1", uuid.UUID(conversation["id"])
        )
        await conn.execute("ANALYZE messages; ANALYZE conversation_participants")
        estimate = await db.q.messaging.get_search_estimate(
            conn, user_id=candidate.id, q="xylophone"
        )
        assert 0.0005 < estimate["share"] < 0.002  # 20 of 20,000 (PostgreSQL says 2%)
        assert not walk_is_cheaper(estimate, 21)
        query = db.q.messaging.search_messages_indexed
        order = db.q.messaging.driver_adapter.var_sorted["search_messages_indexed"]
        params = {
            "user_id": candidate.id,
            "q": "xylophone",
            "cursor_at": None,
            "cursor_conversation_id": None,
            "cursor_seq": None,
            "limit": 21,
        }
        async with conn.transaction(readonly=True):  # as the service runs it
            await db.q.messaging.prefer_search_index(conn)
            plan = await conn.fetch("EXPLAIN " + query.sql, *(params[key] for key in order))
        # The common word of these messages is walked instead.
        common = await db.q.messaging.get_search_estimate(conn, user_id=candidate.id, q="notes")
        assert common["share"] > 0.9
        assert walk_is_cheaper(common, 21)
        both = await db.q.messaging.get_search_estimate(
            conn, user_id=candidate.id, q="xylophone note"
        )
        assert 0.0005 < both["share"] < 0.002
    text = "\n".join(r[0] for r in plan)
    assert "messages_search_idx" in text, text
    page = await search(chat.api, candidate, "xylophone", limit=100)
    assert [item["message"]["seq"] for item in page["items"]] == list(range(20000, 0, -1000))


async def test_a_common_word_is_walked_and_pages_the_same(api, chat, hiring, db):
    """The walk plan (chosen for a word most messages have) finds what the index plan
    finds: every match in order across conversations, page after page, without
    tombstones or conversations the user has left."""
    kept = await chat.start(
        hiring.candidate, [hiring.recruiter], "application", hiring.application_id
    )
    left = await chat.start(
        hiring.candidate, [hiring.recruiter, hiring.admin], "application", hiring.application_id
    )
    sent = []
    for i in range(12):
        for conversation in (kept, left):
            sent.append(await chat.send(hiring.recruiter, conversation, f"status update {i}"))
    await chat.send(hiring.recruiter, kept, "something else entirely")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE messages SET content = NULL, deleted_at = now() WHERE id = $1", sent[0]["id"]
        )
        # Many more messages elsewhere (a conversation nobody here is in), so reading every
        # match from the index costs more than walking these two conversations.
        elsewhere = await conn.fetchval("INSERT INTO conversations DEFAULT VALUES RETURNING id")
        await conn.execute(
            "INSERT INTO messages (conversation_id, sender_id, content, seq)"
            " SELECT $1, $2, 'another update ' || s, s FROM generate_series(1, 3000) AS s",
            elsewhere,
            hiring.admin.id,
        )
        await conn.execute("ANALYZE messages; ANALYZE conversation_participants")
        estimate = await db.q.messaging.get_search_estimate(
            conn, user_id=hiring.recruiter.id, q="upd"
        )
    assert walk_is_cheaper(estimate, 6)
    await api.delete(
        f"/api/conversations/{left['id']}/participants/{hiring.admin.id}",
        as_=hiring.admin,
        expect=204,
    )
    for user, expected in (
        (hiring.recruiter, [m for m in sent[1:]]),
        (hiring.admin, []),
    ):
        seen, cursor = [], None
        while True:
            params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
            page = await search(api, user, "upd", **params)
            seen += [item["message"]["id"] for item in page["items"]]
            cursor = page["next"]
            if cursor is None:
                break
        ordered = sorted(expected, key=lambda m: (m["sent_at"], m["conversation_id"], m["seq"]))
        assert seen == [m["id"] for m in reversed(ordered)]


async def test_searches_have_their_own_rate_limit(chat, pair):
    """A burst of searches is refused with 429 once the search bucket is empty, and the
    user's sends, counted in another bucket, still go through."""
    recruiter, _, conversation = pair
    statuses = []
    for _ in range(SEARCH_BURST + 3):
        response = await chat.api.client.get(SEARCH, headers=recruiter.headers, params={"q": "x"})
        statuses.append(response.status)
    assert statuses[:SEARCH_BURST] == [200] * SEARCH_BURST
    assert 429 in statuses[SEARCH_BURST:]
    assert (await chat.send(recruiter, conversation, "still sending"))["seq"] == 1
