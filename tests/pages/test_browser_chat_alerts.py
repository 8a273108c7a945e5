"""In a real browser, on two server instances: a message reaches its reader wherever they
are on the site. On the job board they get a toast (sender, first line) and the *Messages*
badge (the test prints how soon after the send), with the count in the tab title; every
tab counts the same; clicking the toast opens the conversation, and reading it clears the
count in every tab."""

from __future__ import annotations

import re
import time

import pytest
from playwright.async_api import expect

from tests.messaging.live import two_instances
from tests.pages.conftest import Browser, hiring_setup
from tests.pages.instances import alerts_live, page_on
from tests.pages.test_browser_chat import conversation_between


@pytest.fixture
async def instances(database_url, redis_server_url, redis_prefix):
    async with two_instances(database_url, redis_server_url, redis_prefix) as pair:
        yield pair


async def test_a_message_alerts_its_reader_on_the_job_board_of_another_instance(
    browser: Browser, api, instances
):
    a, b = instances
    recruiter, student, conversation = await conversation_between(api, "Hello Sam!")
    cid = conversation["id"]
    rita = await page_on(browser, a, recruiter, f"/messages/{cid}")
    sam = await page_on(browser, b, student, "/jobs")
    await expect(rita.locator("#messages .message")).to_have_count(1)
    # Sam has not read Rita's first message: one unread conversation, counted on load.
    await alerts_live(sam)
    await expect(sam.locator("#messages-count")).to_have_text("1")
    await expect(sam).to_have_title("(1) Jobs · RizeOS")
    # A second tab of Sam's, on the other instance.
    gigs = await page_on(browser, a, student, "/gigs", context=sam.context)
    await alerts_live(gigs)
    await expect(gigs.locator("#messages-count")).to_have_text("1")

    # Reading it (opening the conversation) clears the count in every tab.
    reader = await page_on(browser, b, student, f"/messages/{cid}", context=sam.context)
    await expect(reader.locator("#messages .message .content")).to_have_text(["Hello Sam!"])
    await expect(sam.locator("#messages-count")).to_be_hidden()
    await expect(sam).to_have_title("Jobs · RizeOS")
    await expect(gigs.locator("#messages-count")).to_be_hidden()
    await reader.close()

    await rita.locator("#message-input").fill("Are you free on Monday?\nWe could talk at 10.")
    sent = time.monotonic()
    await rita.locator("#message-input").press("Enter")
    toast = sam.locator("#toasts a.toast")
    await expect(toast).to_be_visible()
    await expect(sam.locator("#messages-count")).to_have_text("1")
    # The "within a second" is a measured figure, not a timed assertion (a loaded CI
    # box must not turn a slow run red): it is printed, and docs/messaging.md quotes it.
    print(f"alert shown {time.monotonic() - sent:.3f} s after the send")
    await expect(toast).to_have_text(re.compile(r"^Rita Recruiter\s*Are you free on Monday\?$"))
    await expect(sam).to_have_title("(1) Jobs · RizeOS")
    await expect(gigs.locator("#messages-count")).to_have_text("1")
    await expect(gigs).to_have_title("(1) Gigs · RizeOS")

    # The toast opens the conversation; reading it there clears the badge everywhere.
    await toast.click()
    await sam.wait_for_url(f"**/messages?c={cid}")
    await expect(sam.locator("#messages .message .content").last).to_have_text(
        "Are you free on Monday?\nWe could talk at 10."
    )
    await expect(sam.locator("#messages-count")).to_be_hidden()
    await expect(sam).to_have_title("Messages · RizeOS")
    await expect(gigs.locator("#messages-count")).to_be_hidden()
    await expect(gigs).to_have_title("Gigs · RizeOS")

    # In the conversation they are looking at, a new message raises no toast (the thread
    # shows it); the sender never gets one for their own message.
    await rita.locator("#message-input").fill("See you then")
    await rita.locator("#message-input").press("Enter")
    await expect(sam.locator("#messages .message .content").last).to_have_text("See you then")
    await expect(gigs.locator("#toasts a.toast")).to_have_count(2)
    await expect(sam.locator("#toasts a.toast")).to_have_count(0)
    await expect(rita.locator("#toasts a.toast")).to_have_count(0)

    # A message while the tab is offline: counted as soon as it reconnects.
    await sam.close()
    await gigs.context.set_offline(True)
    await expect(gigs.locator("#offline-banner")).to_be_visible()
    await rita.locator("#message-input").fill("While you were away")
    await rita.locator("#message-input").press("Enter")
    await expect(rita.locator("#messages .message.mine:not(.pending)")).to_have_count(4)
    await expect(gigs.locator("#messages-count")).to_be_hidden()
    await gigs.context.set_offline(False)
    await expect(gigs.locator("#offline-banner")).to_be_hidden()
    await expect(gigs.locator("#messages-count")).to_have_text("1")
    await expect(gigs).to_have_title("(1) Gigs · RizeOS")
    browser.check()


async def test_a_muted_conversation_raises_no_toast_and_is_not_counted(browser: Browser, api):
    recruiter, student, muted = await conversation_between(api, "Hello Sam!")
    ray, _, job = await hiring_setup(api, title="Data Analyst", name="Ray Recruiter")
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    other = await api.post(
        "/api/conversations",
        {
            "participant_ids": [str(student.id)],
            "context": {"type": "application", "id": application["id"]},
            "message": {"content": "About the analyst role", "client_msg_id": "first"},
        },
        as_=ray,
        expect=201,
    )
    sam = await browser.page(student, f"/messages/{muted['id']}")
    await expect(sam.locator("#messages .message")).to_have_count(1)
    mute = sam.get_by_role("button", name="Mute")
    await mute.click()
    await expect(mute).to_have_attribute("aria-pressed", "true")
    await expect(mute).to_have_text("Muted")
    await sam.close()  # (an open conversation is read as it comes)

    board = await browser.page(student, "/jobs")
    await alerts_live(board)
    await expect(board.locator("#messages-count")).to_have_text("1")  # Ray's, unread
    await api.post(
        f"/api/conversations/{muted['id']}/messages",
        {"content": "Muted news"},
        as_=recruiter,
        expect=201,
    )
    await api.post(
        f"/api/conversations/{other['id']}/messages",
        {"content": "Are you still interested?"},
        as_=ray,
        expect=201,
    )
    # Ray's message comes after Rita's: once its toast is there, Rita's would have been too.
    toasts = board.locator("#toasts a.toast")
    await expect(toasts).to_have_count(1)
    await expect(toasts).to_contain_text("Ray Recruiter")
    await expect(board.locator("#messages-count")).to_have_text("1")
    await expect(board).to_have_title("(1) Jobs · RizeOS")

    # Unmuted (elsewhere), it counts again, live.
    await api.delete(f"/api/conversations/{muted['id']}/mute", as_=student, expect=200)
    await expect(board.locator("#messages-count")).to_have_text("2")
    await expect(board).to_have_title("(2) Jobs · RizeOS")
    browser.check()
