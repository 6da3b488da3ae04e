"""``bench/rules``: the cost of evaluating 100 and 1,000 realistic rules per message.

The rule sets and messages come from ``_rules_data`` (seeded). Each message is timed alone,
after the per-channel plans are warm; compile time and the cold plan build are printed
separately. Every message is also evaluated in full (``explain=True``) and the actions
compared, so a fast wrong answer cannot pass unnoticed.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _rules_data import directory, make_messages, make_raw_rules, make_rules

from rules.compile import CompiledRules, compile_rules
from rules.evaluate import evaluate
from rules.facts import Facts
from rules.schema import parse_rules


def _measure(compiled: CompiledRules, messages: list[Facts]) -> dict[str, float]:
    for facts in messages[:50]:  # warm the interpreter's caches
        evaluate(compiled, facts)
    times, explained, matches, actions, mismatches = [], [], 0, 0, 0
    clock = time.perf_counter_ns
    for facts in messages:
        t0 = clock()
        result = evaluate(compiled, facts)
        t1 = clock()
        full = evaluate(compiled, facts, explain=True)
        explained.append((clock() - t1) / 1e6)
        times.append((t1 - t0) / 1e6)
        matches += len(result.trace)
        actions += len(result.actions)
        if full.actions != result.actions:
            mismatches += 1
    times.sort()
    n = len(times)
    return {
        "explain": statistics.median(explained),
        "median": statistics.median(times),
        "p90": times[int(n * 0.90)],
        "p99": times[int(n * 0.99)],
        "max": times[-1],
        "matches": matches / n,
        "actions": actions / n,
        "mismatches": mismatches,
    }


def _report(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:<34} median {figures['median']:.4f} ms  p90 {figures['p90']:.4f}  "
        f"p99 {figures['p99']:.4f}  max {figures['max']:.3f}  "
        f"matches/msg {figures['matches']:.2f}  actions/msg {figures['actions']:.2f}  "
        f"fast==full: {'yes' if not figures['mismatches'] else 'NO'}  "
        f"(dry run with full trace: median {figures['explain']:.3f} ms)"
    )


def main() -> None:
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    messages = make_messages(args.messages, args.seed + 1)
    words = [len(f.message.text.split()) for f in messages]
    mean = statistics.mean(words)
    print(f"{len(messages)} messages, {min(words)}-{max(words)} words (mean {mean:.0f})")
    for count in (100, 1000):
        raw = make_raw_rules(count, args.seed)
        t0 = time.perf_counter()
        rules = parse_rules(raw)
        t1 = time.perf_counter()
        compile_rules(rules, directory(), warm=False)
        t2 = time.perf_counter()
        compiled = compile_rules(rules, directory())
        t3 = time.perf_counter()
        print(
            f"{count} rules: schema validation {(t1 - t0) * 1e3:.1f} ms; "
            f"compile {(t2 - t1) * 1e3:.1f} ms; "
            f"compile with the 8 channel/kind plans built {(t3 - t2) * 1e3:.1f} ms"
        )
        _report(f"  {count} rules", _measure(compiled, messages))
    language_rule = {
        "name": "Russian speakers",
        "when": "message_received",
        "if": {"language": ["ru"]},
        "then": [{"add_label": "ru"}],
    }
    rules = [*parse_rules([language_rule]), *make_rules(1000, args.seed)]
    compiled = compile_rules(rules, directory())
    t0 = time.perf_counter()
    messages[0].language()
    print(f"language model loaded in {(time.perf_counter() - t0) * 1e3:.0f} ms (first use only)")
    sample = make_messages(min(args.messages, 2000), args.seed + 1)  # fresh: nothing cached
    _report("  1000 rules + a language rule", _measure(compiled, sample))
    print(f"total {time.perf_counter() - started:.1f} s")
