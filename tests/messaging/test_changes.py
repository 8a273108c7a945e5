"""Edits, deletions and reactions of stored messages (issue 13): the rules, who may do what,
idempotent retries, the message_changed events, and how a changed message reads back
everywhere (history, the conversation's last message, sync)."""

from __future__ import annotations

import asyncio
import urllib.parse
import uuid

import msgspec
import pytest

from server.config import ConfigError, load_settings
from server.messaging.messages import MessageService
from server.messaging.ratelimit import SEND_LIMITER
from server.messaging.reactions import EMOJI
from server.messaging.schemas import ChatSync
from tests.live_events import RecordingEvents
from tests.messaging.changes import delete, edit, message_path, react

THUMBS = "👍"
HEART = "❤️"


async def last_rev(db, conversation: dict) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT last_rev FROM conversations WHERE id = $1", uuid.UUID(conversation["id"])
        )


def changed_events(recorder: RecordingEvents) -> list[dict]:
    return [
        {"user_ids": sorted(map(str, e.user_ids)), **msgspec.to_builtins(e.payload)}
        for e in recorder.live("message_changed")
    ]


async def test_a_new_message_is_unchanged_rev_0_with_no_reactions(chat, pair):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "hello")
    assert sent["rev"] == 0
    assert sent["edited_at"] is None and sent["deleted_at"] is None
    assert sent["reactions"] == []
    [listed] = (await chat.history(recruiter, conversation))["items"]
    assert listed == sent


async def test_the_sender_edits_and_everyone_reads_the_new_content(chat, pair, db):
    recruiter, candidate, conversation = pair
    recorder = RecordingEvents.on(db)
    sent = await chat.send(recruiter, conversation, "Helo")
    edited = await edit(chat, recruiter, conversation, sent, "Hello")
    assert edited["content"] == "Hello" and edited["seq"] == sent["seq"]
    assert edited["rev"] == 1 and edited["edited_at"] is not None
    assert await last_rev(db, conversation) == 1

    for user in (recruiter, candidate):
        [listed] = (await chat.history(user, conversation))["items"]
        assert listed == edited
        seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=user)
        assert seen["last_message"] == edited

    [event] = changed_events(recorder)
    assert event == {
        "user_ids": sorted([str(recruiter.id), str(candidate.id)]),
        "change": "edited",
        "message": edited,
    }


async def test_a_retried_edit_applies_once(chat, pair, db):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "Helo")
    recorder = RecordingEvents.on(db)
    first = await edit(chat, recruiter, conversation, sent, "Hello", if_rev=0)
    # The same request again (the client did not hear the answer): no new rev, no event,
    # no second version in the history, even though its if_rev is now stale.
    again = await edit(chat, recruiter, conversation, sent, "Hello", if_rev=0)
    assert again == first
    assert await last_rev(db, conversation) == 1
    assert len(recorder.live("message_changed")) == 1
    versions = await chat.api.get(f"{message_path(conversation, sent)}/edits", as_=recruiter)
    assert [v["content"] for v in versions["items"]] == ["Helo"]


async def test_a_stale_if_rev_is_refused_and_changes_nothing(chat, pair, db):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "one")
    await edit(chat, recruiter, conversation, sent, "two", if_rev=0)
    problem = await edit(chat, recruiter, conversation, sent, "three", if_rev=0, expect=409)
    assert "rev is 1" in problem["detail"]
    [listed] = (await chat.history(recruiter, conversation))["items"]
    assert listed["content"] == "two" and listed["rev"] == 1


async def test_edit_history_is_kept_for_the_sender_only(chat, pair, hiring, api):
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "v1")
    await edit(chat, recruiter, conversation, sent, "v2")
    await edit(chat, recruiter, conversation, sent, "v3")
    path = f"{message_path(conversation, sent)}/edits"
    versions = await api.get(path, as_=recruiter, expect=200)
    assert [v["content"] for v in versions["items"]] == ["v1", "v2"]
    assert versions["items"][0]["written_at"] == sent["sent_at"]
    assert versions["items"][1]["written_at"] == versions["items"][0]["replaced_at"]
    await api.get(path, as_=candidate, expect=403)
    await api.get(path, as_=hiring.admin, expect=404)  # not in the conversation


