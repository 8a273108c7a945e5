"""Adding and removing participants over REST, and the per-user send rate limit."""

from __future__ import annotations


def participants_path(conversation: dict) -> str:
    return f"/api/conversations/{conversation['id']}/participants"


async def test_a_participant_is_added_under_the_contexts_start_policy(api, chat, hiring, pair):
    recruiter, candidate, conversation = pair
    path = participants_path(conversation)
    # The candidate may talk with the company's admin about the application: added once.
    added = await api.post(path, {"user_id": str(hiring.admin.id)}, as_=candidate, expect=201)
    assert {p["id"] for p in added["participants"]} == {
        str(recruiter.id),
        str(candidate.id),
        str(hiring.admin.id),
    }
    again = await api.post(path, {"user_id": str(hiring.admin.id)}, as_=recruiter, expect=200)
    assert len(again["participants"]) == 3
    # A recruiter talks with the candidate, not with colleagues, about an application.
    colleague = await api.sign_up(["employer"])
    await chat.add_member(hiring.company, hiring.admin, colleague, "recruiter")
    await api.post(path, {"user_id": str(colleague.id)}, as_=recruiter, expect=403)
    stranger = await api.sign_up()
    await api.post(path, {"user_id": str(stranger.id)}, as_=candidate, expect=403)
    # Someone outside the conversation learns nothing of it.
    await api.post(path, {"user_id": str(stranger.id)}, as_=stranger, expect=404)
    await api.post(path, {"user": "x"}, as_=candidate, expect=422)
    # The newcomer sees the history.
    await chat.send(recruiter, conversation, "welcome")
    assert (await chat.history(hiring.admin, conversation))["items"][0]["content"] == "welcome"


async def test_anyone_may_leave_and_only_the_starter_removes_others(api, chat, hiring, pair):
    recruiter, candidate, conversation = pair  # started by the recruiter
    path = participants_path(conversation)
    await api.post(path, {"user_id": str(hiring.admin.id)}, as_=candidate, expect=201)
    await api.delete(f"{path}/{hiring.admin.id}", as_=candidate, expect=403)
    await api.delete(f"{path}/{hiring.admin.id}", as_=recruiter, expect=204)
    await api.delete(f"{path}/{hiring.admin.id}", as_=recruiter, expect=404)
    # The removed user is answered as any outsider is, on every route.
    await chat.history(hiring.admin, conversation, expect=404)
    await chat.send(hiring.admin, conversation, expect=404)
    await chat.read(hiring.admin, conversation, 0, expect=404)
    await api.get(f"/api/conversations/{conversation['id']}", as_=hiring.admin, expect=404)
    listed = await api.get("/api/conversations", as_=hiring.admin)
    assert conversation["id"] not in [c["id"] for c in listed["items"]]
    # Leaving is always allowed.
    await api.delete(f"{path}/{candidate.id}", as_=candidate, expect=204)
    view = await api.get(f"/api/conversations/{conversation['id']}", as_=recruiter)
    assert [p["id"] for p in view["participants"]] == [str(recruiter.id)]


async def test_sending_too_fast_is_refused_with_429(api, chat, pair):
    recruiter, _, conversation = pair
    path = f"/api/conversations/{conversation['id']}/messages"
    for i in range(300):
        response = await api.client.post(path, json={"content": f"m{i}"}, headers=recruiter.headers)
        if response.status != 201:
            break
    assert response.status == 429
    problem = await response.json(content_type=None)
    assert problem["status"] == 429 and "too many messages" in problem["detail"]
    # A refused send stored nothing.
    counts = await chat.counts()
    assert counts["messages"] == i
