"""Two people with unique markers in everything they own, for the data export tests."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from nanobananas.accounts.identity import Owner
from nanobananas.billing.models import Invoice, PaymentCustomer, Subscription
from nanobananas.studio.assets import asset_delete
from nanobananas.studio.conversations import conversation_create, conversation_delete
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Message
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.tokens.services import token_create
from tests.accounts.conftest import signup
from tests.privacy.builders import png_bytes


@dataclass
class Person:
    user: User
    marker: str
    client: Client
    session_key: str
    raw_token: str
    token_digest: str
    live_assets: list[Asset] = field(default_factory=list)
    gone_asset_ids: list[uuid.UUID] = field(default_factory=list)
    conversation_ids: list[uuid.UUID] = field(default_factory=list)
    gone_marker: str = ""

    @property
    def owner(self) -> Owner:
        return Owner(user_id=self.user.pk)


def marked_png(marker: str, color: tuple[int, int, int]) -> bytes:
    """A valid PNG whose bytes hold `marker` (a text chunk) and whose pixels are one colour."""
    info = PngInfo()
    info.add_text("marker", marker)
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _direct_asset(owner: Owner, conversation: Conversation, marker: str, color: tuple[int, int, int]) -> Asset:
    """An image stored as is (no re-encoding), so the marker in its bytes survives into the archive."""
    data = marked_png(marker, color)
    asset_id = uuid.uuid4()
    blob = default_storage.save(f"assets/{owner.key}/{asset_id}.png", ContentFile(data))
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text=f"Here it is, {marker}",
        expires_at=now + timedelta(days=365),
    )
    return Asset.objects.create(
        id=asset_id,
        conversation=conversation,
        message=message,
        kind=Asset.Kind.RESULT,
        number=50,
        operation=Asset.Operation.GENERATE,
        blob_name=blob,
        content_type="image/png",
        width=16,
        height=16,
        byte_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        provider="openai",
        model=f"model-{marker}",
        created_at=now,
        expires_at=now + timedelta(hours=48),
        owner_user_id=owner.user_id,
    )


def seed_person(name: str, marker: str, color: tuple[int, int, int]) -> Person:
    """A signed-in person with two conversations, uploads, versions, a deleted image and a deleted
    conversation, an API token, billing records and a browser session."""
    user = signup(username=name, email=f"{name}@example.org", display_name=f"{name} {marker}")
    owner = Owner(user_id=user.pk)
    client = Client()
    client.force_login(user)
    session_key = client.session.session_key
    assert session_key
    token, raw = token_create(user_id=user.pk, name=f"script {marker}", scopes=["images:read"])
    Subscription.objects.create(
        user=user, provider="stripe", external_id=f"sub_{marker}", customer_id=f"cus_{marker}",
        status=Subscription.Status.ACTIVE, state_at=timezone.now(),
    )  # fmt: skip
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id=f"cus_{marker}")
    Invoice.objects.create(
        user=user, provider="stripe", external_id=f"in_{marker}", status="paid", currency="eur",
        amount_due=900, amount_paid=900, issued_at=timezone.now(),
    )  # fmt: skip
    person = Person(
        user=user, marker=marker, client=client, session_key=session_key, raw_token=raw, token_digest=token.digest
    )

    first = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=first.id, text=f"a poster saying {marker}")
    assert job is not None
    job_run(job_id=job.id)
    _, job = message_send(owner=owner, conversation_id=first.id, text="make it black and white")
    assert job is not None
    job_run(job_id=job.id)
    message_send(
        owner=owner,
        conversation_id=first.id,
        text="",
        files=[IncomingFile(name=f"holiday-{marker}.png", data=png_bytes(color=color))],
    )
    _, job = message_send(owner=owner, conversation_id=first.id, text=f"another poster {marker} to delete")
    assert job is not None
    job_run(job_id=job.id)
    unwanted = Asset.objects.get(job=job)
    asset_delete(owner=owner, asset_id=unwanted.id)
    person.gone_asset_ids.append(unwanted.id)
    _direct_asset(owner, first, marker, color)

    second = conversation_create(owner=owner, title=f"Second {marker}")
    _, job = message_send(owner=owner, conversation_id=second.id, text=f"a birthday card for {marker}")
    assert job is not None
    job_run(job_id=job.id)

    person.gone_marker = f"GONE{marker}"
    deleted = conversation_create(owner=owner, title=person.gone_marker)
    _, job = message_send(owner=owner, conversation_id=deleted.id, text=f"a secret {person.gone_marker}")
    assert job is not None
    job_run(job_id=job.id)
    person.gone_asset_ids.extend(Asset.objects.filter(conversation=deleted).values_list("id", flat=True))
    conversation_delete(owner=owner, conversation_id=deleted.id)

    person.conversation_ids = [first.id, second.id]
    person.live_assets = list(Asset.objects.filter(owner_user_id=user.pk, state="active").order_by("created_at"))
    return person