async def test_only_the_sender_edits_or_deletes_and_outsiders_see_nothing(chat, pair, hiring, db):
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "mine")
    before = await last_rev(db, conversation)
    await edit(chat, candidate, conversation, sent, "yours now", expect=403)
    await delete(chat, candidate, conversation, sent, expect=403)
    # Someone outside the conversation is told it does not exist, as for an unknown id.
    outsider = hiring.admin
    await edit(chat, outsider, conversation, sent, "x", expect=404)
    await delete(chat, outsider, conversation, sent, expect=404)
    await react(chat, outsider, conversation, sent, THUMBS, expect=404)
    unknown = {"id": str(uuid.uuid4())}
    await edit(chat, recruiter, conversation, unknown, "x", expect=404)
    await react(chat, recruiter, {"id": str(uuid.uuid4())}, sent, THUMBS, expect=404)
    await delete(chat, recruiter, {"id": "not-a-uuid"}, sent, expect=404)
    assert await last_rev(db, conversation) == before
    [listed] = (await chat.history(recruiter, conversation))["items"]
    assert listed == sent


@pytest.mark.parametrize(
    "body",
    [
        {"content": ""},
        {"content": "   "},
        {"content": "a\x00b"},
        {"content": "x" * 10_001},
        {},
        {"content": "ok", "if_rev": -1},
        {"content": "ok", "pinned": True},
    ],
)
async def test_a_bad_edit_is_422_and_changes_nothing(chat, pair, db, body):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "as sent")
    await chat.api.patch(message_path(conversation, sent), body, as_=recruiter, expect=422)
    [listed] = (await chat.history(recruiter, conversation))["items"]
    assert listed == sent and await last_rev(db, conversation) == 0


async def test_editing_closes_after_the_window(chat, pair, db):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "old news")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE messages SET sent_at = now() - interval '86401 seconds' WHERE id = $1",
            uuid.UUID(sent["id"]),
        )
    problem = await edit(chat, recruiter, conversation, sent, "too late", expect=409)
    assert "86400 seconds" in problem["detail"]
    # Deleting has no window.
    await delete(chat, recruiter, conversation, sent)


def test_the_edit_window_is_a_setting():
    env = {"DATABASE_URL": "postgresql://localhost/x", "SECRET_KEY": "k" * 40}
    assert load_settings(env).message_edit_window_seconds == 86400
    window = load_settings({**env, "MESSAGE_EDIT_WINDOW_SECONDS": "60"})
    assert window.message_edit_window_seconds == 60
    with pytest.raises(ConfigError):
        load_settings({**env, "MESSAGE_EDIT_WINDOW_SECONDS": "-1"})


async def test_an_attachment_only_message_may_gain_content(chat, pair):
    recruiter, _, conversation = pair
    upload = await chat.api.upload(recruiter, "message_attachment", filename="cv.pdf")
    sent = await chat.send(recruiter, conversation, None, attachment_url=upload["url"])
    edited = await edit(chat, recruiter, conversation, sent, "my CV, attached")
    assert edited["content"] == "my CV, attached"
    assert edited["attachment_url"] == upload["url"]
    versions = await chat.api.get(f"{message_path(conversation, sent)}/edits", as_=recruiter)
    assert versions["items"] == []  # there was no earlier text


async def test_delete_leaves_a_tombstone_everywhere(chat, pair, db):
    recruiter, candidate, conversation = pair
    upload = await chat.api.upload(recruiter, "message_attachment", filename="offer.pdf")
    first = await chat.send(recruiter, conversation, "first")
    sent = await chat.send(recruiter, conversation, "secret", attachment_url=upload["url"])
    await edit(chat, recruiter, conversation, sent, "secret, edited")
    await react(chat, candidate, conversation, sent, THUMBS)
    assert (await chat.api.open_file(upload["url"], candidate)).status == 302
    recorder = RecordingEvents.on(db)

    await delete(chat, recruiter, conversation, sent)
    await delete(chat, recruiter, conversation, sent)  # again: nothing more happens

    [event] = changed_events(recorder)
    tombstone = event["message"]
    assert event["change"] == "deleted"
    assert tombstone["seq"] == sent["seq"] and tombstone["rev"] == 3
    assert tombstone["content"] is None and tombstone["attachment_url"] is None
    assert tombstone["attachment_type"] is None and tombstone["reactions"] == []
    assert tombstone["deleted_at"] is not None
    for user in (recruiter, candidate):
        items = (await chat.history(user, conversation))["items"]
        assert [m["seq"] for m in items] == [sent["seq"], first["seq"]]  # no hole
        assert items[0] == tombstone
        seen = await chat.api.get(f"/api/conversations/{conversation['id']}", as_=user)
        assert seen["last_message"] == tombstone
    async with db.connection() as conn:
        mid = uuid.UUID(sent["id"])
        for table in ("message_edits", "message_reactions"):
            query = f"SELECT count(*) FROM {table} WHERE message_id = $1"  # noqa: S608
            assert await conn.fetchval(query, mid) == 0
    # The attachment went with it: the other participant can no longer open the file.
    assert (await chat.api.open_file(upload["url"], candidate)).status == 404
    # A tombstone cannot be edited or reacted to; taking back a reaction finds none.
    await edit(chat, recruiter, conversation, sent, "back", expect=409)
    await react(chat, candidate, conversation, sent, HEART, expect=409)
    await react(chat, candidate, conversation, sent, THUMBS, on=False)
    assert await last_rev(db, conversation) == 3


