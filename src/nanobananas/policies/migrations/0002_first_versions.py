"""The privacy policy and terms the product shipped with, as their first published versions (version "1").

The text is kept here, not in a template, so the pages render it from the database like any later version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import migrations

PUBLISHED_AT = datetime(2026, 11, 30, tzinfo=UTC)

PRIVACY_TITLE = "Privacy policy"
PRIVACY_BODY = """\
Nanobananas is an AI image studio that runs on its operator's own server. This policy says what it stores
about you, for how long, who else sees it, and what you can do about it. Every promise below is kept by
the software itself and checked by its automated tests.

# What we store

- Generation data: the pictures you upload, the images and videos made for you, and copies of them
  (other sizes and formats).
- Conversation history: the text you type and the studio's replies.
- Account data, if you make an account: email address, username, display name, birth month and year
  (only to check your age), plan, settings, sessions and API tokens (only a hash of each token).
- Billing records, if you pay: what you bought, when, and the payment provider's reference. Card
  details stay with the payment provider.
- Usage analytics, only in anonymized form.

# How long we keep it

- Guests: generation data (uploads, generated images, videos, copies) is physically deleted 24 hours
  after it was created.
- Signed-in users: generation data is kept 48 hours by default. Paid users may choose 48 hours or
  7 days on the Me page; 48 hours stays the default.
- When data expires it first enters a cleanup queue, where nobody can see it any more (not even you),
  and scheduled cleanup jobs then delete it physically: the bytes are gone from storage and from the
  database files.
- Conversation history (the text) is kept 12 months.
- Account data is kept for the life of the account plus 3 years.
- Usage analytics are kept only in anonymized form.

# Your rights

- See and download your history, with the date, provider and deletion time of every item.
- Correct your profile.
- Delete single images, whole conversations, or your whole account.
- Export everything in a machine-readable archive ("Export my data" on the Me page).
- Privacy settings: opt out of the use of your images to improve AI, switch analytics off, and choose
  which emails you get. Images marked for commercial use never enter training without your explicit
  consent.

# Children

Nanobananas is not for anyone under 13. We do not create accounts for them, and if we learn that an
account belongs to someone under 13, its data is deleted at once.

# Safety review

Prompts and images are reviewed automatically. Generation events are logged for audits. Evidence of
prohibited content may be kept (a legal hold) with access restricted to authorized staff.

# Security

Data is encrypted in transit and at rest. Access is strictly controlled, and every staff access to
user content is recorded in an audit log.

# Who else receives your data

Third parties receive only what a feature needs: an AI model service receives the prompt and pictures
of the request it answers, and the payment processor receives what a payment needs. You can see which
provider processed each item in your history and in your export.

# Changes to this policy

When this policy changes, we tell you by email and with a notice on the site, and we record your
acceptance. Using Nanobananas after you have been told about a change counts as accepting it; every
earlier version stays available on this page.

# Contact and complaints

Ask the operator of this server about your data. You may also complain to your data protection
authority.
"""

TERMS_TITLE = "Terms of use"
TERMS_BODY = """\
These terms apply when you use Nanobananas, as a guest or with an account.

# Who may use it

You must be at least 13 years old. If you use Nanobananas for an organization, you confirm that you
may accept these terms for it.

# Your content

- You keep the rights to what you upload and to what you make. You give the operator only the
  permission needed to store, process and show it to you while it is kept.
- Upload only pictures you have the right to use.
- Your content is kept only as long as the privacy policy says; download what you want to keep.

# What is not allowed

- Content that is illegal, sexualizes minors, harasses or threatens people, or infringes the rights
  of others.
- Images that impersonate a real person to deceive.
- Attacking the service, getting around its limits, or using it to send spam.

Prompts and images are reviewed automatically. We may refuse a request, remove content, keep evidence
of prohibited content as the privacy policy describes, and suspend accounts that break these rules.

# Plans and payment

Free and paid plans have the limits shown on the Me page. A paid plan renews until you cancel it;
cancelling stops the next renewal.

# The service

Nanobananas is provided as it is. AI results can be wrong or unexpected: check them before you rely on
them. The operator may change or stop features, and tells you in advance about changes to these terms.

# Changes to these terms

When these terms change, we tell you by email and with a notice on the site. Using Nanobananas after
you have been told about a change counts as accepting it; every earlier version stays available.
"""


def publish_first_versions(apps: Any, schema_editor: Any) -> None:
    PolicyDocument = apps.get_model("policies", "PolicyDocument")
    for kind, title, body in (("privacy", PRIVACY_TITLE, PRIVACY_BODY), ("terms", TERMS_TITLE, TERMS_BODY)):
        PolicyDocument.objects.get_or_create(
            kind=kind,
            version="1",
            defaults={"title": title, "body": body, "summary": "First version.", "published_at": PUBLISHED_AT},
        )


def remove_first_versions(apps: Any, schema_editor: Any) -> None:
    PolicyDocument = apps.get_model("policies", "PolicyDocument")
    PolicyDocument.objects.filter(version="1", acceptances__isnull=True, notices__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(publish_first_versions, remove_first_versions)]
