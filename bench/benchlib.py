"""What the bench commands share: a free loopback port, the commit their figures belong to, and
running a `hirebridge` command that must succeed."""

import shutil
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def git_sha() -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    done = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def hirebridge(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hirebridge", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"hirebridge {args[0]} failed:\n{done.stdout}{done.stderr}")
