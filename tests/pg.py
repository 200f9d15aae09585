"""A throwaway PostgreSQL cluster for the test suite.

``throwaway_cluster()`` runs ``initdb`` on a temporary directory, starts the server
with ``pg_ctl`` on a free TCP port of 127.0.0.1 (its unix socket in the same
directory), yields a URL for the ``postgres`` superuser (trust authentication) and
stops and removes everything afterwards.

PostgreSQL refuses to run as root. When the tests run as root (containers, CI), the
cluster belongs to an unprivileged system user instead: ``postgres`` when the
Debian package created it, otherwise ``corpcredit-pg``, created here with
``useradd``. The commands run as that user through ``subprocess``'s ``user=`` and
``group=`` arguments, and the temporary directory (directly under the system temp
directory, which every user can traverse) is handed over to it with ``chown``.

Missing binaries are an error, never a reason to skip: CI installs PostgreSQL.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = ["PostgresMissing", "find_bin_dir", "fresh_database", "throwaway_cluster"]

INSTALL_HINT = "install postgresql: apt-get install postgresql"
_SERVICE_USERS = ("postgres", "corpcredit-pg")
_SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/postgresql*/bin")


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries (``initdb``, ``pg_ctl``) could be found."""


def _usable(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


def find_bin_dir(search: tuple[str, ...] = _SEARCH) -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Looks where ``pg_ctl`` on PATH really lives (``/usr/local/bin/pg_ctl`` is often a
    symlink into Debian's tree), then ``pg_config --bindir``, then the newest of
    Debian's ``/usr/lib/postgresql/<version>/bin`` and other usual places.
    """
    candidates: list[Path] = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates += [Path(on_path).resolve().parent, Path(on_path).parent]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, check=True)
            candidates.append(Path(out.stdout.decode().strip()))
    for pattern in search:
        candidates += [Path(p) for p in sorted(glob.glob(pattern), key=_version_key, reverse=True)]
    for candidate in candidates:
        if _usable(candidate):
            return candidate
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH "
        f"or under {', '.join(search)}; {INSTALL_HINT}"
    )


def _service_user() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as, or ``None`` when not root."""
    if os.geteuid() != 0:
        return None
    for name in _SERVICE_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    # Another xdist worker may create it at the same moment: ignore "already exists".
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "corpcredit-pg",
        ],
        capture_output=True,
        check=False,
    )
    return pwd.getpwnam("corpcredit-pg")


def _temp_parent(user: pwd.struct_passwd | None) -> str:
    """The system temp directory, or ``/tmp`` if the service user could not reach it."""
    base = Path(tempfile.gettempdir()).resolve()
    if user is None:
        return str(base)
    reachable = all(p.stat().st_mode & 0o001 for p in [base, *base.parents])
    return str(base) if reachable else "/tmp"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Runner:
    """Runs the cluster's commands, as the service user when we are root."""

    def __init__(self, bin_dir: Path, user: pwd.struct_passwd | None, home: Path) -> None:
        self.bin_dir = bin_dir
        self.user = user
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env.update(HOME=str(home), LC_ALL="C", LANG="C")

    def __call__(
        self, tool: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        result: subprocess.CompletedProcess[str] = subprocess.run(
            [str(self.bin_dir / tool), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result


@contextlib.contextmanager
def throwaway_cluster(start_attempts: int = 5) -> Iterator[str]:
    """Yield ``postgresql+psycopg://postgres@127.0.0.1:<port>/postgres`` for a new cluster."""
    bin_dir = find_bin_dir()
    user = _service_user()
    root = Path(tempfile.mkdtemp(prefix="corpcredit-pg-", dir=_temp_parent(user)))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    run = _Runner(bin_dir, user, root)
    data, log = root / "data", root / "server.log"
    started = False
    try:
        # --no-locale: independent of the locales installed; --no-sync: a throwaway.
        run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        for attempt in range(start_attempts):
            port = _free_port()
            options = (
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            result = run(
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
                check=False,
            )
            if result.returncode == 0:
                started = True
                break
            if attempt == start_attempts - 1:  # most likely the port was taken meanwhile
                server_log = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"pg_ctl start failed:\n{result.stderr}\n{server_log}")
        _wait_ready(port)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    """``pg_ctl -w`` already waited; make sure a client really gets in over TCP."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(
                host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def fresh_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """Create a uniquely named database on the cluster, yield its URL, drop it afterwards.

    ``template`` clones an existing database (one nobody is connected to), which is
    much faster than migrating every new database from scratch.
    """
    name = f"test_{uuid.uuid4().hex}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    clause = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
