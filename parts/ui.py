"""Background services of the demo: the Dagster UI and the HTTP API.

Each runs as its own process group, detached, with a pid file and a log under
the data dir, so `make demo` can return and `make stop` can end them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from parts.settings import Settings

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90


@dataclass(frozen=True)
class Service:
    name: str
    health_path: str
    args: tuple[str, ...] = ()

    def command(self, host: str, port: int) -> list[str]:
        bin_dir = Path(sys.executable).parent
        if self.name == "dagster":
            return [str(bin_dir / "dagster"), "dev", "-m", "pipelines.definitions",
                    "-h", host, "-p", str(port)]  # fmt: skip
        if self.name.startswith("online-"):
            return [sys.executable, "-m", "search.online.demo_server", "--host", host,
                    "--port", str(port), *self.args]  # fmt: skip
        return [str(bin_dir / "uvicorn"), "service.main:app", "--host", host,
                "--port", str(port)]  # fmt: skip


DAGSTER = Service("dagster", "/server_info")
API = Service("api", "/api/health")
# the demo's online suppliers (`suppliers/online/demo-*.toml` point at these
# ports): a quick one, and one slower than its timeout, reported as failed
ONLINE_FAST = Service("online-emex", "/_control", ("--token", "demo-token"))
ONLINE_SLOW = Service("online-slow", "/_control", ("--latency-ms", "3000"))
DEMO_ONLINE = ((ONLINE_FAST, 8010), (ONLINE_SLOW, 8011))


def _reset_signals() -> None:
    # A process started from a non-interactive shell may inherit SIGINT/SIGTERM
    # as ignored; the service then cannot be stopped gracefully.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def pid_file(settings: Settings, service: Service = DAGSTER) -> Path:
    return settings.data_dir / f"{service.name}.pid"


def start(
    settings: Settings,
    *,
    port: int,
    host: str = "127.0.0.1",
    service: Service = DAGSTER,
) -> str:
    """Start a service detached; return its URL once it answers."""
    stop(settings, service=service)
    if _port_taken(host, port):
        raise RuntimeError(
            f"port {port} on {host} is already in use (another instance with "
            "another PARTS_DATA_DIR?); choose another port"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PARTS_DATA_DIR": str(settings.data_dir.resolve())}
    env["PARTS_PROFILES_DIR"] = str(settings.profiles_dir.resolve())
    if service is DAGSTER:
        from pipelines.dagster_notes import prepare_home

        env["DAGSTER_HOME"] = str(prepare_home(settings).resolve())
    log_path = settings.data_dir / f"{service.name}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            service.command(host, port),
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_reset_signals,
        )
    pid_file(settings, service).write_text(str(process.pid))
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with code {process.returncode}; see {log_path}"
            )
        try:
            with urllib.request.urlopen(f"{url}{service.health_path}", timeout=2):
                return url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{service.name} did not answer at {url} in {START_TIMEOUT_S} s")


def stop(
    settings: Settings, *, timeout_s: float = 15, service: Service = DAGSTER
) -> bool:
    """Stop a service started by `start`; True if one was running."""
    path = pid_file(settings, service)
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
