"""Account services: quotas, retention choice, the plan-change (downgrade) hook, under-13 deletion, log purge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.utils import timezone

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, Profile, QuotaUsage, UserSession
from nanobananas.accounts.plans import PLAN_DEFAULTS
from nanobananas.accounts.selectors import quota_status, retention_hours_for
from nanobananas.accounts.services import (
    guest_create,
    login_logs_purge,
    plan_change,
    quota_consume,
    retention_set,
)
from nanobananas.core.exceptions import Conflict, InvalidInput
from nanobananas.studio.models import Conversation
from nanobananas.workflows.account_delete import account_delete_under_13
from tests.accounts.conftest import make_asset, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _limit(code: str, **limits: int) -> None:
    Plan.objects.update_or_create(code=code, defaults={**PLAN_DEFAULTS[code], **limits})


@time_machine.travel("2026-11-30 15:30:00+00:00", tick=False)
def test_quota_counts_up_to_the_daily_limit_then_refuses_with_the_reset_time() -> None:
    _limit("guest", daily_images=3)
    owner = Owner(guest_id=guest_create().id)
    for _ in range(3):
        quota_consume(owner=owner)
    with pytest.raises(QuotaExceeded) as refused:
        quota_consume(owner=owner)
    assert refused.value.status_code == 429
    assert refused.value.code == "quota_exceeded"
    assert refused.value.message == (
        "You have used all 3 images for today. More at 00:00 UTC. Sign up for a free account to make 50 images a day."
    )
    assert refused.value.resets_at.isoformat() == "2026-12-01T00:00:00+00:00"
    status = quota_status(owner=owner)
    assert (status.daily_used, status.monthly_used, status.left) == (3, 3, 0)
    assert status.summary == "0 of 3 images left today"


def test_the_next_day_starts_a_new_count() -> None:
    _limit("guest", daily_images=1)
    owner = Owner(guest_id=guest_create().id)
    with time_machine.travel("2026-11-30 23:59:00+00:00", tick=False):
        quota_consume(owner=owner)
        with pytest.raises(QuotaExceeded):
            quota_consume(owner=owner)
    with time_machine.travel("2026-12-01 00:00:01+00:00", tick=False):
        quota_consume(owner=owner)
        assert quota_status(owner=owner).summary == "0 of 1 image left today"


@time_machine.travel("2026-11-30 10:00:00+00:00", tick=False)
def test_a_full_month_refuses_and_rolls_back_the_days_count() -> None:
    _limit("free", daily_images=10, monthly_images=2)
    owner = Owner(user_id=signup().pk)
    quota_consume(owner=owner)
    quota_consume(owner=owner)
    with pytest.raises(QuotaExceeded) as refused:
        quota_consume(owner=owner)
    assert refused.value.message == "You have used all 2 images for this month. More on 1 December at 00:00 UTC."
    day = QuotaUsage.objects.get(owner_user_id=owner.user_id, window="day")
    assert day.used == 2
    assert quota_status(owner=owner).summary == "8 of 10 images left today (0 left this month)"


def test_kinds_and_owners_are_counted_apart() -> None:
    _limit("guest", daily_images=1, daily_videos=1)
    first, second = Owner(guest_id=guest_create().id), Owner(guest_id=guest_create().id)
    quota_consume(owner=first)
    quota_consume(owner=first, kind="video")
    quota_consume(owner=second)
    assert quota_status(owner=first, kind="video").daily_used == 1
    with pytest.raises(InvalidInput):
        quota_consume(owner=first, kind="poem")


def test_a_visitor_without_a_guest_yet_sees_the_full_guest_quota() -> None:
    assert quota_status(owner=None).summary == "10 of 10 images left today"


def test_plans_are_data_an_admin_edit_applies_at_once() -> None:
    owner = Owner(user_id=signup().pk)
    assert quota_status(owner=owner).daily_limit == 50
    _limit("free", daily_images=7)
    assert quota_status(owner=owner).summary == "7 of 7 images left today"


def test_retention_defaults_by_tier() -> None:
    user = signup()
    assert retention_hours_for(owner=Owner(guest_id=guest_create().id)) == 24
    assert retention_hours_for(owner=Owner(user_id=user.pk)) == 48
    plan_change(user_id=user.pk, plan_code="pro")
    assert retention_hours_for(owner=Owner(user_id=user.pk)) == 48


def test_free_users_cannot_choose_seven_days() -> None:
    user = signup()
    with pytest.raises(InvalidInput) as refused:
        retention_set(user=user, hours=168)
    assert refused.value.code == "retention_not_allowed"
    assert Profile.objects.get(user=user).retention_hours is None


def test_pro_chooses_seven_days_and_existing_images_follow_then_a_downgrade_resets_to_48_hours() -> None:
    user = signup()
    owner = Owner(user_id=user.pk)
    asset = make_asset(owner, created_hours_ago=10)
    plan_change(user_id=user.pk, plan_code="pro")
    assert retention_set(user=user, hours=168) == 168
    asset.refresh_from_db()
    assert asset.expires_at == asset.created_at + timedelta(hours=168)
    assert retention_hours_for(owner=owner) == 168

    plan_change(user_id=user.pk, plan_code="free")
    asset.refresh_from_db()
    assert asset.expires_at == asset.created_at + timedelta(hours=48)
    assert Profile.objects.get(user=user).retention_hours is None
    assert retention_hours_for(owner=owner) == 48


def test_under_13_deletes_the_account_its_data_and_audits_without_content(
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff = User.objects.create_user(username="staffer", password="x" * 12, is_staff=True)
    child = signup(username="kiddo", email="kiddo@example.org", display_name="Kiddo Secret")
    owner = Owner(user_id=child.pk)
    asset = make_asset(owner, created_hours_ago=1)
    blob = asset.blob_name
    assert default_storage.exists(blob)
    quota_consume(owner=owner)
    other = signup(username="bystander", email="by@example.org", display_name="By")
    with django_capture_on_commit_callbacks(execute=True):
        account_delete_under_13(user_id=child.pk, staff_user_id=staff.pk)
    assert not User.objects.filter(pk=child.pk).exists()
    assert not Profile.objects.filter(user_id=child.pk).exists()
    assert not Conversation.objects.filter(owner_user_id=child.pk).exists()
    assert not QuotaUsage.objects.filter(owner_user_id=child.pk).exists()
    assert not UserSession.objects.filter(user_id=child.pk).exists()
    assert not default_storage.exists(blob)
    assert User.objects.filter(pk=other.pk).exists()
    from nanobananas.audit.models import AuditEvent

    record = AuditEvent.objects.get(kind="account.hard_deleted")
    assert (record.actor, record.target_id, record.details) == (
        f"staff:{staff.pk}",
        str(child.pk),
        {"cause": "under_13", "blobs": 1},
    )
    line = str(AuditEvent.objects.values().get(id=record.id))
    for content in ("kiddo", "Kiddo", "example.org"):
        assert content not in line


def test_under_13_refuses_staff_accounts_and_changes_nothing() -> None:
    staff = User.objects.create_user(username="boss", password="x" * 12, is_staff=True)
    with pytest.raises(Conflict):
        account_delete_under_13(user_id=staff.pk, staff_user_id=staff.pk)
    assert User.objects.filter(pk=staff.pk).exists()


def test_login_logs_older_than_30_days_are_purged() -> None:
    from axes.models import AccessAttempt, AccessLog

    def log(days_ago: int) -> None:
        row = AccessLog.objects.create(user_agent="ua", ip_address="10.0.0.1", username="x", http_accept="*/*")
        AccessLog.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))

    log(31)
    log(29)
    attempt = AccessAttempt.objects.create(
        user_agent="ua", ip_address="10.0.0.1", username="x", http_accept="*/*", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(days=40))
    assert login_logs_purge(older_than_days=30) == 2
    assert AccessLog.objects.count() == 1
    assert AccessAttempt.objects.count() == 0
    assert login_logs_purge(older_than_days=30) == 0
