"""Every page over plain HTTP: who gets it, who is sent to log in, the security headers, and
no 500 for anything a visitor can put in a URL."""

from __future__ import annotations

import uuid

from tests.pages.conftest import hiring_setup

PUBLIC = ["/", "/signup", "/login", "/forgot-password", "/jobs", "/gigs", "/verify-email"]
PUBLIC.append("/confirm-email")  # issue 17: the link mailed to a new address
PRIVATE = [
    "/welcome",
    "/welcome/roles",
    "/onboarding",
    "/profile",
    "/applications",
    "/hiring",
    "/companies/new",
    "/jobs/new",
    "/freelance",
    "/gigs/new",
    "/messages",
    "/organizations",
    "/me/orders?role=buyer",
    "/me/orders?role=seller",
]


def cookie(user) -> dict[str, str]:
    return {"Cookie": f"rizeos_session={user.token}"}


async def get(api, path: str, user=None):
    response = await api.client.get(
        path, headers=cookie(user) if user else {}, allow_redirects=False
    )
    await response.read()
    return response


def assert_page_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "connect-src 'self' ws://" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_public_pages_render_for_anyone_with_the_policy(api):
    for path in PUBLIC:
        response = await get(api, path)
        assert response.status == 200, path
        assert response.content_type == "text/html"
        assert_page_headers(response)


async def test_private_pages_send_anonymous_visitors_to_log_in(api):
    for path in PRIVATE:
        response = await get(api, path)
        assert response.status == 302, path
        assert response.headers["Location"].startswith("/login?next=%2F"), path
        assert_page_headers(response)


async def test_every_page_renders_for_the_right_user(api):
    recruiter, company, job = await hiring_setup(api)
    student = await api.sign_up(["student", "freelancer"], full_name="Sam")
    application = await api.post(f"/api/jobs/{job['id']}/applications", {}, as_=student)
    gig = await api.post(
        "/api/gigs",
        {
            "title": "Logo design",
            "description": "Vector logos",
            "pricing_tiers": {
                "basic": {"price": 500, "currency": "EUR", "delivery_days": 2, "description": "1"}
            },
        },
        as_=student,
        expect=201,
    )
    start = {"participant_ids": [str(student.id)], "context": {"type": "application"}}
    start["context"]["id"] = application["id"]
    conversation = await api.post("/api/conversations", start, as_=recruiter, expect=201)

    for path in [
        *PRIVATE,
        f"/messages/{conversation['id']}",
        f"/people/{recruiter.id}",
        f"/gigs/{gig['id']}/edit",
        f"/jobs/{job['id']}",
        f"/gigs/{gig['id']}",
        f"/companies/{company['id']}",
    ]:
        response = await get(api, path, student)
        assert response.status in (200, 302), path
        assert_page_headers(response)
    for path in (
        f"/jobs/{job['id']}/applicants",
        "/hiring",
        f"/jobs/new?company_id={company['id']}",
        f"/organizations/{company['id']}/members",
        f"/jobs/{job['id']}/edit",
        f"/organizations/{company['id']}/edit",
    ):
        response = await get(api, path, recruiter)
        assert response.status == 200, path
    welcome = await get(api, "/welcome", recruiter)
    assert welcome.headers["Location"] == "/hiring"
    assert (await get(api, "/welcome", student)).headers["Location"] == "/onboarding"
    # Roles chosen: the role-choice page sends on to the user's first page.
    assert (await get(api, "/welcome/roles", student)).headers["Location"] == "/welcome"


async def test_pages_refuse_the_wrong_user_with_a_page_not_a_crash(api):
    recruiter, _, job = await hiring_setup(api)
    student = await api.sign_up(["student"])
    response = await get(api, f"/jobs/{job['id']}/applicants", student)
    assert response.status == 403
    assert (await get(api, f"/organizations/{job['company_id']}/members", student)).status == 403
    assert (await get(api, f"/jobs/{job['id']}/edit", student)).status == 403
    assert (await get(api, f"/organizations/{job['company_id']}/edit", student)).status == 403
    assert_page_headers(response)
    gig = await api.post(
        "/api/gigs",
        {
            "title": "T",
            "description": "D",
            "pricing_tiers": {
                "basic": {"price": 500, "currency": "EUR", "delivery_days": 2, "description": "1"}
            },
        },
        as_=await _freelancer(api),
        expect=201,
    )
    assert (await get(api, f"/gigs/{gig['id']}/edit", recruiter)).status == 403
    for path in (
        f"/jobs/{uuid.uuid4()}",
        "/jobs/not-a-uuid",
        f"/gigs/{uuid.uuid4()}",
        f"/companies/{uuid.uuid4()}",
        f"/people/{uuid.uuid4()}",
    ):
        response = await get(api, path, student)
        assert response.status == 404, path
        assert "text/html" in response.content_type


