"""The issue's "done when", against a real `python -m server` process with nothing but the
database configured: the URLs it hands out are used exactly as returned, by a plain HTTP
client, the way a browser would."""

from __future__ import annotations

import aiohttp

from tests.processes import ServerProcess

PDF = b"%PDF-1.4 benefits " + b"." * 4000
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 50_000
RESUME = b"%PDF-1.4 Ana Lima: Python, PostgreSQL"


async def upload(http, base: str, token: str, purpose: str, filename: str, ctype: str, data):
    auth = {"Authorization": f"Bearer {token}"}
    body = {"purpose": purpose, "filename": filename, "content_type": ctype, "size": len(data)}
    async with http.post(f"{base}/api/uploads/generate-url", json=body, headers=auth) as r:
        assert r.status == 201, await r.text()
        grant = await r.json()
    request = grant["upload_request"]
    async with http.request(
        request["method"], request["url"], data=data, headers=request["headers"]
    ) as r:
        assert r.status == 200, await r.text()
    complete = f"{base}/api/uploads/{grant['upload']['id']}/complete"
    async with http.post(complete, headers=auth) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def test_recruiter_attaches_files_student_applies_recruiter_opens_the_resume(
    api, database_url, redis_prefix, tmp_path
):
    server = ServerProcess(
        database_url, None, redis_prefix, DATA_DIR=str(tmp_path), RUN_WORKER="no"
    )
    server.env["PUBLIC_URL"] = server.url
    await server.start()
    hr = await api.sign_up(["employer"])
    ana = await api.sign_up(["student"])
    stranger = await api.sign_up(["employer"])
    base = server.url
    try:
        async with aiohttp.ClientSession() as http:
            bearer = {"Authorization": f"Bearer {hr.token}"}
            pdf = await upload(
                http, base, hr.token, "job_attachment", "b.pdf", "application/pdf", PDF
            )
            video = await upload(
                http, base, hr.token, "job_attachment", "t.mp4", "video/mp4", VIDEO
            )
            assert pdf["url"].startswith(f"{base}/api/files/")
            company_body = {"name": "Acme", "type": "company"}
            async with http.post(
                f"{base}/api/organizations", json=company_body, headers=bearer
            ) as r:
                company = await r.json()
            job_body = {
                "company_id": company["id"],
                "title": "Robotics Intern",
                "description": "Robots.",
                "attachments": [
                    {"title": "Benefits", "type": "pdf", "url": pdf["url"]},
                    {"title": "Tour", "type": "video", "url": video["url"]},
                ],
            }
            async with http.post(f"{base}/api/jobs", json=job_body, headers=bearer) as r:
                assert r.status == 201, await r.text()
                job = await r.json()
            async with http.get(job["attachments"][1]["url"]) as r:  # public, follows the 302
                assert (r.status, await r.read()) == (200, VIDEO)
                assert r.headers["Content-Type"] == "video/mp4"

            resume = await upload(
                http, base, ana.token, "resume", "cv.pdf", "application/pdf", RESUME
            )
            ana_auth = {"Authorization": f"Bearer {ana.token}"}
            patch = {"resume_url": resume["url"]}
            async with http.patch(
                f"{base}/api/profiles/{ana.id}", json=patch, headers=ana_auth
            ) as r:
                assert r.status == 200, await r.text()
            async with http.post(
                f"{base}/api/jobs/{job['id']}/applications", json={}, headers=ana_auth
            ) as r:
                assert r.status == 201, await r.text()

            async with http.get(f"{base}/api/jobs/{job['id']}/applications", headers=bearer) as r:
                [row] = (await r.json())["items"]
            async with http.get(row["resume_url"], headers=bearer) as r:
                assert (r.status, await r.read()) == (200, RESUME)
            other = {"Authorization": f"Bearer {stranger.token}"}
            async with http.get(resume["url"], headers=other, allow_redirects=False) as r:
                assert r.status == 404
    finally:
        await server.stop()
    assert (tmp_path / "uploads" / "incoming" / "resume").is_dir()
