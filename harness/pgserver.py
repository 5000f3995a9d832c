"""A throwaway PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

Starts ``initdb`` + ``pg_ctl`` in a temporary directory on a free loopback port. When run as
root (CI, containers), the cluster runs as the ``postgres`` system user, since PostgreSQL
refuses to run as root.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


def find_bindir() -> Path | None:
    """The directory with ``initdb`` and ``pg_ctl`` (newest version first), or None."""
    env = os.environ.get("PG_BINDIR")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running throwaway server; ``url()`` gives a SQLAlchemy URL for one of its databases."""

    bindir: Path
    root: Path
    port: int
    user: str
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return list(args)

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            self._cmd(*args), check=True, capture_output=True, timeout=timeout, cwd=self.root
        )

    @property
    def datadir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    def start(self) -> None:
        """initdb and start the server; waits until it accepts connections."""
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.user,
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        logger.info("PostgreSQL started on 127.0.0.1:%d", self.port)

    def create_database(self, name: str) -> str:
        """Create a database and return its SQLAlchemy URL."""
        self._run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", self.user, name,
        )  # fmt: skip
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing its connections."""
        self._run(
            str(self.bindir / "dropdb"), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", self.user, "--force", "--if-exists", name,
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3) of a database on this server."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server and delete its files."""
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w",
                "stop",
            )  # fmt: skip
        except (subprocess.SubprocessError, OSError):
            logger.warning("PostgreSQL did not stop cleanly")
        shutil.rmtree(self.root, ignore_errors=True)


def _scratch_parent() -> str | None:
    """Prefer RAM (/dev/shm) for the throwaway cluster: many small files, no durability needed."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 << 30:
            return str(shm)
    except OSError:
        pass
    return None


def start_server(bindir: Path | None = None) -> PgServer:
    """Start a throwaway server (its files in /dev/shm when there is room).

    Raises:
        FileNotFoundError: PostgreSQL binaries are not installed.
        subprocess.CalledProcessError: initdb or pg_ctl failed.
    """
    bindir = bindir or find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL binaries not found (apt-get install postgresql)")
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="linli-pg-", dir=_scratch_parent()))
    if os.geteuid() == 0:
        run_as = "postgres"
        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PgServer(bindir=bindir, root=root, port=_free_port(), user="linli", run_as=run_as)
    try:
        server.start()
    except BaseException:
        log = root / "server.log"
        if log.exists():
            logger.error("PostgreSQL log:\n%s", log.read_text(errors="replace")[-2000:])
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def wait_for(url: str, timeout: float = 30) -> None:
    """Wait until a SQLAlchemy URL accepts connections."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("select 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()
