"""A real HAProxy (Debian's package) running deploy/haproxy.cfg, the file docs/deploy.md
ships, with the test's own addresses in the environment variables the file reads."""

from __future__ import annotations

import asyncio
import csv
import datetime
import io
import ipaddress
import os
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.processes import ROOT, end_process, free_port
from tests.waits import eventually

HAPROXY = Path(os.environ.get("HAPROXY_PATH", "/usr/sbin/haproxy"))
CONFIG = ROOT / "deploy" / "haproxy.cfg"
BACKEND = "rizeos"


def self_signed_pem(host: str) -> bytes:
    """A certificate for ``host`` (an IP address) and its key, one PEM as HAProxy reads it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False
        )
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class Balancer:
    """HAProxy on a port for HTTP (it redirects) and one for HTTPS, in front of ``servers``
    (name -> host:port, the names of the file's ``server`` lines)."""

    def __init__(self, folder: Path, servers: dict[str, str]):
        cert = folder / "lb.pem"
        cert.write_bytes(self_signed_pem("127.0.0.1"))
        cert.chmod(0o600)
        self.http_port = free_port()
        self.https_port = free_port()
        self.admin_socket = folder / "haproxy.sock"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            # Not root here: no chroot, no change of user (docs/deploy.md keeps Debian's).
            "RIZEOS_LB_UNPRIVILEGED": "1",
            "RIZEOS_LB_ADMIN_SOCKET": str(self.admin_socket),
            "RIZEOS_LB_MAXCONN": "1000",  # within an ordinary open-files limit
            "RIZEOS_LB_HTTP": f"127.0.0.1:{self.http_port}",
            "RIZEOS_LB_HTTPS": f"127.0.0.1:{self.https_port}",
            "RIZEOS_LB_CERT": str(cert),
            **{f"RIZEOS_{name.upper()}": address for name, address in servers.items()},
        }
        self.servers = list(servers)
        self.proc: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self._log_reader: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    async def start(self) -> Balancer:
        assert os.access(HAPROXY, os.X_OK), (
            f"no HAProxy at {HAPROXY}: `apt-get install haproxy` (.ci/run installs it) "
            "or set HAPROXY_PATH; the load-balancer test needs a real one"
        )
        self.proc = await asyncio.create_subprocess_exec(
            str(HAPROXY),
            "-db",  # in the foreground, logging to standard output
            "-f",
            str(CONFIG),
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._log_reader = asyncio.create_task(self._keep_log(self.proc.stdout))
        await self.wait_until_up(*self.servers)
        return self

    async def _keep_log(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            text = line.decode(errors="replace")
            self.log.append(text)
            sys.stderr.write("haproxy: " + text)

    async def command(self, line: str) -> str:
        """One command on HAProxy's admin socket (the runtime API), and its answer."""
        reader, writer = await asyncio.open_unix_connection(str(self.admin_socket))
        try:
            writer.write(line.encode() + b"\n")
            await writer.drain()
            return (await reader.read()).decode()
        finally:
            writer.close()

    async def states(self) -> dict[str, str]:
        """What HAProxy's health checks make of each server: "UP", "DOWN", ..."""
        text = await self.command("show stat")
        rows = csv.DictReader(io.StringIO(text.removeprefix("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == BACKEND and row["svname"] in self.servers
        }

    async def wait_until_up(self, *names: str) -> None:
        seen: dict[str, str] = {}

        async def up() -> bool:
            assert self.proc is not None and self.proc.returncode is None, (
                "haproxy exited: " + "".join(self.log[-20:])
            )
            try:
                seen.update(await self.states())
            except OSError:  # its admin socket is not there yet
                return False
            return all(seen.get(name, "").startswith("UP") for name in names)

        await eventually(up, 30, lambda: f"haproxy saw {names} up (last: {seen})", every=0.1)

    async def stop(self) -> None:
        await end_process(self.proc, self._log_reader)
