"""Draw how cost grows with work from the JSON the bench commands write (`--json PATH`).

    uv run python bench/charts.py --search search.json --web web-10k.json web-100k.json \
        web-1m.json --backfill backfill.json --out bench/

Each chart is a PNG beside bench/RESULTS.md: search p95 per query class against candidates (one
panel per backend), page p99 against candidates, and backfill records/s against batch size with
the sandbox's ceiling at the same size. Axes are logarithmic where the sizes grow tenfold, so a
straight line's slope reads as the growth order.
"""

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no screen here
import matplotlib.pyplot as plt

FLOOR_STYLE = {"linestyle": "--", "color": "grey"}


def read(path: Path) -> dict[str, Any]:
    report = json.loads(path.read_text())
    if "figures" not in report:
        raise SystemExit(f"{path}: no 'figures' (not a bench --json file)")
    return report


def stamp(report: dict[str, Any]) -> str:
    return f"{report.get('date', '?')[:10]} at {report.get('git', '?')}"


def search_chart(report: dict[str, Any], out: Path) -> Path:
    """p95 of each query class against candidates, one panel per backend, the floor dashed."""
    runs: dict[str, dict[int, dict[str, Any]]] = {}
    for key, run in report["figures"].items():
        backend, size = key.split("/")
        runs.setdefault(backend, {})[int(size)] = run["figures"]
    figure, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4.5), squeeze=False)
    for axis, (backend, by_size) in zip(axes[0], sorted(runs.items()), strict=True):
        sizes = sorted(by_size)
        for query_class in by_size[sizes[0]]:
            p95 = [by_size[size][query_class]["p95_ms"] for size in sizes]
            style = FLOOR_STYLE if query_class.startswith("floor") else {"marker": "o"}
            axis.plot(sizes, p95, label=query_class, **style)
        axis.axhline(50, color="red", linewidth=0.8, label="goal p95 50 ms")
        axis.set(xscale="log", yscale="log", title=backend, xlabel="candidates")
        axis.set_ylabel("p95 (ms)")
        axis.legend(fontsize=7)
    figure.suptitle(f"Candidate search p95 by query class ({stamp(report)})")
    return save(figure, out / "search_p95.png")


def web_chart(reports: list[dict[str, Any]], out: Path) -> Path:
    """p99 of each endpoint against the candidates in the database it ran on."""
    points: dict[str, list[tuple[int, float]]] = {}
    for report in reports:
        candidates = int(report["params"]["candidates"])
        for endpoint, figures in report["figures"].items():
            points.setdefault(endpoint, []).append((candidates, figures["alone_p99_ms"]))
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for endpoint, series in sorted(points.items()):
        series.sort()
        style = FLOOR_STYLE if endpoint == "healthz" else {"marker": "o"}
        axis.plot([c for c, _ in series], [p for _, p in series], label=endpoint, **style)
    axis.set(xscale="log", yscale="log", xlabel="candidates", ylabel="p99 (ms), one connection")
    axis.legend(fontsize=7)
    axis.set_title(f"Page and API p99 against candidates ({stamp(reports[-1])})")
    return save(figure, out / "web_p99.png")


def backfill_chart(report: dict[str, Any], out: Path) -> Path:
    """Backfill records/s and the sandbox's own ceiling at each batch size, share on the right."""
    rows = sorted(report["figures"]["by_batch_size"], key=lambda row: row["batch_size"])
    sizes = [row["batch_size"] for row in rows]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(sizes, [row["records_per_s"] for row in rows], marker="o", label="backfill")
    axis.plot(sizes, [row["ceiling_records_per_s"] for row in rows], label="sandbox ceiling")
    axis.set(xscale="log", xlabel="records per batch call", ylabel="records/s")
    axis.set_xticks(sizes, [str(size) for size in sizes])
    share = axis.twinx()
    share.plot(sizes, [100 * row["share_of_ceiling"] for row in rows], color="green", marker="x")
    share.set_ylabel("share of ceiling (%)", color="green")
    share.set_ylim(0, 100)
    axis.legend(loc="upper left", fontsize=8)
    axis.set_title(
        f"Backfill rate against batch size, {report['params']['candidates']:,} candidates "
        f"({stamp(report)})"
    )
    return save(figure, out / "backfill_batch.png")


def save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search", type=Path, help="bench/search.py --json output")
    parser.add_argument("--web", type=Path, nargs="*", default=[], help="bench/web.py outputs")
    parser.add_argument("--backfill", type=Path, help="bench/backfill.py --batch-sizes output")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    if not (args.search or args.web or args.backfill):
        parser.error("give at least one of --search, --web, --backfill")
    args.out.mkdir(parents=True, exist_ok=True)
    drawn = []
    if args.search:
        drawn.append(search_chart(read(args.search), args.out))
    if args.web:
        drawn.append(web_chart([read(path) for path in args.web], args.out))
    if args.backfill:
        drawn.append(backfill_chart(read(args.backfill), args.out))
    for path in drawn:
        print(path)


if __name__ == "__main__":
    main()
