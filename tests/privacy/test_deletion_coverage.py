"""Every column that names a person is declared in the personal data registry, and deletion does what it says.

The declarations live next to the models (`<app>/personal_data.py`); this file checks them: the `privacy`
system check over every model (foreign keys, owner keys in text, names and addresses in third-party
tables), a model added without a declaration, and an account deleted end to end with every declared
reference seeded first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest, Profile
from nanobananas.analytics.feedback import bug_report_create, feedback_set
from nanobananas.moderation.models import BlockedAttempt
from nanobananas.moderation.services import report_create
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument, PolicyNotice
from nanobananas.privacy.models import LegalHold
from nanobananas.privacy.services import legal_hold_place, legal_hold_release, retention_purge
from nanobananas.registry import personal_data as registry
from nanobananas.registry.personal_data import Deletion, Link, Reference
from nanobananas.studio.models import Asset
from nanobananas.workflows.account_delete import account_delete
from tests.accounts.conftest import PASSWORD, signup

EXPECTED_APPS = {
    "accounts", "admin", "audit", "auth", "axes", "billing", "moderation", "otp_totp", "policies", "privacy",
    "studio", "tokens", "vault", "analytics",
}  # fmt: skip


def test_the_check_finds_person_columns_in_every_app_it_expects_and_all_are_declared() -> None:
    columns = registry.person_columns()
    assert {label.split(".")[0] for label in columns} == EXPECTED_APPS
    # Not only foreign keys: owner keys in text and names and addresses in third-party tables too.
    assert columns["audit.AuditEvent.owner_key"] == Link.OWNER_KEY
    assert columns["moderation.ReviewItem.reported_by"] == Link.OWNER_KEY
    assert columns["privacy.DeletionReceipt.owner_key"] == Link.OWNER_KEY
    assert columns["axes.AccessAttempt.username"] == Link.NAME
    assert columns["axes.AccessLog.ip_address"] == Link.ADDRESS
    assert columns["auth.User.email"] == Link.ADDRESS
    assert registry.personal_data_problems() == []
    assert set(registry.references()) == set(columns)
    assert {d.app_label for d in registry.declared()} >= registry.EXPECTED_APPS


def test_the_system_check_reports_an_undeclared_reference_and_a_missing_app(monkeypatch: Any) -> None:
    assert [m for m in checks.run_checks(tags=["privacy"]) if m.id.startswith("privacy.")] == []
    monkeypatch.delitem(registry._REGISTRY, "tokens")
    found = [(m.id, m.msg.split(" ")[0]) for m in checks.run_checks(tags=["privacy"])]
    assert ("privacy.E001", "tokens.ApiToken.user") in found
    assert ("privacy.E005", "no") in found


@isolate_apps("nanobananas.studio")
def test_a_new_model_with_an_owner_field_and_no_declaration_fails_the_check() -> None:
    class Video(models.Model):
        owner_user = models.ForeignKey(User, null=True, on_delete=models.CASCADE, related_name="+")
        owner_guest = models.ForeignKey(Guest, null=True, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "studio"

        def __str__(self) -> str:
            return "a video"

    class ToolResult(models.Model):
        owner_key = models.CharField(max_length=64)
        contact = models.EmailField()
        title = models.CharField(max_length=40)

        class Meta:
            app_label = "studio"

        def __str__(self) -> str:
            return self.title

    problems = registry.personal_data_problems(models_to_check=[Video, ToolResult])
    assert sorted((p.id, p.msg.split(" ")[0]) for p in problems) == [
        ("privacy.E001", "studio.ToolResult.contact"),
        ("privacy.E001", "studio.ToolResult.owner_key"),
        ("privacy.E001", "studio.Video.owner_guest"),
        ("privacy.E001", "studio.Video.owner_user"),
    ]


def test_a_declaration_that_disagrees_with_its_model_fails_the_check() -> None:
    declared = dict(registry.references())
    ref = declared["tokens.ApiToken.user"]
    for wrong, message in (
        (Reference(ref.label, ref.link, Deletion.QUEUED, "", exported="x"), "has no cleanup-queue state"),
        (Reference(ref.label, ref.link, Deletion.ANONYMISED, "", exported="x"), "is not SET_NULL"),
        (Reference(ref.label, ref.link, Deletion.ERASED, "", exported="x", left_out="y"), "(one of them)"),
        (Reference(ref.label, Link.OWNER_KEY, Deletion.ERASED, "", exported="x"), "is declared as"),
    ):
        problems = registry.personal_data_problems(declared_references={**declared, ref.label: wrong})
        assert [p.msg for p in problems if message in p.msg], (wrong, [p.msg for p in problems])
    stale = Reference("tokens.ApiToken.prefix", Link.NAME, Deletion.ERASED, "")
    problems = registry.personal_data_problems(declared_references={**declared, stale.label: stale})
    assert [(p.id, p.msg) for p in problems] == [
        ("privacy.E002", "tokens.ApiToken.prefix is declared but names no person any more")
    ]


# References a deletion from the Me page cannot meet, each with where it is exercised instead.
NOT_SEEDED = {
    Deletion.ANONYMISED: "staff records: a staff account is not deleted from the Me page (SET_NULL is checked)",
    Deletion.STAFF: "staff records: a staff account is not deleted from the Me page",
    Deletion.EXPIRES: "not tied to the account: purged on their own schedule (tests/accounts/test_services.py)",
}
# An active evidence hold keeps the whole account: tests/moderation/test_admin.py deletes around one.
NOT_SEEDED_LABELS = {"moderation.Evidence.owner_key": "an active evidence hold keeps the account whole"}
# Made by the deletion itself.
CREATED_BY_DELETION = {"accounts.ClosedAccount.user", "privacy.DeletionReceipt.owner_key"}


def _redactions(user_id: int) -> dict[str, Callable[[], bool]]:
    """For each reference declared REDACTED: whether what names the person is cleared."""
    user = User.objects.get(pk=user_id)
    profile = Profile.objects.get(user_id=user_id)
    reviews = apps.get_model("moderation", "ReviewItem").objects
    return {
        "auth.User.username": lambda: user.username == f"deleted:{user_id}",
        "auth.User.first_name": lambda: user.first_name == "",
        "auth.User.last_name": lambda: user.last_name == "",
        "auth.User.email": lambda: user.email == "",
        "accounts.Profile.email_key": lambda: profile.email_key is None,
        "accounts.Profile.pending_email": lambda: profile.pending_email == "",
        "accounts.Profile.sealed_display_name": lambda: profile.sealed_display_name == "",
        "moderation.ReviewItem.owner_user": lambda: (
            not reviews.filter(owner_user_id=user_id).exclude(sealed_reason="").exists()
        ),
        "moderation.ReviewItem.reported_by": lambda: (
            not reviews.filter(reported_by=f"u{user_id}").exclude(sealed_reason="").exists()
        ),
    }


def _count(ref: Reference, user_id: int) -> int:
    model = ref.model()
    if ref.link in (Link.USER, Link.OWNER_KEY, Link.ACTOR):
        return int(model._base_manager.filter(**ref.owner_filter(user_id=user_id)).count())
    # A name or address column of the person's own rows: the user row, or the rows pointing at it.
    own = {"pk": user_id} if model is User else {"user_id": user_id}
    return int(model._base_manager.filter(**own).exclude(**{ref.field_name: ""}).count())


def _seed_everything_else(user: User) -> None:
    """What tests.accounts.test_account_delete._seed leaves out: staff-side rows the person has, a session,
    a report, an abuse record, policy records, a released hold and a pending email change."""
    from django.test import Client

    owner = Owner(user_id=user.pk)
    Client().force_login(user, backend="nanobananas.accounts.backends.EmailOrUsernameBackend")
    user.groups.add(Group.objects.create(name="testers"))
    user.user_permissions.add(Permission.objects.first())
    User.objects.filter(pk=user.pk).update(first_name="Ana", last_name="Lima")
    Profile.objects.filter(user_id=user.pk).update(pending_email="ana.new@example.org")
    asset = Asset.objects.filter(owner_user_id=user.pk).first()
    assert asset is not None
    report_create(owner=owner, asset_id=asset.id, reason="this picture is not what I asked for")
    result = Asset.objects.filter(owner_user_id=user.pk, kind=Asset.Kind.RESULT).first()
    assert result is not None
    feedback_set(owner=owner, asset_id=result.id, rating="down", reason="low_quality")
    bug_report_create(owner=owner, text="the poster came out blank")
    BlockedAttempt.objects.create(owner_user=user, at=timezone.now(), stage="prompt", category="violence")
    document = PolicyDocument.objects.create(kind="privacy", version="9.0", title="Privacy", body="Text")
    PolicyNotice.objects.create(user=user, document=document, claimed_at=timezone.now(), sent_at=timezone.now())
    PolicyAcceptance.objects.create(user=user, document=document, at=timezone.now(), how="clicked")
    hold = legal_hold_place(reason="an old request", placed_by_id=None, owner_user_id=user.pk)
    legal_hold_release(hold_id=hold.id, released_by_id=None)


@pytest.mark.django_db
@pytest.mark.database
def test_every_declared_reference_is_seeded_then_handled_as_declared(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.accounts.test_account_delete import _seed

    user = signup()
    _seed(user)
    _seed_everything_else(user)
    refs = {
        label: ref
        for label, ref in registry.references().items()
        if ref.link != Link.GUEST and ref.deletion not in NOT_SEEDED and label not in NOT_SEEDED_LABELS
    }
    before = {label: _count(ref, user.pk) for label, ref in refs.items()}
    assert {label for label, n in before.items() if n == 0} == CREATED_BY_DELETION

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge()

    after = {label: _count(ref, user.pk) for label, ref in refs.items()}
    redacted = _redactions(user.pk)
    assert {label for label, ref in refs.items() if ref.deletion == Deletion.REDACTED} == set(redacted)
    for label, ref in refs.items():
        if ref.deletion in (Deletion.QUEUED, Deletion.ERASED, Deletion.SHREDDED):
            assert after[label] == 0, f"{label}: {after[label]} row(s) left, declared {ref.deletion.name}"
        elif ref.deletion == Deletion.REDACTED:
            assert redacted[label](), f"{label}: declared REDACTED but still names the person"
        elif label in CREATED_BY_DELETION:
            assert after[label] > 0, label
        else:  # KEPT, HELD (a released hold), LEGAL
            assert after[label] >= before[label] > 0, f"{label}: declared {ref.deletion.name}"

    # When the tombstone's years are up, nothing but the legal records names the person.
    later = timezone.now() + timedelta(days=3 * 366)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert retention_purge().purged["account"] == 1
    assert not User.objects.filter(pk=user.pk).exists()
    assert not LegalHold.objects.filter(owner_user_id=user.pk).exists()
    for label, ref in refs.items():
        if ref.deletion == Deletion.LEGAL:
            assert _count(ref, user.pk) > 0, label
        elif ref.deletion == Deletion.REDACTED and ref.link == Link.OWNER_KEY:
            assert redacted[label](), label
        elif ref.link in (Link.USER, Link.OWNER_KEY, Link.ACTOR):
            assert _count(ref, user.pk) == 0, f"{label}: left after the tombstone purge"


def test_a_handler_that_no_workflow_order_names_is_refused_not_skipped() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from nanobananas.workflows.account_delete import CLOSE_ORDER

    assert [app for app, _ in registry.handlers("close", order=CLOSE_ORDER)] == list(CLOSE_ORDER)
    with pytest.raises(ImproperlyConfigured, match=r"\['tokens'\] declare a close handler"):
        registry.handlers("close", order=tuple(app for app in CLOSE_ORDER if app != "tokens"))
