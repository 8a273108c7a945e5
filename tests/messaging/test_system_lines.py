"""An order's conversation and the system lines posted in it (issue 16, server/messaging/
system.py): how they are stored (seq, idempotency, read markers, unread counts), how they
reach the participants (the live `message` event after the commit, history, sync,
search), that nobody can change them, and the order context's start policy."""

from __future__ import annotations

import uuid

import pytest

from server.messaging.system import open_order_conversation, post_system_line
from tests.live_events import RecordingEvents
from tests.messaging.changes import delete, edit, react
from tests.messaging.live import ChatSocket, messages_of

UNREAD = "/api/me/unread"


class Boom(Exception):
    pass


async def order_conversation(db, buyer, seller, gig_title: str = "Logo design") -> uuid.UUID:
    """An order's conversation, opened the way server/orders/ opens it: in the order's own
    transaction, with the order row (inserted here directly: this tests messaging only)."""
    order_id = uuid.uuid4()
    async with db.transaction() as tx:
        conversation_id = await open_order_conversation(
            db, tx, order_id=order_id, buyer_id=buyer.id, seller_id=seller.id
        )
        await tx.conn.execute(
            """INSERT INTO orders (id, buyer_id, seller_id, gig_title, tier, tier_description,
                                   price, currency, delivery_days, revisions_allowed,
                                   requirements, conversation_id)
               VALUES ($1, $2, $3, $4, 'basic', 'One logo', 5000, 'USD', 3, 1, 'A fox', $5)""",
            order_id,
            buyer.id,
            seller.id,
            gig_title,
            conversation_id,
        )
    return conversation_id


async def post(db, conversation_id, sender, text, key, mark_read=True) -> None:
    async with db.transaction() as tx:
        await post_system_line(
            db,
            tx,
            conversation_id=conversation_id,
            sender_id=sender.id,
            text=text,
            key=key,
            mark_read=mark_read,
        )


async def unread(api, user) -> int:
    return (await api.get(UNREAD, as_=user, expect=200))["conversations"]


async def read_markers(db, conversation_id) -> dict[uuid.UUID, int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT user_id, last_read_seq FROM conversation_participants"
            " WHERE conversation_id = $1",
            conversation_id,
        )
    return {row["user_id"]: row["last_read_seq"] for row in rows}


@pytest.fixture
async def parties(api):
    buyer = await api.sign_up(["professional"], full_name="Bea Buyer")
    seller = await api.sign_up(["freelancer"], full_name="Sam Seller")
    return buyer, seller


def socket_url(api) -> str:
    return str(api.client.make_url("")).rstrip("/")


async def test_an_order_conversation_is_the_buyer_and_seller_titled_after_the_order(
    api, db, parties
):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller, "Logo design")
    for user in (buyer, seller):
        seen = await api.get(f"/api/conversations/{conversation_id}", as_=user)
        assert seen["context"]["type"] == "order"
        assert seen["created_by"] == str(buyer.id)
        assert {p["id"] for p in seen["participants"]} == {str(buyer.id), str(seller.id)}
        assert seen["about"]["title"] == "Order: Logo design"
        assert seen["about"]["url"] == f"/orders/{seen['context']['id']}"
        assert seen["last_seq"] == 0 and seen["last_message"] is None
    listed = await api.get("/api/conversations", as_=seller)
    assert [c["about"]["title"] for c in listed["items"]] == ["Order: Logo design"]
    outsider = await api.sign_up()
    await api.get(f"/api/conversations/{conversation_id}", as_=outsider, expect=404)


