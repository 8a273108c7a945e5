"""In a real browser: message search finds an old message (highlighted, its text shown as
text whatever it holds) and opens the conversation at it, scrolled to and marked; the
conversation header says what it is about; "New conversation" offers only people the user
may message and starts one."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.pages.conftest import Browser, hiring_setup
from tests.pages.test_browser_chat import conversation_between

NEEDLE = "Bring your portfolio <b>review</b> & notes"


async def test_search_finds_an_old_message_and_opens_the_conversation_at_it(browser: Browser, api):
    recruiter, student, conversation = await conversation_between(api, "Welcome!")
    url = f"/api/conversations/{conversation['id']}/messages"
    for n in range(2, 46):  # two senders: each stays under the per-user send burst
        sender = recruiter if n % 2 else student
        text = NEEDLE if n == 3 else f"message {n}"
        await api.post(url, {"content": text}, as_=sender, expect=201)
    sam = await browser.page(student, "/messages")
    await expect(sam.locator("#conversation-list li a")).to_have_count(1)

    search = sam.get_by_role("searchbox", name="Search messages")
    await search.fill("portfolio")
    await search.press("Enter")
    results = sam.locator("#search-list li")
    await expect(results).to_have_count(1)
    await expect(sam.locator("#search-summary")).to_have_text("1 message with “portfolio”")
    await expect(results.locator("mark")).to_have_text(["portfolio"])
    # The message's own markup stays text.
    await expect(results.locator(".result-text")).to_have_text(NEEDLE)
    await expect(results.locator("b")).to_have_count(0)
    await expect(results).to_contain_text("Rita Recruiter")

    await results.get_by_role("link").click()
    await sam.wait_for_url(re.compile(rf"/messages/{conversation['id']}\?m=3$"))
    found = sam.locator("#messages .message.found")
    await expect(found.locator(".content")).to_have_text(NEEDLE)
    await expect(found).to_be_in_viewport()
    await expect(found).to_be_focused()
    # The page around it, not the latest page: newer ones load on scrolling down.
    messages = sam.locator("#messages .message .content")
    await expect(messages.first).to_have_text("Welcome!")
    await sam.locator("#messages").evaluate("node => { node.scrollTop = node.scrollHeight; }")
    await expect(messages.last).to_have_text("message 45")
    await expect(messages).to_have_count(45)

    # A blank or wordless query is a field error, not a request that fails.
    await sam.goto("/messages")
    search = sam.get_by_role("searchbox", name="Search messages")
    await search.fill("!!")
    await search.press("Enter")
    await expect(sam.locator("#search-error")).to_contain_text("letter or a digit")
    await expect(search).to_have_attribute("aria-invalid", "true")
    browser.check()


async def test_the_header_says_what_the_conversation_is_about_and_new_ones_start_from_people(
    browser: Browser, api
):
    recruiter, _, job = await hiring_setup(api, title="Backend Intern")
    student = await api.sign_up(["student"], full_name="Sam Student")
    await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student, expect=201)
    await api.sign_up(["student"], full_name="Sid Stranger")

    rita = await browser.page(recruiter, "/messages")
    await rita.get_by_role("button", name="New conversation").click()
    to = rita.get_by_role("searchbox", name="To")
    # Only her applicant is offered, not someone she has no context with.
    await expect(rita.locator("#people-results .person")).to_have_count(1)
    await expect(rita.locator("#people-results")).not_to_contain_text("Sid Stranger")
    await to.fill("Sid")
    await expect(rita.locator("#people-results")).to_contain_text("Nobody you may message")
    await rita.get_by_role("button", name="Start conversation").click()
    await expect(rita.locator("#new-conversation-form .field-error")).to_have_text(
        ["Pick someone from the list.", "Write a first message."]
    )
    await to.fill("Sam")
    person = rita.locator("#people-results .person")
    await expect(person).to_have_count(1)
    await expect(person).to_contain_text("Sam Student")
    await expect(person).to_contain_text("Backend Intern")
    await person.click()
    await rita.get_by_label("First message").fill("Hi Sam, shall we talk?")
    await rita.get_by_role("button", name="Start conversation").click()
    await rita.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}$"))
    await expect(rita.locator("#conversation-title")).to_have_text("Sam Student")
    await expect(rita.locator("#messages .message .content")).to_have_text(
        ["Hi Sam, shall we talk?"]
    )
    about = rita.locator("#conversation-about")
    await expect(about).to_contain_text("Backend Intern")
    await expect(about.get_by_role("link")).to_have_attribute(
        "href", f"/jobs/{job['id']}/applicants"
    )
    browser.check()
