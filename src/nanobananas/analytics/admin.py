"""Staff views of analytics: aggregates and raw events, read-only (there is nothing of a person in them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nanobananas.analytics.models import DailyAggregate, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DailyAggregate)
class DailyAggregateAdmin(ReadOnlyAdmin):
    list_display = ("day", "metric", "dimension", "count", "p50_ms", "p95_ms")
    list_filter = ("metric",)
    date_hierarchy = "day"


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "name", "label", "operation", "duration_ms", "owner_kind", "browser", "device")
    list_filter = ("name", "owner_kind")
    date_hierarchy = "day"