async def test_a_system_line_reaches_both_parties_live_after_the_commit_and_reads_back(
    api, db, parties
):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    url = socket_url(api)
    buyer_sock = await ChatSocket.connect(url, buyer)
    seller_sock = await ChatSocket.connect(url, seller)
    try:
        await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
        [(_, live)] = await buyer_sock.wait_for(1, "message")
        [(_, seller_live)] = await seller_sock.wait_for(1, "message")
    finally:
        await buyer_sock.close()
        await seller_sock.close()
    assert live == seller_live
    assert live["kind"] == "system"
    assert live["content"] == "Sam accepted the order."
    assert live["seq"] == 1 and live["sender_id"] == str(seller.id)
    assert live["conversation_id"] == str(conversation_id)
    assert live["attachment_url"] is None and live["reactions"] == [] and live["rev"] == 0
    # the payload of any other message, plus kind
    sent = await api.post(
        f"/api/conversations/{conversation_id}/messages", {"content": "Thanks!"}, as_=buyer
    )
    assert set(sent) == set(live) and sent["kind"] == "text" and sent["seq"] == 2

    history = await api.get(f"/api/conversations/{conversation_id}/messages", as_=buyer)
    assert [m["kind"] for m in history["items"]] == ["text", "system"]
    assert history["items"][1] == live
    sync = await api.client.get("/api/conversations", headers=buyer.headers)
    assert (await sync.json())["items"][0]["last_message"]["kind"] == "text"


async def test_a_system_line_is_in_sync_and_search_with_its_kind(api, db, parties):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    await post(db, conversation_id, seller, "Sam delivered the order.", "deliver-1")
    url = socket_url(api)
    sock = await ChatSocket.connect(url, buyer)
    try:
        ack = await sock.call("sync", {"cursors": {}})
    finally:
        await sock.close()
    [synced] = ack["conversations"]
    assert [m["kind"] for m in synced["messages"]] == ["system"]
    found = await api.get("/api/messages/search", as_=buyer, params={"q": "delivered"})
    [hit] = found["items"]
    assert hit["message"]["kind"] == "system" and hit["conversation_id"] == str(conversation_id)


async def test_the_same_key_posts_once(api, db, parties):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    recorder = RecordingEvents.on(db)
    await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
    await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
    history = await api.get(f"/api/conversations/{conversation_id}/messages", as_=buyer)
    assert len(history["items"]) == 1
    assert len(recorder.live("message")) == 1
    # the key is the sender's: another sender's line with the same key is another line
    await post(db, conversation_id, buyer, "Bea asked for a revision.", "accept-1")
    seen = await api.get(f"/api/conversations/{conversation_id}", as_=buyer)
    assert seen["last_seq"] == 2
    # a key longer than the column is kept as its digest: still once per key
    long_key = "order:" + "x" * 100
    await post(db, conversation_id, seller, "Sam delivered the order.", long_key)
    await post(db, conversation_id, seller, "Sam delivered the order.", long_key)
    await post(db, conversation_id, seller, "Sam delivered again.", long_key + "y")
    seen = await api.get(f"/api/conversations/{conversation_id}", as_=buyer)
    assert seen["last_seq"] == 4
    # a client cannot take a system line's key: its client_msg_ids cannot hold a space
    stored = history["items"][0]["client_msg_id"]
    assert " " in stored
    await api.post(
        f"/api/conversations/{conversation_id}/messages",
        {"content": "x", "client_msg_id": stored},
        as_=seller,
        expect=422,
    )


async def test_a_rolled_back_transaction_posts_nothing_and_announces_nothing(api, db, parties):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    recorder = RecordingEvents.on(db)
    with pytest.raises(Boom):
        async with db.transaction() as tx:
            await post_system_line(
                db,
                tx,
                conversation_id=conversation_id,
                sender_id=seller.id,
                text="Sam accepted the order.",
                key="accept-1",
                mark_read=True,
            )
            raise Boom
    assert recorder.items == []
    seen = await api.get(f"/api/conversations/{conversation_id}", as_=buyer)
    assert seen["last_seq"] == 0
    # the key was not spent
    await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
    seen = await api.get(f"/api/conversations/{conversation_id}", as_=buyer)
    assert seen["last_seq"] == 1


