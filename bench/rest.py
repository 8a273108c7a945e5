"""REST overhead against the framework's ceiling (issue 12): ``wrk`` against a bare aiohttp
hello-JSON server and against RizeOS, in the same run, interleaved, N rounds.

    python bench/rest.py [--rounds 3] [--duration 10] [--connections 32] [--loop uvloop]

The bare server runs on both event loops (asyncio and uvloop) so each ratio can be read
against the loop RizeOS runs on (``--loop``, passed to it as ``EVENT_LOOP``). RizeOS runs
as deployed (``python -m server web``, log level INFO with the access log to a file, Redis
if ``--redis-url``) against a throwaway database on the local PostgreSQL; the user (signed
up, verified with the mailed token read from the server's log), their company and one job
are made through the API. Each round runs every target once, one after the other, so slow
drifts of a noisy box hit them all alike; the table shows medians and ratios to the bare
server on the same loop.

Needs ``wrk`` (``apt-get install wrk``; the script tries that when it is missing and it runs
as root). ``python bench/rest.py bare --port P --loop L`` is the bare server itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
HELLO = b'{"message":"Hello, World!"}'


def serve_bare(port: int, loop_kind: str) -> None:
    """aiohttp's hello-JSON: one route, no middleware, no access log."""
    from aiohttp import web

    from server import loop

    async def hello(request: web.Request) -> web.Response:
        return web.Response(body=HELLO, content_type="application/json")

    app = web.Application()
    app.router.add_get("/", hello)
    web.run_app(
        app,
        host="127.0.0.1",
        port=port,
        access_log=None,
        print=None,
        loop=loop.new_event_loop(loop_kind),
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk missing: apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        path = shutil.which("wrk")
        if path:
            return path
    sys.exit("wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu), then run again")


def wait_http(url: str, process: subprocess.Popen, within: float = 60.0) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} not ready after {within:.0f} s")


@dataclass
class Target:
    name: str
    url: str
    loop: str  # which bare server it is compared with
    headers: tuple[str, ...] = ()
    bare: bool = False


