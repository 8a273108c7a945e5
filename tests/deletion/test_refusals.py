"""Every refusal of DELETE /api/me is a clear 4xx that changes nothing; re-authentication."""

from __future__ import annotations

import uuid

from tests.client import PASSWORD
from tests.deletion.conftest import delete_body, snapshot


async def refused(api, db, user, body, status: int) -> dict:
    before = await snapshot(db, user.id)
    problem = await api.call("DELETE", "/api/me", as_=user, json=body, expect=status)
    assert await snapshot(db, user.id) == before
    await api.get("/api/me", as_=user, expect=200)  # still signed in
    return problem


async def test_a_confirmation_that_is_not_the_email_is_refused_on_its_field(api, db, leaver):
    body = {**await delete_body(leaver.user), "confirm": "someone@else.example"}
    problem = await refused(api, db, leaver.user, body, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.confirm"]


async def test_a_wrong_or_missing_password_is_refused_on_its_field(api, db, leaver):
    body = await delete_body(leaver.user, "not the password")
    problem = await refused(api, db, leaver.user, body, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.password"]
    problem = await refused(api, db, leaver.user, {"confirm": leaver.user.email}, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.password"]


async def test_the_last_admin_of_an_organization_is_told_to_hand_over_first(api, db, leaver):
    # The co-admin leaves: the leaver is now the company's only admin.
    memberships = await api.get("/api/me/memberships", as_=leaver.co_admin, expect=200)
    [mine] = memberships["items"]
    await api.post(f"/api/memberships/{mine['id']}/leave", as_=leaver.co_admin, expect=200)
    problem = await refused(api, db, leaver.user, await delete_body(leaver.user), 409)
    assert "last admin of Leaver & Co" in problem["detail"]
    check = await api.get("/api/me/deletion", as_=leaver.user, expect=200)
    assert [o["name"] for o in check["last_admin_of"]] == ["Leaver & Co"]


async def test_an_open_order_must_be_finished_first(api, db, leaver):
    gig = await api.gig(leaver.other, title="Another gig for an open order")
    order = await api.order(leaver.user, gig["id"])
    problem = await refused(api, db, leaver.user, await delete_body(leaver.user), 409)
    assert "1 open order" in problem["detail"] and "requested" in problem["detail"]
    check = await api.get("/api/me/deletion", as_=leaver.user, expect=200)
    assert [o["id"] for o in check["open_orders"]] == [order["id"]]
    # As the seller too: someone orders from the leaver's gig.
    await api.order_action(leaver.user, order["id"], "cancel", {"reason": "changed my mind"})
    mine = await api.gig(leaver.user, title="The leaver's second gig")
    await api.order(leaver.other, mine["id"])
    await refused(api, db, leaver.user, await delete_body(leaver.user), 409)


async def make_passwordless(db, user_id: uuid.UUID) -> None:
    """An account made by signing in with an identity provider has no password."""
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user_id)
        await conn.execute(
            "INSERT INTO user_identities (user_id, provider, subject, email, email_verified)"
            " VALUES ($1, 'acme_id', 'sub-1', 'x@example.com', TRUE)",
            user_id,
        )
        await conn.execute(
            "UPDATE sessions SET authenticated_at = now() - interval '11 minutes'"
            " WHERE user_id = $1",
            user_id,
        )


async def test_a_passwordless_account_must_have_reauthenticated_recently(api, db, leaver):
    await make_passwordless(db, leaver.user.id)
    check = await api.get("/api/me/deletion", as_=leaver.user, expect=200)
    assert check["has_password"] is False and check["providers"] == ["acme_id"]
    assert check["reauthenticated_until"] is None
    problem = await refused(api, db, leaver.user, {"confirm": leaver.user.email}, 403)
    assert "/api/auth/oidc/acme_id/start?intent=reauth&next=/settings/account" in problem["detail"]
    # Re-authenticated with the provider (what the provider's reauth callback does): now it may.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE sessions SET authenticated_at = now() WHERE user_id = $1", leaver.user.id
        )
    check = await api.get("/api/me/deletion", as_=leaver.user, expect=200)
    assert check["reauthenticated_until"] is not None
    await api.call(
        "DELETE", "/api/me", as_=leaver.user, json={"confirm": leaver.user.email}, expect=204
    )


async def test_reauthenticate_stamps_the_session_with_the_right_password_only(api, db):
    user = await api.sign_up()
    problem = await api.post(
        "/api/me/reauthenticate", {"password": "wrong password"}, as_=user, expect=422
    )
    assert [e["field"] for e in problem["errors"]] == ["body.password"]
    async with db.connection() as conn:
        before = await conn.fetchval(
            "SELECT authenticated_at FROM sessions WHERE user_id = $1", user.id
        )
    done = await api.post("/api/me/reauthenticate", {"password": PASSWORD}, as_=user, expect=200)
    async with db.connection() as conn:
        after = await conn.fetchval(
            "SELECT authenticated_at FROM sessions WHERE user_id = $1", user.id
        )
    assert after > before
    assert done["valid_until"] > done["authenticated_at"]


async def test_a_passwordless_account_cannot_reauthenticate_with_a_password(api, db):
    user = await api.sign_up()
    await make_passwordless(db, user.id)
    await api.post("/api/me/reauthenticate", {"password": PASSWORD}, as_=user, expect=409)


async def test_deletion_routes_need_a_signed_in_caller(api):
    await api.call("DELETE", "/api/me", json={"confirm": "a@b.example"}, expect=401)
    await api.post("/api/me/reauthenticate", {"password": "x"}, expect=401)
    await api.get("/api/me/deletion", expect=401)


async def test_nobody_can_take_a_tombstone_address_and_so_block_a_deletion(api, db, leaver):
    # User ids are public (people pages): the address a deletion will give the account is
    # known in advance. Taking it first must not make that deletion fail.
    taken = f"deleted+{leaver.user.id}@deleted.invalid"
    body = {"email": taken.upper(), "password": PASSWORD, "roles": ["student"]}
    taking = await api.call("POST", "/api/auth/signup", json=body)
    changing = await api.call(
        "POST",
        "/api/me/email",
        as_=leaver.other,
        json={"new_email": taken, "current_password": PASSWORD},
    )
    await api.call(
        "DELETE", "/api/me", as_=leaver.user, json=await delete_body(leaver.user), expect=204
    )
    assert [e["field"] for e in taking["errors"]] == ["body.email"], taking
    assert [e["field"] for e in changing["errors"]] == ["body.new_email"], changing
