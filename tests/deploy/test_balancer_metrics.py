"""deploy/haproxy.cfg keeps /metrics off the public listener: Prometheus scrapes each instance
on the private network (docs/operations.md), and a visitor of the site gets nothing there."""

from __future__ import annotations

import aiohttp
import yarl

from tests.deploy.balancer import Balancer
from tests.processes import ServerProcess


async def test_the_balancer_does_not_serve_metrics_but_the_instance_does(database_url, tmp_path):
    web = await ServerProcess(database_url, None, "unused", TRUSTED_PROXIES="127.0.0.1").start()
    balancer = Balancer(tmp_path, {"web1": f"127.0.0.1:{web.env['PORT']}"})
    try:
        await balancer.start()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as http:
            # Every spelling the instance answers as /metrics (percent-encoded too).
            for path in ("/metrics", "/metrics?x=1", "/%6detrics"):
                url = yarl.URL(balancer.url + path, encoded=True)
                async with http.get(url, allow_redirects=False) as response:
                    assert response.status == 403, (path, response.status)
            async with http.get(balancer.url + "/healthz") as response:
                assert response.status == 200
            async with http.get(web.url + "/metrics") as response:
                assert response.status == 200
                assert "rizeos_http_requests_total" in await response.text()
    finally:
        await balancer.stop()
        await web.stop()
