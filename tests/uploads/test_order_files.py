"""Order files (purpose `order_file`, issue 16): a buyer's requirements attachments and a
seller's delivered files. Private: the owner, and the buyer and seller of an order whose
attachments or deliveries' files carry the file, open it; everyone else gets the same 404
as for a file that does not exist."""

from __future__ import annotations

import uuid

from tests.uploads.test_files import assert_hidden, assert_opens


def item(upload: dict) -> dict:
    """The JSON an order keeps for a file: {url, filename, content_type, size}."""
    return {k: upload[k] for k in ("url", "filename", "content_type", "size")}


async def insert_order(db, buyer, seller, attachments: list[dict]) -> uuid.UUID:
    """An order row as server/orders/ stores it (inserted directly: this tests uploads)."""
    async with db.connection() as conn:
        return await conn.fetchval(
            """INSERT INTO orders (buyer_id, seller_id, gig_title, tier, tier_description, price,
                                   currency, delivery_days, revisions_allowed, requirements,
                                   attachments)
               VALUES ($1, $2, 'Logo design', 'basic', 'One logo', 5000, 'USD', 3, 1,
                       'A fox', $3)
               RETURNING id""",
            buyer.id,
            seller.id,
            attachments,
        )


async def insert_delivery(db, order_id, number: int, files: list[dict]) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO order_deliveries (order_id, number, message, files)"
            " VALUES ($1, $2, 'Here it is', $3)",
            order_id,
            number,
            files,
        )


async def test_requirements_attachments_open_for_the_orders_buyer_and_seller(api, db):
    buyer, seller = await api.sign_up(["professional"]), await api.sign_up(["freelancer"])
    stranger = await api.sign_up(["professional"])
    brief = await api.upload(buyer, "order_file", b"%PDF brief")
    assert brief["purpose"] == "order_file"
    # Not on an order yet: only its owner opens it.
    await assert_opens(api, brief["url"], buyer, b"%PDF brief")
    await assert_hidden(api, brief["url"], seller)

    await insert_order(db, buyer, seller, [item(brief)])
    await assert_opens(api, brief["url"], seller, b"%PDF brief")
    await assert_opens(api, brief["url"], buyer)
    for user in (stranger, None):
        await assert_hidden(api, brief["url"], user)


async def test_delivered_files_open_for_the_orders_parties_only(api, db):
    buyer, seller = await api.sign_up(["professional"]), await api.sign_up(["freelancer"])
    other_buyer = await api.sign_up(["professional"])
    first = await api.upload(
        seller, "order_file", b"\x89PNG first", content_type="image/png", filename="logo-v1.png"
    )
    second = await api.upload(
        seller, "order_file", b"\x89PNG second", content_type="image/png", filename="logo-v2.png"
    )
    order_id = await insert_order(db, buyer, seller, [])
    # The seller's other order, with someone else: it does not make these files theirs.
    await insert_order(db, other_buyer, seller, [])
    await insert_delivery(db, order_id, 1, [item(first)])
    await assert_opens(api, first["url"], buyer, b"\x89PNG first")
    await assert_hidden(api, second["url"], buyer)  # not delivered (yet)
    await insert_delivery(db, order_id, 2, [item(first), item(second)])
    await assert_opens(api, second["url"], buyer, b"\x89PNG second")
    for url in (first["url"], second["url"]):
        await assert_opens(api, url, seller)
        await assert_hidden(api, url, other_buyer)
        await assert_hidden(api, url, None)


async def test_another_purposes_file_on_an_order_stays_private_to_its_rules(api, db):
    """Only order_file uploads are opened through orders: a chat attachment put into an
    order's JSON by hand does not become readable to the order's other party."""
    buyer, seller = await api.sign_up(["professional"]), await api.sign_up(["freelancer"])
    attachment = await api.upload(buyer, "message_attachment", b"%PDF notes")
    await insert_order(db, buyer, seller, [item(attachment)])
    await assert_hidden(api, attachment["url"], seller)