def run_wrk(wrk: str, target: Target, threads: int, connections: int, duration: int) -> float:
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    for header in target.headers:
        args += ["-H", header]
    out = subprocess.run(  # noqa: S603
        [*args, target.url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match is None:
        sys.exit(f"could not read wrk's output for {target.name}:\n{out}")
    if errors:
        sys.exit(f"{target.name}: {errors.group(1)} non-2xx answers:\n{out}")
    return float(match.group(1))


class RizeOS:
    def __init__(self, loop_kind: str, redis_url: str | None, log_dir: Path):
        self.loop_kind = loop_kind
        self.redis_url = redis_url
        self.database = f"rizeos_bench_rest_{secrets.token_hex(4)}"
        self.dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + self.database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / "rizeos.log"
        self.process: subprocess.Popen | None = None

    async def _admin(self, sql: str) -> None:
        import asyncpg

        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(sql)
        finally:
            await admin.close()

    def start(self) -> None:
        asyncio.run(self._admin(f'CREATE DATABASE "{self.database}"'))
        env = {
            **os.environ,
            "DATABASE_URL": self.dsn,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "EVENT_LOOP": self.loop_kind,
            "LOG_LEVEL": "INFO",
            "RUN_WORKER": "no",
        }
        env.pop("SMTP_URL", None)  # mail goes to the log, where the verify token is read
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
            env["REDIS_PREFIX"] = "rizeos-bench-rest-" + secrets.token_hex(4)
        else:
            env.pop("REDIS_URL", None)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "web"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        wait_http(f"{self.url}/readyz", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))

    def mailed_token(self, email: str) -> str:
        text = self.log_path.read_text(errors="replace")
        tokens = re.findall(
            rf"mail to={re.escape(email)} .*?verify-email\?token=([\w-]+)", text, re.S
        )
        if not tokens:
            sys.exit(f"no verification mail for {email} in {self.log_path}")
        return tokens[-1]

    async def make_fixture(self) -> dict[str, str]:
        """A verified employer with a session, their company and one open job, via the API."""
        import aiohttp

        run = secrets.token_hex(3)
        email = f"bench-rest-{run}@example.com"
        async with aiohttp.ClientSession(self.url) as http:

            async def call(method: str, path: str, token: str | None, body: dict) -> dict:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with http.request(method, path, json=body, headers=headers) as response:
                    data = await response.json()
                    if response.status >= 300:
                        sys.exit(f"{method} {path} → {response.status}: {data}")
                    return data

            session = await call(
                "POST",
                "/api/auth/signup",
                None,
                {"email": email, "password": "bench-password-" + run, "roles": ["employer"]},
            )
            token = session["token"]
            await call("POST", "/api/auth/verify-email", None, {"token": self.mailed_token(email)})
            org = await call(
                "POST", "/api/organizations", token, {"name": f"Bench {run}", "type": "company"}
            )
            job = await call(
                "POST",
                "/api/jobs",
                token,
                {
                    "company_id": org["id"],
                    "title": "Backend engineer (Python, PostgreSQL)",
                    "description": "Build the REST API of a job board. " * 10,
                    "skills_required": ["Python", "PostgreSQL", "aiohttp"],
                    "location": "Bengaluru",
                    "remote": True,
                    "salary_min": 1_500_000,
                    "salary_max": 2_500_000,
                    "salary_currency": "INR",
                },
            )
        return {"token": token, "user_id": session["user"]["id"], "job_id": job["id"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    bare = sub.add_parser("bare", help="serve the bare hello-JSON app")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--loop", choices=("asyncio", "uvloop"), default="uvloop")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="uvloop")
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL"))
    parser.add_argument("--only", nargs="*", help="run only these target names")
    args = parser.parse_args()
    if args.command == "bare":
        serve_bare(args.port, args.loop)
        return

    wrk = ensure_wrk()
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="bench-rest-") as tmp:
        rizeos = RizeOS(args.loop, args.redis_url, Path(tmp))
        try:
            bare_urls = {}
            for kind in ("asyncio", "uvloop"):
                port = free_port()
                process = subprocess.Popen(  # noqa: S603
                    [sys.executable, __file__, "bare", "--port", str(port), "--loop", kind]
                )
                processes.append(process)
                bare_urls[kind] = f"http://127.0.0.1:{port}/"
                wait_http(bare_urls[kind], process)
            rizeos.start()
            fixture = asyncio.run(rizeos.make_fixture())
            bearer = (f"Authorization: Bearer {fixture['token']}",)
            job_url = f"{rizeos.url}/api/jobs/{fixture['job_id']}"
            targets = [
                Target("bare asyncio", bare_urls["asyncio"], "asyncio", bare=True),
                Target("bare uvloop", bare_urls["uvloop"], "uvloop", bare=True),
                Target("GET /api/jobs/{id} anonymous", job_url, args.loop),
                Target("GET /api/jobs/{id} bearer", job_url, args.loop, bearer),
                Target("GET /api/me bearer", f"{rizeos.url}/api/me", args.loop, bearer),
                Target(
                    "GET /api/profiles/{me} bearer",
                    f"{rizeos.url}/api/profiles/{fixture['user_id']}",
                    args.loop,
                    bearer,
                ),
            ]
            if args.only:
                targets = [t for t in targets if t.bare or t.name in args.only]
            for target in targets:  # warm-up: caches, prepared statements, the pool
                run_wrk(wrk, target, args.threads, args.connections, 2)
            results: dict[str, list[float]] = {t.name: [] for t in targets}
            for round_no in range(1, args.rounds + 1):
                for target in targets:
                    rps = run_wrk(wrk, target, args.threads, args.connections, args.duration)
                    results[target.name].append(rps)
                    print(f"round {round_no}: {target.name}: {rps:,.0f} req/s", file=sys.stderr)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            rizeos.stop()

    medians = {name: statistics.median(values) for name, values in results.items()}
    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, {args.rounds} "
        f"interleaved rounds; RizeOS on {args.loop}; medians (runs)\n"
    )
    other = "asyncio" if args.loop == "uvloop" else "uvloop"
    print(f"| target | req/s | runs | ratio to bare {args.loop} | ratio to bare {other} |")
    print("|---|---|---|---|---|")
    for target in targets:
        runs = ", ".join(f"{v:,.0f}" for v in results[target.name])
        ratio_same = medians[target.name] / medians[f"bare {args.loop}"]
        ratio_other = medians[target.name] / medians[f"bare {other}"]
        print(
            f"| {target.name} | {medians[target.name]:,.0f} | {runs} | "
            f"{ratio_same:.3f} | {ratio_other:.3f} |"
        )


if __name__ == "__main__":
    main()
