"""`rsc-sandbox`: serve the LinkedIn RSC emulator (API, OAuth, admin API, Recruiter UI)."""

import argparse
import time
from pathlib import Path

import uvicorn

from sandbox.app import create_app
from sandbox.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="rsc-sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--data-dir", type=Path, default=Path("var/sandbox"))
    parser.add_argument(
        "--members", type=int, default=2000, help="members to generate on first start"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--not-onboarded",
        action="store_true",
        help="start with the customer's integrations not yet enabled in Recruiter",
    )
    args = parser.parse_args(argv)
    if args.members < 0:
        parser.error("--members must be 0 or more")
    settings = Settings(
        data_dir=args.data_dir,
        members=args.members,
        seed=args.seed,
        public_url=f"http://{args.host}:{args.port}",
    )
    started = time.monotonic()
    app = create_app(settings, onboarded=not args.not_onboarded)
    print(
        f"rsc-sandbox: state in {settings.database_path} "
        f"(ready in {time.monotonic() - started:.1f} s)",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
