"""What ``bench/reports`` prints: the load, the replay check, the latency table, the plans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from _reports_sql import Spec


def _size(n: int) -> str:
    return f"{n / 1024:.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def brief(r: dict[str, Any]) -> str:
    if r.get("timeout"):
        return "hit the statement timeout"
    runs = f"  ({r['runs']} run{'s' if r['runs'] != 1 else ''})" if "runs" in r else ""
    return f"p50 {r['p50']:>8.1f} ms  p95 {r['p95']:>8.1f}{runs}"


def print_load(stats: dict[str, Any]) -> None:
    rows = stats["rows"]
    print(
        f"   generated in {stats['generate_s']:.1f} s, COPY {stats['copy_s']:.1f} s, "
        f"VACUUM ANALYZE {stats['analyze_s']:.1f} s, total {stats['total_s']:.1f} s"
    )
    print("   rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    s = stats["shape"]
    print(
        f"   cycles: {s['open']:.1%} open, {s['no_human_reply']:.1%} without a human reply, "
        f"CSAT on {s['csat']:.1%} of resolved, SLA policy on {s['sla']:.1%}, breached on "
        f"{s['breached']:.1%}; {s['turns_per_cycle']:.2f} customer turns per cycle"
    )
    print(
        f"   first response median {s['fr_med_min']:.1f} min, p90 {s['fr_p90_min']:.0f} min; "
        f"resolution median {s['res_med_h']:.1f} h, p90 {s['res_p90_h']:.1f} h; "
        f"{s['conversations_with_several_cycles']:.1%} of conversations have several cycles, "
        f"{s['conversations_labelled']:.1%} are labelled; opened {s['first_opened'][:10]} .. "
        f"{s['last_opened'][:10]}"
    )


def print_verify(v: dict[str, Any]) -> bool:
    ok = True
    print(
        f"   recorder.record re-derived {v['conversations']} conversations "
        f"({v['record_ms_per_conversation']:.1f} ms each):"
    )
    for kind in ("cycles", "turns"):
        c = v[kind]
        wrong = c["rows"] - c["agree"]
        print(f"   {kind}: {c['agree']}/{c['rows']} agree" + (f", {wrong} differ" if wrong else ""))
        if c["fields"] or c["examples"]:
            ok = False
            print(f"     differing fields: {c['fields']}")
            for line in c["examples"]:
                print(f"     {line}")
    return ok


def _cells(r: dict[str, Any], *keys: str) -> list[str]:
    if r.get("timeout"):
        return ["timeout", *[""] * (len(keys) - 1)]
    return [f"{r[k]:.1f}" for k in keys]


_WIDTHS = (34, 9, 8, 8, 5, 10, 12, 9, 11, 9)


def _row(cells: Sequence[str]) -> str:
    first, *rest = cells
    return first.ljust(_WIDTHS[0]) + "".join(
        c.rjust(w) for c, w in zip(rest, _WIDTHS[1:], strict=True)
    )


def print_table(
    specs: list[Spec],
    http: dict[str, Any],
    inproc: dict[str, Any],
    goal_ms: float,
    opened_180: int,
) -> bool:
    names = ("request", "HTTP p50", "p95", "max", "runs", "size", "report p50", "live p50",
             "SQL+py p50", "goal")  # fmt: skip
    line = _row(names)
    print("\n" + line + "\n" + "-" * len(line))
    met, missed = True, []
    for spec in specs:
        h, p = http[spec.name], inproc[spec.name]
        ok = not h.get("timeout") and h["p95"] < goal_ms
        if spec.goal:
            met &= ok
            verdict = "met" if ok else "MISSED"
            if not ok:
                missed.append(spec.name)
        else:
            verdict = "(export)"
        sql = [p["report_ms"], p["live_ms"], p["total_ms"]] if not p.get("timeout") else []
        cells = [
            spec.name, *_cells(h, "p50", "p95", "max"), str(h.get("runs", "")),
            "" if h.get("timeout") else _size(h["bytes"]),
            *([f"{x['p50']:.1f}" for x in sql] if sql else ["timeout", "", ""]), verdict,
        ]  # fmt: skip
        print(_row(cells))
    print(
        "\n(ms; HTTP: end to end through omnibox api; report / live: inbox.reporting called "
        "in-process on an engine, SQL plus the Python around it; runs: timed runs, 1 when the "
        "first was over --slow-s)"
    )
    for spec in specs:
        rows = inproc[spec.name].get("rows")
        if not spec.goal and rows and not http[spec.name].get("timeout"):
            secs = http[spec.name]["p50"] / 1000
            print(f"{spec.name}: {rows:,} rows, {rows / secs:,.0f} rows/s over HTTP")
    total = http.get("summary 180 d", {}).get("cycles")
    if total is not None:
        same = "agrees" if total == opened_180 else "DIFFERS"
        print(f"summary 180 d counts {total:,} cycles; the table has {opened_180:,}: {same}")
    n = sum(1 for s in specs if s.goal)
    verdict = f"yes ({n} of {n})" if met else f"NO ({n - len(missed)} of {n}; missed: "
    print(
        f"every request met the {goal_ms:.0f} ms goal (p95 over HTTP): {verdict}"
        + ("" if met else ", ".join(missed) + ")")
    )
    return met


def print_explains(explains: list[dict[str, Any]]) -> None:
    if not explains:
        return
    print(f"\n== EXPLAIN (ANALYZE, BUFFERS) of {len(explains)} slow statements")
    for e in explains:
        late = " (hit the statement timeout)" if e["timed_out"] else ""
        print(f"\n-- {e['ms']:.1f} ms{late}, in: {', '.join(e['requests'])}")
        print(f"-- params: {e['params']}")
        print(e["sql"])
        print(e["plan"])