async def _freelancer(api):
    return await api.sign_up(["freelancer"])


async def test_pages_name_people_and_show_the_newest_enrichment(api, db):
    fran = await api.sign_up(["freelancer"], full_name="Fran Lancer")
    nameless = await api.sign_up(["student"])
    tier = {"price": 500, "currency": "EUR", "delivery_days": 2, "description": "1"}
    gig = await api.post(
        "/api/gigs",
        {"title": "T", "description": "D", "pricing_tiers": {"basic": tier}},
        as_=fran,
        expect=201,
    )
    assert "by Fran Lancer" in await (await get(api, f"/gigs/{gig['id']}")).text()
    assert (
        '<span class="who-name">Fran Lancer</span>'
        in await (await get(api, "/profile", fran)).text()
    )
    editor = await (await get(api, "/profile", nameless)).text()
    assert f'<span class="who-name">{nameless.email}</span>' in editor
    assert '<p id="enrichment" class="enrichment muted" aria-live="polite"></p>' in editor

    async with db.connection() as conn:
        await conn.execute(
            """INSERT INTO enrichment_jobs (user_id, resume_url, status, created_at, finished_at)
               VALUES ($1, 'https://x.example/old.pdf', 'succeeded', now() - interval '1 hour',
                       now() - interval '1 hour'),
                      ($1, 'https://x.example/new.pdf', 'failed', now(), now())""",
            nameless.id,
        )
        await conn.execute(
            "UPDATE enrichment_jobs SET error = 'the file is empty' WHERE status = 'failed'"
        )
    editor = await (await get(api, "/profile", nameless)).text()
    assert "We could not read your resume: the file is empty." in editor


ODD_QUERIES = [
    "?q=%00",
    "?q=" + "x" * 5000,
    "?remote=maybe",
    "?limit=100000",
    "?limit=-1",
    "?cursor=garbage",
    "?cursor=%FF%FE",
    "?employment_type=astronaut",
    "?skills=" + ",".join(["a"] * 200),
    "?q=(((&skills=&location=%25_%5C",
    "?skills_match=some&unknown=1",
    "?type=company&q=%00&cursor=x",
    "?next=//evil.example&token=" + "t" * 1000,
]


async def test_odd_query_strings_never_make_a_page_fail(api):
    student = await api.sign_up(["student"])
    for query in ODD_QUERIES:
        for path in ("/jobs", "/gigs", "/onboarding", "/login", "/verify-email", "/reset-password"):
            response = await get(api, path + query, student)
            assert response.status < 500, (path, query)


async def test_log_in_goes_back_only_to_a_path_on_this_site(api):
    cases = (
        ("/profile", "/profile"),
        ("//evil.example", "/welcome"),
        # Browsers drop tabs and newlines and read "\\" as "/": all of these are //evil.
        ("/%09/evil.example", "/welcome"),
        ("/%0a/evil.example", "/welcome"),
        ("/%5Cevil.example", "/welcome"),
        ("/a%5C..%5C%5Cevil.example", "/welcome"),
        ("https://evil.example", "/welcome"),
    )
    for target, expected in cases:
        response = await api.client.get(f"/login?next={target}")
        assert f'data-redirect="{expected}"' in await response.text(), target


async def test_a_signed_in_visitor_is_never_sent_off_site(api):
    student = await api.sign_up(["student"])
    for target in ("/%09/evil.example", "/%0a/evil.example", "/%5C%5Cevil.example"):
        response = await get(api, f"/login?next={target}", student)
        assert response.status == 302, target
        assert response.headers["Location"] == "/welcome", target


