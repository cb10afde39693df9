"""Scheduled account jobs: login records older than 30 days and expired sessions go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nanobananas.accounts.models import UserSession
from nanobananas.accounts.tasks import purge_expired_sessions, purge_login_logs

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_the_nightly_job_purges_login_logs_older_than_30_days() -> None:
    from axes.models import AccessLog

    old = AccessLog.objects.create(user_agent="ua", ip_address="10.0.0.1", username="x", http_accept="*/*")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=30, minutes=1))
    recent = AccessLog.objects.create(user_agent="ua", ip_address="10.0.0.1", username="x", http_accept="*/*")
    purge_login_logs.call_local()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_hourly_job_clears_expired_sessions() -> None:
    now = timezone.now()
    UserSession.objects.create(session_key="a" * 32, session_data="x", expire_date=now - timedelta(seconds=1))
    UserSession.objects.create(session_key="b" * 32, session_data="x", expire_date=now + timedelta(days=1))
    purge_expired_sessions.call_local()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["b" * 32]
