"""The staff analytics dashboard in the browser, on seeded aggregates: the SVG charts show the seeded numbers,
the key numbers agree, and the CSV holds the rows."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.live_server import Server, server_environment

SEED = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from datetime import date, timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from nanobananas.analytics.models import DailyAggregate

get_user_model().objects.create_superuser(username="ops", email="ops@example.org", password="dashboards 4 staff")
today = timezone.localdate()
rows = []
for back, (owners, builtin, gemini, errors) in enumerate([(8, 2, 3, 1), (5, 6, 0, 0), (3, 4, 1, 0)]):
    day = today - timedelta(days=back)
    rows += [
        DailyAggregate(day=day, metric="active_owners", dimension="", count=owners, computed_at=timezone.now()),
        DailyAggregate(day=day, metric="generation_completed", dimension="", count=builtin + gemini,
                       p50_ms=100 * (back + 1), p95_ms=900 * (back + 1), computed_at=timezone.now()),
        DailyAggregate(day=day, metric="generation_completed", dimension="builtin", count=builtin,
                       computed_at=timezone.now()),
        DailyAggregate(day=day, metric="generation_completed", dimension="gemini", count=gemini,
                       computed_at=timezone.now()),
        DailyAggregate(day=day, metric="error", dimension="", count=errors, computed_at=timezone.now()),
    ]
rows += [
    DailyAggregate(day=today, metric="tool_used", dimension="upscale", count=7, computed_at=timezone.now()),
    DailyAggregate(day=today, metric="tool_used", dimension="remove_background", count=11, computed_at=timezone.now()),
    DailyAggregate(day=today, metric="section_viewed", dimension="image", count=9, computed_at=timezone.now()),
    DailyAggregate(day=today, metric="signed_up", dimension="", count=2, computed_at=timezone.now()),
    DailyAggregate(day=today, metric="signed_up", dimension="guest", count=2, computed_at=timezone.now()),
    DailyAggregate(day=today, metric="upgraded", dimension="", count=1, computed_at=timezone.now()),
]
DailyAggregate.objects.bulk_create(rows)
"""


def _value(page: object, selector: str) -> str:
    return str(page.locator(selector).get_attribute("data-value"))  # type: ignore[attr-defined]


def test_the_dashboard_draws_the_seeded_aggregates(page: object, studio_server: Server) -> None:
    subprocess.run([sys.executable, "-c", SEED], env=server_environment(studio_server.home), check=True)
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    p = page
    base = studio_server.url
    p.goto(f"{base}/admin/login/?next=/admin/analytics/dailyaggregate/dashboard/%3Fdays%3D7")  # type: ignore[attr-defined]
    p.fill("#id_username", "ops")  # type: ignore[attr-defined]
    p.fill("#id_password", "dashboards 4 staff")  # type: ignore[attr-defined]
    p.click("input[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector("svg[data-chart='Daily active owners']")  # type: ignore[attr-defined]

    active = "svg[data-chart='Daily active owners'] circle"
    assert _value(p, f"{active}[data-day='{today}']") == "8"
    assert _value(p, f"{active}[data-day='{yesterday}']") == "5"
    assert p.locator(active).count() == 3  # type: ignore[attr-defined]  # days without data draw nothing
    made = "svg[data-chart='Generations per day'] circle"
    assert _value(p, f"{made}[data-series='builtin'][data-day='{yesterday}']") == "6"
    assert _value(p, f"{made}[data-series='gemini'][data-day='{today}']") == "3"
    latency = "svg[data-chart='Generation time'] circle"
    assert _value(p, f"{latency}[data-series='p95'][data-day='{today}']") == "900"
    assert _value(p, f"svg[data-chart='Error rate'] circle[data-day='{today}']") == "17"  # 1 failed of 6 finished jobs
    tools = "svg[data-chart='Tools'] rect"
    assert [r.get_attribute("data-label") for r in p.locator(tools).all()] == ["remove_background", "upscale"]  # type: ignore[attr-defined]
    assert _value(p, "svg[data-chart='Conversion'] rect[data-label='upgrades']") == "1"
    assert p.locator("[data-key='active_owners_last_day']").inner_text() == "8"  # type: ignore[attr-defined]
    assert p.locator("[data-key='generations']").inner_text() == "16"  # type: ignore[attr-defined]
    assert p.locator("[data-key='pending_blob_deletions']").inner_text() == "0"  # type: ignore[attr-defined]

    response = p.request.get(f"{base}/admin/analytics/dailyaggregate/dashboard.csv?days=7")  # type: ignore[attr-defined]
    assert response.status == 200
    lines = response.text().splitlines()
    assert lines[0] == "day,metric,dimension,count,p50_ms,p95_ms"
    assert f"{today},active_owners,,8,," in lines
    assert f"{today},generation_completed,,5,100,900" in lines
