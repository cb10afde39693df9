"""The staff dashboard's numbers, read from the daily aggregates (never the raw events) and the feedback:
daily active owners, generations per provider, p50/p95 generation time, error rate, tool and section
popularity, guest -> account -> paid conversion, acceptance of results, retention-queue health."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from nanobananas.analytics.models import DailyAggregate, Feedback
from nanobananas.analytics.services import ACTIVE_OWNERS

__all__ = ["Acceptance", "Dashboard", "aggregate_rows", "dashboard_get", "stats_lines"]


@dataclass(frozen=True)
class Acceptance:
    """Votes on results made one way (a provider, an operation or a plan): how many, and the share up."""

    key: str
    up: int
    down: int
    operation: str = ""
    provider: str = ""

    @property
    def votes(self) -> int:
        return self.up + self.down

    @property
    def rate(self) -> float:
        return 100 * self.up / self.votes if self.votes else 0.0


@dataclass
class Dashboard:
    days: list[date]
    active_owners: list[int | None] = field(default_factory=list)
    generations: dict[str, list[int | None]] = field(default_factory=dict)
    p50_ms: list[int | None] = field(default_factory=list)
    p95_ms: list[int | None] = field(default_factory=list)
    error_rate: list[float | None] = field(default_factory=list)
    tools: list[tuple[str, int]] = field(default_factory=list)
    sections: list[tuple[str, int]] = field(default_factory=list)
    funnel: list[tuple[str, int]] = field(default_factory=list)
    by_provider: list[Acceptance] = field(default_factory=list)
    by_operation: list[Acceptance] = field(default_factory=list)
    lowest_plans: list[Acceptance] = field(default_factory=list)
    retention: dict[str, Any] = field(default_factory=dict)
    failed_jobs: int = 0
    finished_jobs: int = 0

    def totals(self) -> dict[str, Any]:
        """The key numbers of the period (for `nanobananas stats` and the top of the page)."""
        made = sum(v or 0 for points in self.generations.values() for v in points)
        known = [v for v in self.active_owners if v is not None]
        return {
            "days": len(self.days),
            "active_owners_last_day": self.active_owners[-1] or 0 if self.active_owners else 0,
            "active_owners_daily_average": round(sum(known) / len(self.days), 1) if self.days else 0,
            "generations": made,
            "generations_by_provider": {
                name: sum(v or 0 for v in points) for name, points in sorted(self.generations.items())
            },
            "p50_ms_last": next((v for v in reversed(self.p50_ms) if v is not None), None),
            "p95_ms_last": next((v for v in reversed(self.p95_ms) if v is not None), None),
            "error_rate_percent": self._period_error_rate(),
            "top_tools": self.tools[:5],
            "top_sections": self.sections[:5],
            "funnel": dict(self.funnel),
            "acceptance_by_provider": {a.key: round(a.rate, 1) for a in self.by_provider},
            "retention_late": self.retention.get("late", []),
            "pending_blob_deletions": self.retention.get("pending_blob_deletions", 0),
        }

    def _period_error_rate(self) -> float | None:
        return round(100 * self.failed_jobs / self.finished_jobs, 2) if self.finished_jobs else None


def _counts(metric: str, start: date, end: date) -> dict[tuple[date, str], DailyAggregate]:
    rows = DailyAggregate.objects.filter(metric=metric, day__gte=start, day__lte=end)
    return {(row.day, row.dimension): row for row in rows}


def _acceptance(group: str) -> list[Acceptance]:
    rows = (
        Feedback.objects.values(group)
        .annotate(up=Count("id", filter=Q(rating=Feedback.Rating.UP)), down=Count("id", filter=Q(rating="down")))
        .order_by(group)
    )
    return [Acceptance(key=row[group] or "(none)", up=row["up"], down=row["down"]) for row in rows]


def _lowest_plans(limit: int) -> list[Acceptance]:
    rows = (
        Feedback.objects.exclude(plan_sha256="")
        .values("plan_sha256", "operation", "provider")
        .annotate(up=Count("id", filter=Q(rating=Feedback.Rating.UP)), down=Count("id", filter=Q(rating="down")))
    )
    plans = [
        Acceptance(key=r["plan_sha256"], up=r["up"], down=r["down"], operation=r["operation"], provider=r["provider"])
        for r in rows
        if r["down"]
    ]
    return sorted(plans, key=lambda a: (a.rate, -a.votes, a.key))[:limit]


def dashboard_get(*, days: int = 30, today: date | None = None, with_retention: bool = True) -> Dashboard:
    """The last `days` days up to `today` (UTC), from the aggregates."""
    from nanobananas.privacy.selectors import retention_report

    end = today or timezone.localdate()
    start = end - timedelta(days=days - 1)
    board = Dashboard(days=[start + timedelta(days=n) for n in range(days)])
    active = _counts(ACTIVE_OWNERS, start, end)
    made = _counts("generation_completed", start, end)
    errors = _counts("error", start, end)
    board.active_owners = [active[(d, "")].count if (d, "") in active else None for d in board.days]
    providers = sorted({dimension for _, dimension in made if dimension})
    board.generations = {p: [made[(d, p)].count if (d, p) in made else 0 for d in board.days] for p in providers}
    board.p50_ms = [made[(d, "")].p50_ms if (d, "") in made else None for d in board.days]
    board.p95_ms = [made[(d, "")].p95_ms if (d, "") in made else None for d in board.days]
    for d in board.days:
        failed = errors[(d, "")].count if (d, "") in errors else 0
        attempts = failed + (made[(d, "")].count if (d, "") in made else 0)
        board.error_rate.append(100 * failed / attempts if attempts else None)
        board.failed_jobs += failed
        board.finished_jobs += attempts
    for metric, target in (("tool_used", board.tools), ("section_viewed", board.sections)):
        totals: dict[str, int] = defaultdict(int)
        for (_, dimension), row in _counts(metric, start, end).items():
            if dimension:
                totals[dimension] += row.count
        target.extend(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
    signed_up = _counts("signed_up", start, end)
    upgraded = _counts("upgraded", start, end)
    board.funnel = [
        ("guest-days", sum(row.count for (_, dim), row in active.items() if dim == "guest")),
        ("guest sign-ups", sum(row.count for (_, dim), row in signed_up.items() if dim == "guest")),
        ("sign-ups", sum(row.count for (_, dim), row in signed_up.items() if dim == "")),
        ("upgrades", sum(row.count for (_, dim), row in upgraded.items() if dim == "")),
    ]
    board.by_provider = _acceptance("provider")
    board.by_operation = _acceptance("operation")
    board.lowest_plans = _lowest_plans(10)
    if with_retention:
        board.retention = retention_report().as_dict()
    return board


def aggregate_rows(*, start: date, end: date) -> list[list[Any]]:
    """Every aggregate of the period as CSV rows (a header first)."""
    rows: list[list[Any]] = [["day", "metric", "dimension", "count", "p50_ms", "p95_ms"]]
    for a in DailyAggregate.objects.filter(day__gte=start, day__lte=end).order_by("day", "metric", "dimension"):
        rows.append([a.day.isoformat(), a.metric, a.dimension, a.count, a.p50_ms or "", a.p95_ms or ""])
    return rows


def stats_lines(totals: dict[str, Any]) -> list[str]:
    """The key numbers as lines for the terminal (`nanobananas stats`)."""

    def ms(value: int | None) -> str:
        return "none" if value is None else f"{value} ms"

    rate = totals["error_rate_percent"]
    lines = [
        f"period: last {totals['days']} days (UTC), from the daily aggregates",
        f"active owners: {totals['active_owners_last_day']} on the last day, "
        f"{totals['active_owners_daily_average']} a day on average",
        f"generations: {totals['generations']}"
        + "".join(f"\n  {name}: {n}" for name, n in totals["generations_by_provider"].items()),
        f"generation time (last day with any): p50 {ms(totals['p50_ms_last'])}, p95 {ms(totals['p95_ms_last'])}",
        f"error rate: {'none' if rate is None else f'{rate} %'}",
        "tools: " + (", ".join(f"{name} {n}" for name, n in totals["top_tools"]) or "none"),
        "sections: " + (", ".join(f"{name} {n}" for name, n in totals["top_sections"]) or "none"),
        "conversion: " + ", ".join(f"{name} {n}" for name, n in totals["funnel"].items()),
        "results accepted: "
        + (", ".join(f"{name} {rate_} %" for name, rate_ in totals["acceptance_by_provider"].items()) or "no votes"),
        f"retention queue: {', '.join(totals['retention_late']) or 'nothing late'}, "
        f"{totals['pending_blob_deletions']} blob deletions waiting",
    ]
    return lines