async def test_reactions_count_who_reacted_in_order(chat, pair, hiring, db):
    recruiter, candidate, conversation = pair
    third = hiring.admin
    await chat.api.post(
        f"/api/conversations/{conversation['id']}/participants",
        {"user_id": str(third.id)},
        as_=candidate,
        expect=201,
    )
    sent = await chat.send(candidate, conversation, "I accept the offer")
    recorder = RecordingEvents.on(db)
    await react(chat, recruiter, conversation, sent, HEART)
    await react(chat, candidate, conversation, sent, THUMBS)
    answer = await react(chat, third, conversation, sent, HEART)
    assert answer["message_id"] == sent["id"] and answer["rev"] == 3
    assert answer["reactions"] == [
        {"emoji": HEART, "count": 2, "user_ids": [str(recruiter.id), str(third.id)]},
        {"emoji": THUMBS, "count": 1, "user_ids": [str(candidate.id)]},
    ]
    # Reacting again, or taking back a reaction never made: 200, nothing changes.
    assert await react(chat, recruiter, conversation, sent, HEART) == answer
    assert await react(chat, recruiter, conversation, sent, THUMBS, on=False) == answer
    events = changed_events(recorder)
    assert [e["change"] for e in events] == ["reaction"] * 3
    assert [e["message"]["rev"] for e in events] == [1, 2, 3]
    assert len(events[-1]["user_ids"]) == 3

    taken_back = await react(chat, recruiter, conversation, sent, HEART, on=False)
    assert taken_back["rev"] == 4
    # The order is by each emoji's first reaction among those still there.
    assert taken_back["reactions"] == [
        {"emoji": THUMBS, "count": 1, "user_ids": [str(candidate.id)]},
        {"emoji": HEART, "count": 1, "user_ids": [str(third.id)]},
    ]
    [listed] = [
        m for m in (await chat.history(candidate, conversation))["items"] if m["id"] == sent["id"]
    ]
    assert listed["reactions"] == taken_back["reactions"] and listed["rev"] == 4


async def test_the_heart_without_its_variation_selector_is_the_same_reaction(chat, pair):
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "hi")
    await react(chat, candidate, conversation, sent, "\u2764")
    answer = await react(chat, candidate, conversation, sent, HEART)
    assert answer["reactions"] == [{"emoji": HEART, "count": 1, "user_ids": [str(candidate.id)]}]


@pytest.mark.parametrize("emoji", ["🦄", "a", "👍👍", "%F0"])
async def test_an_emoji_outside_the_set_is_422_and_changes_nothing(chat, pair, db, emoji):
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "hi")
    path = f"{message_path(conversation, sent)}/reactions/{urllib.parse.quote(emoji)}"
    problem = await chat.api.call("PUT", path, as_=candidate, expect=422)
    assert problem["errors"][0]["field"] == "path.emoji"
    assert await last_rev(db, conversation) == 0


def test_the_set_is_a_dozen_distinct_emoji():
    assert 10 <= len(EMOJI) <= 16 and len(set(EMOJI)) == len(EMOJI)


async def test_changes_count_against_the_send_limit(chat, pair, api, db):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "hi")
    limiter = api.client.app[SEND_LIMITER]
    limiter.burst, limiter.rate = 2, 0.001  # two tokens, and next to no refill
    await react(chat, recruiter, conversation, sent, THUMBS)
    await edit(chat, recruiter, conversation, sent, "hi!")
    await react(chat, recruiter, conversation, sent, HEART, expect=429)
    await edit(chat, recruiter, conversation, sent, "hi!!", expect=429)
    await delete(chat, recruiter, conversation, sent, expect=429)
    assert await last_rev(db, conversation) == 2


async def test_a_retried_send_answers_with_the_message_as_it_is_now(chat, pair):
    recruiter, _, conversation = pair
    sent = await chat.send(recruiter, conversation, "Helo", client_msg_id="k1")
    edited = await edit(chat, recruiter, conversation, sent, "Hello")
    retried = await chat.send(recruiter, conversation, "Helo", client_msg_id="k1", expect=200)
    assert retried == edited


async def test_the_conversation_carries_its_change_counter(chat, pair):
    """A client's first rev cursor: the conversation's last_rev as listed and as fetched."""
    recruiter, candidate, conversation = pair
    sent = await chat.send(recruiter, conversation, "hello")
    path = f"/api/conversations/{conversation['id']}"
    assert (await chat.api.get(path, as_=candidate))["last_rev"] == 0
    await react(chat, candidate, conversation, sent, THUMBS)
    await edit(chat, recruiter, conversation, sent, "hello there")
    assert (await chat.api.get(path, as_=candidate))["last_rev"] == 2
    [listed] = (await chat.api.get("/api/conversations", as_=candidate))["items"]
    assert listed["last_rev"] == 2


