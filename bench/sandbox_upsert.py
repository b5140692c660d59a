"""The sandbox's raw atsCandidates batch-upsert rate: the ceiling a backfill is measured against.

    uv run python bench/sandbox_upsert.py [--records 20000] [--batch 100]

Starts `rsc-sandbox` on a free loopback port, lifts its per-minute throttle, and PUTs candidates
in batch_update calls of --batch records, tunnelled as LinkedIn's client tunnels them (a 100-key
batch is far over the 4 KB query limit). Prints records/s and the latency of one batch call.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode

import httpx

ORG = "urn:li:organization:98765001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def candidate(n: int) -> dict:
    return {
        "atsCreatedAt": 1_700_000_000_000,
        "atsLastModifiedAt": 1_700_000_000_000 + n,
        "firstName": f"First{n}",
        "lastName": f"Last{n}",
        "emailAddresses": [f"person{n}@example.com"],
        "externalProfileUrl": f"https://ats.example.com/candidates/{n}",
        "currentCompanyName": "Example Corp",
        "currentJobTitle": "Engineer",
        "addresses": [],
        "phoneNumbers": [],
    }


def tunnelled_put(client: httpx.Client, token: str, first: int, size: int) -> httpx.Response:
    keys = [
        f"atsCandidateId=B{n}&dataProvider=ATS&integrationContext={ORG}"
        for n in range(first, first + size)
    ]
    query = urlencode(
        [
            (f"ids[{i}].{name}", value)
            for i, key in enumerate(keys)
            for name, value in (part.split("=", 1) for part in key.split("&"))
        ]
    )
    body = httpx.Request(
        "PUT",
        "http://x",
        json={"entities": {key: candidate(first + i) for i, key in enumerate(keys)}},
    ).content
    boundary = "bench-boundary"
    payload = (
        (
            f"--{boundary}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{query}\r\n"
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
        ).encode()
        + body
        + (f"\r\n--{boundary}--\r\n").encode()
    )
    return client.post(
        "/v2/atsCandidates",
        content=payload,
        headers={
            "Authorization": f"Bearer {token}",
            "X-HTTP-Method-Override": "PUT",
            "X-RestLi-Method": "batch_update",
            "Content-Type": f"multipart/mixed; boundary={boundary}",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sandbox",
                "--port",
                str(port),
                "--data-dir",
                data_dir,
                "--members",
                "1000",
            ],
            env={**os.environ},
            stdout=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=base, timeout=60) as client:
                for _ in range(200):
                    try:
                        tenant = client.get("/_sandbox/tenant").raise_for_status().json()
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                client.put(
                    "/_sandbox/settings",
                    json={"records_per_minute": 10**9, "write_calls_per_day": 10**9},
                ).raise_for_status()
                app = tenant["customer_app"]
                token = client.post(
                    "/oauth/v2/accessToken",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": app["client_id"],
                        "client_secret": app["client_secret"],
                    },
                ).json()["access_token"]
                latencies = []
                started = time.perf_counter()
                for first in range(0, args.records, args.batch):
                    size = min(args.batch, args.records - first)
                    t0 = time.perf_counter()
                    reply = tunnelled_put(client, token, first, size).raise_for_status().json()
                    latencies.append(time.perf_counter() - t0)
                    if reply["errors"] or len(reply["results"]) != size:
                        raise SystemExit(f"batch at {first} was not fully written: {reply}")
                seconds = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if len(latencies) > 1 else latencies[0]
    print(
        f"atsCandidates batch_update: {args.records:,} records in {seconds:.1f} s = "
        f"{args.records / seconds:,.0f} records/s (batches of {args.batch}); batch call "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    print(
        f"LinkedIn's own ceiling is 10,000 records/min = {10_000 / 60:,.0f} records/s: the "
        f"sandbox is {args.records / seconds / (10_000 / 60):,.0f}x faster than LinkedIn allows"
    )


if __name__ == "__main__":
    main()
