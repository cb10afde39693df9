"""The dashboard's numbers from the aggregates and the feedback, its SVG charts, and `nanobananas stats`."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from nanobananas.analytics.charts import bar_chart, line_chart
from nanobananas.analytics.dashboard import aggregate_rows, dashboard_get
from nanobananas.analytics.models import DailyAggregate, Feedback
from nanobananas.cli import main

pytestmark = [pytest.mark.django_db, pytest.mark.database]

TODAY = date(2026, 3, 14)


def _seed() -> None:
    now = timezone.now()
    rows = [
        ("active_owners", "", 4, None, None, 0), ("active_owners", "", 6, None, None, 1),
        ("active_owners", "guest", 2, None, None, 0), ("active_owners", "guest", 3, None, None, 1),
        ("generation_completed", "", 9, 120, 800, 0), ("generation_completed", "builtin", 7, None, None, 0),
        ("generation_completed", "gemini", 2, None, None, 0), ("generation_completed", "", 1, 90, 90, 1),
        ("generation_completed", "builtin", 1, None, None, 1), ("error", "", 1, None, None, 0),
        ("tool_used", "upscale", 3, None, None, 0), ("tool_used", "erase", 5, None, None, 1),
        ("section_viewed", "image", 8, None, None, 0), ("signed_up", "", 2, None, None, 0),
        ("signed_up", "guest", 1, None, None, 0), ("upgraded", "", 1, None, None, 0),
        ("generation_completed", "builtin", 50, None, None, 5),  # before the period: not counted
    ]  # fmt: skip
    DailyAggregate.objects.bulk_create(
        DailyAggregate(day=TODAY - timedelta(days=back), metric=metric, dimension=dim, count=count,
                       p50_ms=p50, p95_ms=p95, computed_at=now)
        for metric, dim, count, p50, p95, back in rows
    )  # fmt: skip


def _vote(n: int, rating: str, *, plan: str, operation: str, provider: str) -> None:
    user = get_user_model().objects.create_user(username=f"v{n}", password="x" * 12)
    now = timezone.now()
    Feedback.objects.create(asset_id=uuid.uuid4(), owner_user=user, rating=rating, plan_sha256=plan,
                            operation=operation, provider=provider, created_at=now, updated_at=now)  # fmt: skip


def test_the_dashboard_reads_the_period_from_the_aggregates() -> None:
    _seed()
    board = dashboard_get(days=3, today=TODAY)
    assert board.days == [date(2026, 3, 12), date(2026, 3, 13), date(2026, 3, 14)]
    assert board.active_owners == [None, 6, 4]
    assert board.generations == {"builtin": [0, 1, 7], "gemini": [0, 0, 2]}
    assert (board.p50_ms, board.p95_ms) == ([None, 90, 120], [None, 90, 800])
    assert board.error_rate == [None, 0.0, 10.0]
    assert board.tools == [("erase", 5), ("upscale", 3)]
    assert board.sections == [("image", 8)]
    assert board.funnel == [("guest-days", 5), ("guest sign-ups", 1), ("sign-ups", 2), ("upgrades", 1)]
    totals = board.totals()
    assert {k: totals[k] for k in ("active_owners_last_day", "generations", "error_rate_percent", "p95_ms_last")} == {
        "active_owners_last_day": 4, "generations": 10, "error_rate_percent": 9.09, "p95_ms_last": 800,
    }  # fmt: skip


def test_acceptance_per_provider_and_operation_and_the_lowest_rated_plans() -> None:
    votes = [("up", "a" * 64, "poster", "builtin"), ("down", "a" * 64, "poster", "builtin"),
             ("down", "b" * 64, "edit", "gemini"), ("down", "b" * 64, "edit", "gemini"),
             ("up", "c" * 64, "edit", "gemini")]  # fmt: skip
    for n, (rating, plan, operation, provider) in enumerate(votes):
        _vote(n, rating, plan=plan, operation=operation, provider=provider)
    board = dashboard_get(days=1, today=TODAY, with_retention=False)
    assert [(a.key, a.up, a.down) for a in board.by_provider] == [("builtin", 1, 1), ("gemini", 1, 2)]
    assert [(a.key, round(a.rate)) for a in board.by_operation] == [("edit", 33), ("poster", 50)]
    assert [(a.key[:1], a.votes, a.rate) for a in board.lowest_plans] == [("b", 2, 0.0), ("a", 2, 50.0)]


def test_the_csv_rows_are_the_aggregates_of_the_period() -> None:
    _seed()
    rows = aggregate_rows(start=TODAY, end=TODAY)
    assert rows[0] == ["day", "metric", "dimension", "count", "p50_ms", "p95_ms"]
    assert ["2026-03-14", "generation_completed", "", 9, 120, 800] in rows
    assert len(rows) == 1 + 11


def test_chart_labels_are_escaped_and_values_are_drawn() -> None:
    svg = bar_chart("Tools", [("<script>alert(1)</script>", 3)])
    assert "<script>" not in svg
    assert 'data-value="3"' in svg
    line = line_chart("x", [TODAY, TODAY + timedelta(days=1)], {'a"b': [1, None]})
    assert 'data-series="a&quot;b"' in line
    assert line.count("<circle") == 1


def test_stats_prints_the_key_numbers(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    _seed()
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    assert main(["stats", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "active owners: 4 on the last day, 3.3 a day on average" in out
    assert "generations: 10\n  builtin: 8\n  gemini: 2" in out
    assert "generation time (last day with any): p50 120 ms, p95 800 ms" in out
    assert "error rate: 9.09 %" in out
    assert "tools: erase 5, upscale 3" in out
    assert "conversion: guest-days 5, guest sign-ups 1, sign-ups 2, upgrades 1" in out
    assert main(["stats", "--days", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["generations_by_provider"] == {"builtin": 8, "gemini": 2}
    assert main(["stats", "--days", "0"]) == 2
    assert "--days is 1 to 366" in capsys.readouterr().err
