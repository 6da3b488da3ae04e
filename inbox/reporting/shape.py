"""The report's metric block: what each family's aggregates become in the API's answer.

Durations are seconds (count, mean, median, p90); SLA compliance is met ÷ (met + breached)
over decided targets; CSAT adds the 1-5 distribution and the share of 4s and 5s.
"""

from __future__ import annotations

from typing import Any

DURATIONS = (
    "first_response",
    "first_response_business",
    "first_automated_response",
    "response",
    "response_business",
    "resolution",
    "resolution_business",
)
SLA_METRICS = ("first_response", "next_response", "resolution")


def merge_group(into: dict[str, Any], family: str, values: dict[str, Any]) -> None:
    into[f"{family}_rows"] = values.pop("rows", 0)
    into.update(values)


def _stats(values: dict[str, Any], name: str) -> dict[str, Any]:
    found = values.get(name)
    if not found:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    return dict(found)


def metrics_of(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cycles": values.get("opened_rows", 0),
        "resolved": values.get("resolved_rows", 0),
        "customer_turns": values.get("turns_rows", 0),
        "answered_turns": values.get("answered", 0),
    }
    for name in DURATIONS:
        out[name] = _stats(values, name)
    csat = _stats(values, "csat")
    distribution = {str(n): int(values.get(f"csat_{n}", 0)) for n in range(1, 6)}
    answered = sum(distribution.values())
    csat["distribution"] = distribution
    csat["satisfied_share"] = (
        (distribution["4"] + distribution["5"]) / answered if answered else None
    )
    out["csat"] = csat
    sla = {}
    for name in SLA_METRICS:
        met = int(values.get(f"sla_{name}_met", 0))
        breached = int(values.get(f"sla_{name}_breached", 0))
        decided = met + breached
        sla[name] = {
            "met": met,
            "breached": breached,
            "compliance": met / decided if decided else None,
        }
    out["sla"] = sla
    return out


def empty_metrics() -> dict[str, Any]:
    return metrics_of({})
