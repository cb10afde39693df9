"""The email-preference switches: product news and tips go only to people who switched them on; the
policy-change notice, which the law requires, reaches everyone and says why; every mail has a kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from nanobananas.accounts import mail as mails
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.mail import REQUIRED_NOTICE, MailKind, mail_send
from nanobananas.policies.services import policy_publish
from nanobananas.privacy.services import privacy_settings_update
from tests.policies.conftest import draft, member

pytestmark = [pytest.mark.django_db, pytest.mark.database]

TEST_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "accounts/mail/news_test.txt": "What is new\nHello {{ name }}, three new tools.",
                        "accounts/mail/tips_test.txt": "A tip\nHello {{ name }}, try the eraser.",
                        "accounts/mail/required_test.txt": "Our terms\nHello {{ name }}, a required notice.",
                    },
                )
            ]
        },
    }
]


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mails.MAIL_KINDS, "news_test", MailKind.PRODUCT_NEWS)
    monkeypatch.setitem(mails.MAIL_KINDS, "tips_test", MailKind.TIPS)
    monkeypatch.setitem(mails.MAIL_KINDS, "required_test", MailKind.REQUIRED)


def test_every_mail_template_has_a_kind() -> None:
    root = Path(mails.__file__).resolve().parent.parent
    templates = {path.stem for path in root.glob("*/templates/accounts/mail/*.txt")}
    assert templates == set(mails.MAIL_KINDS)
    assert mails.MAIL_KINDS["policy_notice"] is MailKind.REQUIRED


def test_a_template_without_a_kind_is_refused_and_nothing_is_sent() -> None:
    with pytest.raises(ImproperlyConfigured, match="'newsletter' has no kind"):
        mail_send(to="ana@example.org", template="newsletter", context={})
    assert mail.outbox == []


@override_settings(TEMPLATES=TEST_TEMPLATES)
@pytest.mark.usefixtures("test_kinds")
def test_product_news_and_tips_honour_each_switch() -> None:
    user = member("ana")
    owner = Owner(user_id=user.pk)
    context: dict[str, Any] = {"name": "Ana"}
    assert mail_send(to=user.email, template="news_test", context=context, user_id=user.pk) is False
    assert mail_send(to=user.email, template="tips_test", context=context, user_id=user.pk) is False
    assert mail.outbox == []  # both switches are off by default
    privacy_settings_update(owner, email_product_news=True)
    assert mail_send(to=user.email, template="news_test", context=context, user_id=user.pk) is True
    assert mail_send(to=user.email, template="tips_test", context=context, user_id=user.pk) is False
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        ([user.email], "What is new", "Hello Ana, three new tools.\n")
    ]
    privacy_settings_update(owner, email_product_news=False, email_tips=True)
    assert mail_send(to=user.email, template="news_test", context=context, user_id=user.pk) is False
    assert mail_send(to=user.email, template="tips_test", context=context, user_id=user.pk) is True
    assert [m.subject for m in mail.outbox] == ["What is new", "A tip"]
    assert mail_send(to="someone@example.org", template="tips_test", context=context) is False  # no account
    assert len(mail.outbox) == 2


@override_settings(TEMPLATES=TEST_TEMPLATES)
@pytest.mark.usefixtures("test_kinds")
def test_required_mail_is_sent_whatever_the_switches_and_says_so() -> None:
    user = member("ana")
    assert mail_send(to=user.email, template="required_test", context={"name": "Ana"}, user_id=user.pk) is True
    assert mail.outbox[0].body == f"Hello Ana, a required notice.\n\n{REQUIRED_NOTICE}\n"


def test_the_policy_notice_reaches_people_who_switched_mail_off_and_says_why(
    django_capture_on_commit_callbacks: Any,
) -> None:
    quiet = member("quiet")
    keen = member("keen")
    privacy_settings_update(Owner(user_id=keen.pk), email_product_news=True, email_tips=True)
    with django_capture_on_commit_callbacks(execute=True):
        policy_publish(document=draft(), by=None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([quiet.email, keen.email])
    for message in mail.outbox:
        assert message.body.rstrip().endswith(REQUIRED_NOTICE)
