"""Staff views of analytics, read-only: aggregates and raw events, feedback, error reports; bug reports open
through an audited page."""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from nanobananas.analytics.charts import bar_chart, line_chart
from nanobananas.analytics.dashboard import aggregate_rows, dashboard_get
from nanobananas.analytics.feedback import ConversationNotShared, bug_report_conversation_open
from nanobananas.analytics.models import BugReport, DailyAggregate, ErrorReport, Event, Feedback
from nanobananas.audit.services import audit_record

MAX_DAYS = 366


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyAggregate)
class DailyAggregateAdmin(ReadOnlyAdmin):
    """The aggregates, and the dashboard drawn from them (charts as SVG made on the server) with its CSV."""

    list_display = ("day", "metric", "dimension", "count", "p50_ms", "p95_ms")
    list_filter = ("metric",)
    date_hierarchy = "day"

    def get_urls(self) -> list[Any]:
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="analytics_dashboard"),
            path("dashboard.csv", self.admin_site.admin_view(self.csv_view), name="analytics_dashboard_csv"),
            *super().get_urls(),
        ]

    def _days(self, request: HttpRequest) -> int:
        raw = request.GET.get("days", "30")
        return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_DAYS else 30

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        board = dashboard_get(days=self._days(request))
        charts = {
            "active": line_chart("Daily active owners", board.days, {"active owners": board.active_owners}),
            "generations": line_chart("Generations per day", board.days, dict(board.generations)),
            "latency": line_chart(
                "Generation time", board.days, {"p50": board.p50_ms, "p95": board.p95_ms}, unit=" ms"
            ),
            "errors": line_chart("Error rate", board.days, {"failed jobs": board.error_rate}, unit=" %"),
            "tools": bar_chart("Tools", board.tools),
            "sections": bar_chart("Sections", board.sections),
            "funnel": bar_chart("Conversion", board.funnel),
            "by_provider": bar_chart("Accepted by provider", [(a.key, a.rate) for a in board.by_provider], unit=" %"),
            "by_operation": bar_chart(
                "Accepted by operation", [(a.key, a.rate) for a in board.by_operation], unit=" %"
            ),
        }
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Analytics dashboard",
            "board": board, "totals": board.totals(), "periods": (7, 30, 90),
            # Every label in the SVG is escaped where it is drawn (charts.py).
            "charts": {name: mark_safe(svg) for name, svg in charts.items()},
            "raw_days": settings.NANOBANANAS["ANALYTICS_RAW_DAYS"],
        }  # fmt: skip
        return TemplateResponse(request, "analytics/dashboard.html", context)

    def csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        end = timezone.localdate()
        start = end - timedelta(days=self._days(request) - 1)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="analytics-{start}-{end}.csv"'
        csv.writer(response).writerows(aggregate_rows(start=start, end=end))
        return response


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "name", "label", "operation", "duration_ms", "owner_kind", "browser", "device")
    list_filter = ("name", "owner_kind")
    date_hierarchy = "day"


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("updated_at", "rating", "reason", "operation", "provider", "plan_sha256")
    list_filter = ("rating", "reason", "provider", "operation")
    exclude = ("owner_user", "owner_guest", "asset_id")


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "exception_class", "operation", "provider", "duration_ms", "plan_sha256")
    list_filter = ("exception_class", "provider")


@admin.register(BugReport)
class BugReportAdmin(ReadOnlyAdmin):
    """The list shows no words; opening a report (its words and a shared conversation) is audited."""

    list_display = ("created_at", "page", "shared_until", "open_link")
    fields = ("created_at", "page", "shared_until")

    @admin.display(description="report")
    def open_link(self, obj: BugReport) -> str:
        url = reverse(f"{self.admin_site.name}:analytics_bug_report_open", args=[obj.pk])
        return format_html('<a href="{}">Open (audited)</a>', url)

    def get_urls(self) -> list[Any]:
        opened = path("<uuid:report_id>/open/", never_cache(self.open_view), name="analytics_bug_report_open")
        return [opened, *super().get_urls()]

    def open_view(self, request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
        if not self.admin_site.has_permission(request) or not request.user.has_perm("analytics.view_bugreport"):
            raise Http404("No such page.")
        report = BugReport.objects.filter(id=report_id).first()
        if report is None:
            raise Http404("No such bug report.")
        context: dict[str, Any] = {**self.admin_site.each_context(request), "opts": self.opts, "report": report,
                                   "title": "Bug report", "turns": None, "not_shared": ""}  # fmt: skip
        try:
            context["turns"] = bug_report_conversation_open(report_id=report.id, staff_user_id=request.user.pk or 0)
        except ConversationNotShared as exc:
            context["not_shared"] = exc.message
            audit_record(
                kind="bug_report.viewed", actor=f"staff:{request.user.pk}", owner_key=report.sealing_owner,
                target_type="bug_report", target_id=str(report.id),
            )  # fmt: skip
        return TemplateResponse(request, "analytics/bug_report_open.html", context)
