"""What ``bench/newsletter`` prints: each case as it ends, then one table of all of them."""

from __future__ import annotations

from typing import Any


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_case(r: dict[str, Any]) -> None:
    c, f, db = r["case"], r["fake"], r["db"]
    unit = "msg" if c["platform"] == "telegram" else "calls"
    setting = (
        "OMNIBOX_TELEGRAM_MESSAGES_PER_SECOND"
        if c["platform"] == "telegram"
        else "OMNIBOX_VK_REQUESTS_PER_SECOND"
    )
    steady = r["steady_calls_per_s"]
    print(f"\n  == {c['name']}: {r['ended']} ==")
    print(
        f"  caps: fake {c['cap']} {unit}/s per token (429 / VK error 6 past it); service "
        f"{setting}={c['service_rate']:g}; campaign created via {r['created_via']}"
    )
    print(
        f"  recipients {r['recipients']}, elapsed {r['elapsed_s']:.1f} s (campaign created -> "
        f"done and outbox empty); started->finished in db "
        f"{_s(db['started_to_finished_s'])}"
    )
    ratio = r["ratio"] or 0.0
    print(
        f"  achieved: {r['calls_per_s']:.2f} calls/s, {r['recipients_per_s']:.1f} recipients/s "
        f"over the accepted span {f['accepted_span_s']:.1f} s; ratio to cap {ratio:.3f} "
        f"(goal >= {r['goal_ratio']}: {_met(ratio >= r['goal_ratio'])}); per full second: "
        f"min {steady['min']}, median {steady['median']}, max {steady['max']}; "
        f"{r['peers_per_call']} peers per accepted call"
    )
    print(
        f"  platform: {f['calls']} calls, {f['accepted_calls']} accepted, {f['rate_limited']} "
        f"rate-limited (429s), other errors {f['other_errors'] or 0}; VK repeats dropped "
        f"(same random_id) {f['repeats_dropped']}"
    )
    print(
        f"  duplicates: {r['duplicates']} (goal 0: {_met(r['duplicates'] == 0)})"
        + (f" e.g. {f['duplicate_sample'][:5]}" if r["duplicates"] else "")
    )
    print(
        f"  delivered {r['delivered']}, never delivered {r['never_delivered']}; not sent per "
        f"db {db['not_sent']} (of which 'may have reached, not resent' "
        f"{db['not_resent_may_have_reached']}, and the platform did get "
        f"{db['failed_but_delivered']}); sent per db but not at the platform "
        f"{db['sent_but_not_delivered']}"
    )
    for why, n in sorted(db["not_sent_reasons"].items(), key=lambda kv: -kv[1])[:6]:
        print(f"    {n:>7}  {why}")
    p = db["progress"]
    counts = ", ".join(f"{k} {v}" for k, v in sorted(p["recipients"].items()))
    print(
        f"  final progress: campaign {p['status']}, recipients {counts}; outbox still open "
        f"{p['outbox_open']}; outbox attempts {db['outbox_attempts']}"
    )
    for k in r["kills"]:
        print(f"  killed at {k['at_s']:.1f} s with {k['delivered_then']} delivered")


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} s"


def print_summary(results: list[dict[str, Any]]) -> None:
    cols = (
        f"{'case':<15}{'recips':>8}{'cap/s':>7}{'svc/s':>7}{'elapsed':>9}{'calls/s':>9}"
        f"{'rcpt/s':>9}{'ratio':>7}{'dups':>6}{'never':>7}{'notsent':>8}{'429s':>7}"
        f"{'kills':>6}  ended"
    )
    print("\n" + cols)
    print("-" * len(cols))
    for r in results:
        c = r["case"]
        print(
            f"{c['name']:<15}{r['recipients']:>8}{c['cap']:>7}{c['service_rate']:>7g}"
            f"{r['elapsed_s']:>8.1f}s{r['calls_per_s']:>9.2f}{r['recipients_per_s']:>9.1f}"
            f"{(r['ratio'] or 0):>7.3f}{r['duplicates']:>6}{r['never_delivered']:>7}"
            f"{r['db']['not_sent']:>8}{r['rate_limited']:>7}{len(r['kills']):>6}  {r['ended']}"
        )
    print(
        "\nratio = accepted platform calls/s over the span of accepted calls / the fake's cap "
        "(goal >= 0.95); dups = recipients delivered more than once (goal 0); never = audience "
        "the platform never got; notsent = recipients not 'sent' in the database."
    )
