"""Optional sampling profiles of the service processes during measured phases (py-spy).

``py-spy`` (``pip install py-spy``) samples the running server without touching its code. The
collapsed stacks are kept as text; ``summarise`` turns them into the frames that hold the
time, inclusive (where the time goes, by call path) and by the module that spends it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path


def available() -> bool:
    return shutil.which("py-spy") is not None


class Sampler:
    """py-spy recording one process until ``stop``."""

    def __init__(self, pid: int, out: Path, rate: int = 200) -> None:
        self.out = out
        self._popen = subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(rate),
                "--format",
                "raw",
                "--nonblocking",
                "--output",
                str(out),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._popen.pid, signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            self._popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait(timeout=5)


def _module(frame: str) -> str:
    """``func (path/to/module.py:12)`` → a short origin: package or file."""
    at = frame.rfind(" (")
    path = frame[at + 2 : frame.rfind(":")] if at >= 0 else frame
    for marker in ("site-packages/", "lib/python3.11/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    parts = path.split("/")
    if parts[0] in ("api", "inbox", "bots", "rules", "asyncio", "sqlalchemy", "starlette"):
        return "/".join(parts[:2]) if len(parts) > 1 else parts[0]
    return parts[0]


def summarise(raw: Path, top: int = 25) -> str:
    """Self time by module and by frame, plus inclusive time of the busiest frames."""
    samples: list[tuple[list[str], int]] = []
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((stack.split(";"), int(count)))
    total = sum(n for _, n in samples)
    if not total:
        return f"{raw.name}: no samples"
    own: Counter[str] = Counter()
    by_module: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in samples:
        leaf = frames[-1]
        own[leaf] += n
        by_module[_module(leaf)] += n
        for f in set(frames):
            inclusive[f] += n
    lines = [f"{raw.name}: {total} samples"]
    lines.append("  self time by module:")
    lines += [f"    {n / total * 100:5.1f}%  {m}" for m, n in by_module.most_common(15)]
    lines.append("  self time by frame:")
    lines += [f"    {n / total * 100:5.1f}%  {f[:140]}" for f, n in own.most_common(top)]
    lines.append("  inclusive time (frames in >= 3% of samples, outermost first):")
    for f, n in inclusive.most_common(200):
        if n / total < 0.03:
            break
        lines.append(f"    {n / total * 100:5.1f}%  {f[:140]}")
    return "\n".join(lines)