async def test_unread_counts_and_the_senders_read_marker(api, db, parties):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    recorder = RecordingEvents.on(db)
    await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
    # the actor has read their own line; the other party has one unread conversation
    assert await read_markers(db, conversation_id) == {buyer.id: 0, seller.id: 1}
    assert await unread(api, seller) == 0
    assert await unread(api, buyer) == 1
    [event] = [e for e in recorder.live("unread") if list(e.user_ids) == [buyer.id]]
    assert event.payload.conversations == 1

    # a sender who had not read everything keeps their unread messages unread
    await api.post(
        f"/api/conversations/{conversation_id}/messages", {"content": "Great"}, as_=buyer
    )
    await post(db, conversation_id, seller, "Sam delivered the order.", "deliver-1")
    assert await read_markers(db, conversation_id) == {buyer.id: 2, seller.id: 1}
    assert await unread(api, seller) == 1

    # mark_read=False (a line the platform posts on the buyer's behalf): nobody has read it
    await api.post(f"/api/conversations/{conversation_id}/read", {"seq": 3}, as_=seller)
    await post(
        db, conversation_id, buyer, "The order completed by itself.", "auto-1", mark_read=False
    )
    assert await read_markers(db, conversation_id) == {buyer.id: 2, seller.id: 3}
    assert await unread(api, buyer) == 1 and await unread(api, seller) == 1


async def test_nobody_can_edit_delete_or_react_to_a_system_line(api, db, parties, chat):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
    conversation = {"id": str(conversation_id)}
    [line] = (await api.get(f"/api/conversations/{conversation_id}/messages", as_=seller))["items"]
    recorder = RecordingEvents.on(db)
    for user in (seller, buyer):
        await edit(chat, user, conversation, line, "Changed", expect=409)
        await delete(chat, user, conversation, line, expect=409)
        await react(chat, user, conversation, line, "👍", expect=409)
        await react(chat, user, conversation, line, "👍", on=False, expect=409)
    sock = await ChatSocket.connect(socket_url(api), seller)
    try:
        ids = {"conversation_id": str(conversation_id), "message_id": line["id"]}
        for event, data in (
            ("edit", {**ids, "content": "Changed"}),
            ("delete", ids),
            ("react", {**ids, "emoji": "👍", "on": True}),
        ):
            ack = await sock.call(event, data)
            assert ack["error"]["code"] == "conflict", ack
            assert "system line" in ack["error"]["message"]
    finally:
        await sock.close()
    [after] = (await api.get(f"/api/conversations/{conversation_id}/messages", as_=seller))["items"]
    assert after == line
    assert recorder.live("message_changed") == []
    seen = await api.get(f"/api/conversations/{conversation_id}", as_=seller)
    assert seen["last_rev"] == 0


async def test_an_order_conversation_cannot_be_started_joined_or_left(api, db, parties, chat):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    order_id = (await api.get(f"/api/conversations/{conversation_id}", as_=buyer))["context"]["id"]
    before = await chat.counts()
    refused = await chat.start(buyer, [seller], "order", order_id, expect=403)
    assert "opened with the order" in refused["detail"]
    await chat.start(buyer, [seller], "order", uuid.uuid4(), expect=403)
    third = await api.sign_up()
    path = f"/api/conversations/{conversation_id}/participants"
    refused = await api.post(path, {"user_id": str(third.id)}, as_=buyer, expect=403)
    assert "nobody can be added" in refused["detail"]
    await api.delete(f"{path}/{buyer.id}", as_=buyer, expect=403)
    await api.delete(f"{path}/{seller.id}", as_=buyer, expect=403)
    assert await chat.counts() == before
    # an outsider still learns nothing of it
    await api.post(path, {"user_id": str(third.id)}, as_=third, expect=404)


async def test_a_live_message_event_is_the_one_sent_for_text_messages(api, db, parties):
    buyer, seller = parties
    conversation_id = await order_conversation(db, buyer, seller)
    sock = await ChatSocket.connect(socket_url(api), buyer)
    try:
        await post(db, conversation_id, seller, "Sam accepted the order.", "accept-1")
        await api.post(
            f"/api/conversations/{conversation_id}/messages", {"content": "hi"}, as_=seller
        )
        received = await sock.wait_for(2, "message")
    finally:
        await sock.close()
    kinds = [m["kind"] for m in messages_of(received, conversation_id)]
    assert kinds == ["system", "text"]
