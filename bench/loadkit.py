"""Shared helpers of the HTTP benchmarks: the machine, gunicorn processes, wrk and its output."""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"nproc={os.cpu_count()} cpu={model!r} python={platform.python_version()} load1={load:.2f}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                resp.read()
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


class Gunicorn:
    """``gunicorn -k sync -w N`` on 127.0.0.1 (only loopback), stopped on exit of the block."""

    def __init__(
        self, app: str, env: dict[str, str], workers: int = 4, chdir: Path = ROOT, probe: str = "/healthz"
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = [
            str(VENV_BIN / "gunicorn"),
            "-k",
            "sync",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(chdir),
            "--log-level",
            "warning",
            app,
        ]
        # Loopback is the only address here; the benchmarks measure without Redis on purpose.
        self.env = {
            **os.environ,
            "LMS_TRUSTED_HOSTS_EXTRA": '["127.0.0.1"]',
            "LMS_ALLOW_PER_PROCESS_LIMITS": "true",
            **env,
        }
        self.probe = probe
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(self.cmd, env=self.env, start_new_session=True)  # noqa: S603
        wait_http(self.url + self.probe)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    non_2xx: int

    def line(self) -> str:
        err = f", non-2xx {self.non_2xx}" if self.non_2xx else ""
        err += f", socket errors {self.errors}" if self.errors else ""
        return (
            f"{self.rps:8.0f} req/s  p50 {self.p50_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms  "
            f"({self.requests} requests{err})"
        )


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s|m))", out, re.M))

    def pct(key: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", lat[key])
        assert m
        return _ms(m.group(1), m.group(2))

    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        rps, pct("50"), pct("99"), total, errors.group(1) if errors else "", int(non2.group(1)) if non2 else 0
    )


def wrk(
    url: str,
    connections: int,
    threads: int,
    duration: str,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[WrkResult, str]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    cmd = ["wrk", f"-c{connections}", f"-t{threads}", f"-d{duration}", "--latency", "--timeout", "5s"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    out = subprocess.run(
        cmd,
        env={**os.environ, **(env or {})},
        check=True,  # noqa: S603
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out), " ".join(cmd)
