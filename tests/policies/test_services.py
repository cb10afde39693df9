"""Publishing: audited, one notice email per active user, never twice; acceptances recorded exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument, PolicyNotice
from nanobananas.policies.services import policy_accept, policy_notices_send, policy_publish
from tests.policies.conftest import draft, member

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_publish_audits_and_mails_each_active_user_once(django_capture_on_commit_callbacks: Any) -> None:
    users = [member(f"user{n}") for n in range(5)]
    member("sleeper", active=False)
    member("newcomer", joined_minutes_ago=0)  # joined just now, still before the version is published
    no_email = member("noemail")
    no_email.email = ""
    no_email.save()
    document = draft()
    with django_capture_on_commit_callbacks(execute=True):
        policy_publish(document=document, by=users[0], link_base="https://studio.example.org/")
    document.refresh_from_db()
    assert document.published_at is not None
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([*(u.email for u in users), "newcomer@example.org"])
    first = mail.outbox[0]
    assert first.subject == "We updated our privacy policy (version 2)"
    assert "What changed: Analytics are now off by default." in first.body
    assert "https://studio.example.org/privacy/versions/2/" in first.body
    assert PolicyNotice.objects.filter(document=document, sent_at__isnull=False).count() == 6
    event = AuditEvent.objects.get(kind="policy.publish")
    assert (event.actor, event.target_type, event.target_id) == (f"user:{users[0].pk}", "policy", str(document.pk))
    assert event.details == {"kind": "privacy", "version": "2"}

    mail.outbox.clear()
    again = policy_notices_send(document_id=document.pk)
    assert (again.sent, again.failed, len(mail.outbox)) == (0, 0, 0)
    assert PolicyNotice.objects.filter(document=document).count() == 6


def test_notices_go_out_in_batches_and_users_who_join_later_get_none() -> None:
    for n in range(7):
        member(f"batch{n}")
    document = draft()
    PolicyDocument.objects.filter(pk=document.pk).update(published_at=document.created_at)
    member("later", joined_minutes_ago=-60)  # signs up after the version was published
    run = policy_notices_send(document_id=document.pk, batch_size=3)
    assert (run.sent, run.failed) == (7, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"batch{n}@example.org" for n in range(7))


def test_a_failed_email_gives_its_claim_back_so_a_later_run_sends_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.accounts import mail as mailer

    member("flaky")
    member("steady")
    document = draft()
    PolicyDocument.objects.filter(pk=document.pk).update(published_at=document.created_at)
    real = mailer.mail_send

    def broken_for_flaky(*, to: str, template: str, context: dict[str, Any]) -> None:
        if to.startswith("flaky"):
            raise OSError("mail server down")
        real(to=to, template=template, context=context)

    monkeypatch.setattr(mailer, "mail_send", broken_for_flaky)
    run = policy_notices_send(document_id=document.pk)
    assert (run.sent, run.failed) == (1, 1)
    assert [m.to[0] for m in mail.outbox] == ["steady@example.org"]
    assert not PolicyNotice.objects.filter(user__username="flaky").exists()

    monkeypatch.setattr(mailer, "mail_send", real)
    run = policy_notices_send(document_id=document.pk)
    assert (run.sent, run.failed) == (1, 0)
    assert [m.to[0] for m in mail.outbox] == ["steady@example.org", "flaky@example.org"]


def test_a_notice_claimed_by_another_run_is_not_sent_again() -> None:
    someone = member("claimed")
    document = draft()
    PolicyDocument.objects.filter(pk=document.pk).update(published_at=document.created_at)
    # Another worker claimed this user and died before marking the email sent.
    PolicyNotice.objects.create(user=someone, document=document, claimed_at=document.created_at)
    assert policy_notices_send(document_id=document.pk).sent == 0
    assert mail.outbox == []


def test_publishing_twice_is_refused_and_changes_nothing() -> None:
    document = draft()
    policy_publish(document=document, by=None)
    document.refresh_from_db()
    at = document.published_at
    with pytest.raises(Conflict):
        policy_publish(document=document, by=None)
    document.refresh_from_db()
    assert document.published_at == at
    assert AuditEvent.objects.filter(kind="policy.publish").count() == 1


def test_a_draft_sends_no_notice() -> None:
    member("waiting")
    document = draft()
    assert policy_notices_send(document_id=document.pk).sent == 0
    assert mail.outbox == []


def test_accepting_records_once_and_old_versions_do_not_count_for_the_current_one() -> None:
    user = member("acceptor")
    first = policy_accept(user=user, kind="privacy", version="1")
    again = policy_accept(user=user, kind="privacy", version="1")
    assert first.pk == again.pk
    assert first.how == "clicked"
    second = draft(version="2")
    policy_publish(document=second, by=None)
    assert not PolicyAcceptance.objects.filter(user=user, document=second).exists()


@pytest.mark.parametrize(("kind", "version"), [("privacy", "9"), ("cookies", "1"), ("privacy", "2")])
def test_accepting_an_unknown_or_draft_version_is_not_found_and_records_nothing(kind: str, version: str) -> None:
    user = member("picky")
    draft(version="2")
    with pytest.raises(NotFound):
        policy_accept(user=user, kind=kind, version=version)
    assert PolicyAcceptance.objects.count() == 0


def test_a_version_label_that_cannot_be_a_link_is_not_published() -> None:
    member("linked")
    document = draft(version="2 / final")
    with pytest.raises(InvalidInput):
        policy_publish(document=document, by=None)
    document.refresh_from_db()
    assert document.published_at is None
    assert not AuditEvent.objects.filter(kind="policy.publish").exists()
    assert mail.outbox == []


def test_the_job_fails_while_emails_fail_so_huey_retries_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.accounts import mail as mailer
    from nanobananas.policies.tasks import NoticesIncomplete, send_policy_notices

    member("unlucky")
    document = draft()
    PolicyDocument.objects.filter(pk=document.pk).update(published_at=document.created_at)
    real = mailer.mail_send

    def down(*, to: str, template: str, context: dict[str, Any]) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(mailer, "mail_send", down)
    with pytest.raises(NoticesIncomplete):
        send_policy_notices.call_local(document.pk)
    monkeypatch.setattr(mailer, "mail_send", real)
    send_policy_notices.call_local(document.pk)
    assert [m.to[0] for m in mail.outbox] == ["unlucky@example.org"]