def test_the_policy_lets_uploads_reach_b2_and_never_echoes_a_hostile_host():
    from server.pages.web import content_security_policy

    policy = content_security_policy("rizeos.example", "https://s3.eu-central-003.backblazeb2.com")
    assert (
        "connect-src 'self' ws://rizeos.example wss://rizeos.example "
        "https://s3.eu-central-003.backblazeb2.com https://*.s3.eu-central-003.backblazeb2.com;"
    ) in policy
    hostile = content_security_policy("evil; script-src *", None)
    assert "connect-src 'self';" in hostile
    assert "evil" not in hostile


async def test_an_unverified_user_is_asked_to_confirm_before_chatting(api):
    user = await api.sign_up(["student"], verified=False)
    response = await get(api, "/messages", user)
    text = await response.text()
    assert response.status == 200
    assert "Confirm your email address to chat" in text
    assert "pages/chat.js" not in text


async def test_the_job_board_pages_with_its_cursor_and_keeps_the_filters(api):
    recruiter, company, _ = await hiring_setup(api)
    for n in range(22):
        await api.job(recruiter, company["id"], title=f"Remote role {n}", remote=True)
    first = await (await get(api, "/jobs?remote=true&skills=python")).text()
    assert first.count('class="card link job-card"') == 20
    next_link = first.split('id="next-page" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "remote=true" in next_link
    assert "skills=python" in next_link
    second = await (await get(api, next_link)).text()
    assert second.count('class="card link job-card"') == 2
    assert 'id="next-page"' not in second


async def test_the_icon_and_the_manifest_are_served_and_linked(api):
    favicon = await get(api, "/favicon.ico")
    assert favicon.status == 200
    assert favicon.headers["Content-Type"] == "image/x-icon"
    home = await (await get(api, "/")).text()
    for link in ("/static/img/favicon.svg", "/favicon.ico", "/static/manifest.webmanifest"):
        assert f'href="{link}"' in home
    manifest = await api.client.get("/static/manifest.webmanifest")
    icons = (await manifest.json(content_type=None))["icons"]
    for icon in icons:
        assert (await get(api, icon["src"])).status == 200, icon["src"]
    for css in ("tokens", "base", "components", "chat"):
        assert (await get(api, f"/static/css/{css}.css")).status == 200


async def test_an_unknown_address_gets_the_sites_own_not_found_page(api):
    response = await get(api, "/no-such-page")
    assert response.status == 404
    assert response.content_type == "text/html"
    assert_page_headers(response)
    html = await response.text()
    assert "There is nothing at this address." in html
    assert 'href="/jobs"' in html  # the header: a way on from here
    signed_in = await api.sign_up(["student"], full_name="Lost Student")
    html = await (await get(api, "/no-such-page", signed_in)).text()
    assert "Lost Student" in html
    api_missing = await get(api, "/api/no-such-thing")
    assert api_missing.status == 404
    assert api_missing.content_type == "application/problem+json"
    static_missing = await get(api, "/static/no-such-file.css")
    assert static_missing.status == 404
    assert static_missing.content_type != "text/html"


async def test_an_order_page_is_for_its_buyer_and_seller_only(api):
    freelancer = await api.sign_up(["freelancer"], full_name="Fay")
    buyer = await api.sign_up(["professional"], full_name="Bo")
    stranger = await api.sign_up(["professional"])
    gig = await api.gig(freelancer)
    order = await api.order(buyer, gig["id"])
    path = f"/orders/{order['id']}"
    for user, role in ((buyer, "buyer"), (freelancer, "seller")):
        response = await get(api, path, user)
        assert response.status == 200
        assert_page_headers(response)
        assert f'data-role="{role}"' in await response.text()
    # Anyone else: the same 404 as an order that does not exist, or an id that is no id.
    for other in (path, f"/orders/{uuid.uuid4()}", "/orders/not-an-id"):
        response = await get(api, other, stranger)
        assert response.status == 404, other
        assert_page_headers(response)
    assert (await get(api, path)).status == 302  # a visitor logs in first


async def test_the_orders_dashboard_picks_a_side_when_the_address_names_none(api):
    freelancer = await api.sign_up(["freelancer"])
    buyer = await api.sign_up(["professional"])
    for user, role in ((freelancer, "seller"), (buyer, "buyer")):
        for query in ("", "?role=nobody"):
            response = await get(api, f"/me/orders{query}", user)
            assert response.status == 302
            assert response.headers["Location"] == f"/me/orders?role={role}"
        page = await get(api, f"/me/orders?role={role}", user)
        assert page.status == 200
        assert f'data-role="{role}"' in await page.text()
