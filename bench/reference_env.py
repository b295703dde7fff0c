"""The reference's own virtualenv (bench/.venv-reference), built from its pinned requirements."""

import hashlib
import subprocess
import sys
from pathlib import Path

from servers import HOST, WORKERS, Server

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "reference" / "requirements.txt"
VENV = HERE / ".venv-reference"


def reference_python() -> Path:
    """The venv's interpreter, (re)installed when the requirements changed."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print("Installing the FastAPI reference into bench/.venv-reference …", flush=True)
    if not python.exists():
        # The base interpreter, not the project's venv: the reference shares nothing with it.
        base = Path(getattr(sys, "_base_executable", sys.executable))
        subprocess.run([str(base), "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def start_reference(env: dict[str, str], database_url: str, port: int, log: Path) -> Server:
    """uvicorn with 2 workers over the reference app, its tables created afresh."""
    python = reference_python()
    reference_env = {**env, "REFERENCE_DATABASE_URL": database_url}
    subprocess.run(
        [str(python), "app.py", "--create-tables"], cwd=HERE / "reference", env=reference_env, check=True
    )
    command = [
        str(python),
        *f"-m uvicorn app:app --host {HOST} --port {port} --workers {WORKERS} --log-level warning".split(),
    ]
    return Server("the FastAPI reference", port, command, reference_env, HERE / "reference", log)
