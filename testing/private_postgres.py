"""A PostgreSQL server of the test's own, to stop and freeze without touching anyone else's.

``initdb`` in a temporary folder, trust authentication, a spare loopback port and a socket
directory of its own. PostgreSQL refuses to run as root, so under root (CI) its programs run
as the ``postgres`` system user and the folder belongs to that user.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

SERVER_USER = "postgres"
_VERSIONED_BIN = Path("/usr/lib/postgresql")  # Debian and Ubuntu: one folder per major version


def server_programs() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: the newest installed version first."""
    if _VERSIONED_BIN.is_dir():
        versions = [path for path in _VERSIONED_BIN.iterdir() if (path / "bin" / "pg_ctl").exists()]
        if versions:
            newest = max(versions, key=lambda path: [int(n) for n in re.findall(r"\d+", path.name)] or [0])
            return newest / "bin"
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(os.path.realpath(pg_ctl)).parent
    raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """One throw-away server: :meth:`start`, :meth:`stop`, :meth:`freeze`, :meth:`thaw`."""

    def __init__(self):
        self.bin = server_programs()
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="private-postgres-"))
        if self.as_root:
            shutil.chown(self.root, SERVER_USER, SERVER_USER)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.frozen: list[int] = []

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        # cwd: the server user may not be allowed into the caller's folder.
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}{self.server_log()}")

    def server_log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        # Durability is not under test: no fsync keeps start-up and migrations quick.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return self.postmaster_pid() is not None

    def postmaster_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None

    def server_pids(self) -> list[int]:
        """The postmaster and its children (backends, checkpointer, WAL writer…)."""
        postmaster = self.postmaster_pid()
        if postmaster is None:
            return []
        return [postmaster, *_children(postmaster)]

    def freeze(self) -> None:
        """SIGSTOP on every server process, the way a network partition looks to a client:
        connections stay open, the kernel still acknowledges, nothing ever answers."""
        postmaster = self.postmaster_pid()
        if postmaster is None:
            raise RuntimeError("The private server is not running.")
        # The postmaster first, so it forks no child the list below would miss.
        os.kill(postmaster, signal.SIGSTOP)
        self.frozen = [postmaster]
        for pid in _children(postmaster):
            os.kill(pid, signal.SIGSTOP)
            self.frozen.append(pid)

    def thaw(self) -> None:
        for pid in reversed(self.frozen):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []

    def cleanup(self) -> None:
        """Thaws and stops the server, whatever state a failed test left it in; removes the folder."""
        self.thaw()
        try:
            if self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return children


@contextmanager
def private_postgres():
    """A running private server; thawed, stopped and removed afterwards, even on failure."""
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.cleanup()
