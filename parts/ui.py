"""Starting and stopping the Dagster UI as a background process group."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from parts.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def _reset_signals() -> None:
    # A process started from a non-interactive shell may inherit SIGINT/SIGTERM
    # as ignored; dagster then cannot be stopped gracefully.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def pid_file(settings: Settings) -> Path:
    return settings.data_dir / "dagster.pid"


def start(settings: Settings, *, port: int, host: str = "127.0.0.1") -> str:
    """Start `dagster dev` detached; return its URL once it answers."""
    stop(settings)
    if _port_taken(host, port):
        raise RuntimeError(
            f"port {port} on {host} is already in use (another `parts ui` with "
            "another PARTS_DATA_DIR?); choose another with --port / DAGSTER_PORT"
        )
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(home.resolve())}
    env["PARTS_DATA_DIR"] = str(settings.data_dir.resolve())
    env["PARTS_PROFILES_DIR"] = str(settings.profiles_dir.resolve())
    log = (settings.data_dir / "dagster.log").open("ab")
    process = subprocess.Popen(
        [
            str(dagster),
            "dev",
            "-m",
            "pipelines.definitions",
            "-h",
            host,
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_reset_signals,
    )
    pid_file(settings).write_text(str(process.pid))
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"dagster exited with code {process.returncode}; see "
                f"{settings.data_dir / 'dagster.log'}"
            )
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                return url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"dagster did not answer at {url} within 90 s")


def stop(settings: Settings, *, timeout_s: float = 15) -> bool:
    """Stop a UI started by `start`; True if one was running."""
    path = pid_file(settings)
    if not path.exists():
        return False
    pid = int(path.read_text().strip() or 0)
    path.unlink(missing_ok=True)
    try:
        os.killpg(pid, signal.SIGINT)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0