async def test_sync_returns_changes_to_held_messages_oldest_change_first(chat, pair, db):
    recruiter, candidate, conversation = pair
    cid = conversation["id"]
    held = [await chat.send(recruiter, conversation, f"m{i}") for i in range(4)]
    await edit(chat, recruiter, conversation, held[2], "m2 edited")  # rev 1
    await react(chat, candidate, conversation, held[0], THUMBS)  # rev 2
    await delete(chat, recruiter, conversation, held[1])  # rev 3
    await edit(chat, recruiter, conversation, held[2], "m2 again")  # rev 4
    above = await chat.send(recruiter, conversation, "new")
    await edit(chat, recruiter, conversation, above, "new, edited")  # rev 5: above the cursor

    service = MessageService(db)
    answer = await service.sync(
        candidate.id, msgspec.convert({"cursors": {cid: 4}, "revs": {cid: 1}}, ChatSync)
    )
    [conv] = msgspec.to_builtins(answer)["conversations"]
    assert conv["last_rev"] == 5
    assert [(m["seq"], m["rev"]) for m in conv["changed"]] == [(1, 2), (2, 3), (3, 4)]
    assert conv["changed"][1]["deleted_at"] is not None
    assert conv["changed"][2]["content"] == "m2 again"
    assert conv["changed_more"] is False
    # Above the cursor a message comes in its latest state, not as a change.
    assert [(m["content"], m["rev"]) for m in conv["messages"]] == [("new, edited", 5)]

    paged = await service.sync(
        candidate.id,
        msgspec.convert({"cursors": {cid: 4}, "revs": {cid: 1}, "limit": 2}, ChatSync),
    )
    [conv] = msgspec.to_builtins(paged)["conversations"]
    assert [m["rev"] for m in conv["changed"]] == [2, 3] and conv["changed_more"] is True
    caught_up = await service.sync(
        candidate.id, msgspec.convert({"cursors": {cid: 5}, "revs": {cid: 5}}, ChatSync)
    )
    [conv] = msgspec.to_builtins(caught_up)["conversations"]
    assert conv["changed"] == [] and conv["messages"] == []


async def test_each_change_is_one_round_trip(chat, pair, db):
    """An edit, a reaction, a retry that changes nothing and a refused change each send
    PostgreSQL one statement (the stored function change_message, in its own implicit
    transaction): no BEGIN/COMMIT, no separate lock or read, no reset query."""
    from server.db import Database
    from server.errors import Forbidden
    from server.messaging.changes import ChangeService
    from server.messaging.schemas import MessageEdit

    recruiter, candidate, conversation = pair
    warm_up = await chat.send(recruiter, conversation, "first")
    sent = await chat.send(recruiter, conversation, "Helo")
    conversation_id, message_id = uuid.UUID(conversation["id"]), uuid.UUID(sent["id"])
    own = await Database.connect(db.dsn, min_size=1, max_size=1)  # one connection to watch
    try:
        statements: list[str] = []
        async with own.statement() as conn:
            conn.add_query_logger(lambda record: statements.append(record.query))
        changes = ChangeService(own)
        # The first call also has asyncpg look up the result's types, once per connection.
        await changes.edit(
            recruiter.id, conversation_id, uuid.UUID(warm_up["id"]), MessageEdit("First")
        )
        calls = [
            changes.edit(recruiter.id, conversation_id, message_id, MessageEdit("Hello")),
            changes.edit(recruiter.id, conversation_id, message_id, MessageEdit("Hello")),
            changes.react(candidate.id, conversation_id, message_id, THUMBS, True),
            changes.delete(candidate.id, conversation_id, message_id),  # not the sender
        ]
        for n, call in enumerate(calls):
            before = len(statements)
            if n == 3:
                with pytest.raises(Forbidden):
                    await call
            else:
                await call
            await wait_logged(statements, before + 1)
            assert len(statements) == before + 1, statements[before:]
            assert "change_message" in statements[-1]
    finally:
        await own.close()
    items = (await chat.history(recruiter, conversation))["items"]
    [listed] = [m for m in items if m["id"] == sent["id"]]
    assert listed["content"] == "Hello" and listed["rev"] == 3
    assert [r["emoji"] for r in listed["reactions"]] == [THUMBS]


async def wait_logged(statements: list[str], count: int) -> None:
    """asyncpg calls query loggers soon after the query; let them run."""
    for _ in range(10):
        if len(statements) >= count:
            return
        await asyncio.sleep(0)
