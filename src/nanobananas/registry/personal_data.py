"""The registry of personal data: what each app stores about a person, and what deletion, export and sign-up do.

Each app declares its own models in `<app>/personal_data.py` (found through Django's app registry, the way
the admin finds `admin.py`), with `register(PersonalData(...))`: every column that names a person (a foreign
key to a user or a guest, an owner key in text, a name, an address), what account deletion, the data export
and a guest's sign-up do with it, and the app's own handlers for closing an account, moving a guest's work,
purging a tombstone and hard-deleting an account, and its exporter for the data export archive. The
workflows above the apps (`nanobananas.workflows`), the data export and the retention purge walk these
declarations; `personal_data_problems` checks them against every model, so a new model that names a person
and is not declared fails the `privacy.E001` system check and its test.

This module imports no other app of the product: handlers receive plain ids and callables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules

__all__ = [
    "AccountClosing",
    "Blobs",
    "CarryOver",
    "Deletion",
    "ExportFile",
    "ExportSection",
    "Exporter",
    "Link",
    "PersonalData",
    "Reference",
    "autodiscover",
    "check_personal_data",
    "declared",
    "export_problems",
    "exporters",
    "handlers",
    "person_columns",
    "personal_data_problems",
    "reference",
    "references",
    "register",
]


class Link(StrEnum):
    """How a column names a person."""

    USER = "a foreign key to a user"
    GUEST = "a foreign key to a guest"
    OWNER_KEY = "an owner key in text (u<user id> or g<guest id>)"
    ACTOR = "who acted, in text (user:<id>, staff:<id>, system)"
    NAME = "a username or a person's name in text"
    ADDRESS = "an email or network address, or its pseudonym, in text"


class Deletion(StrEnum):
    """What account deletion (then the retention purge) does with a reference."""

    QUEUED = "queued for deletion at once (hidden, 404), physically deleted by the next purge"
    ERASED = "deleted at once, in the deletion's transaction"
    REDACTED = "kept with what names the person cleared at once"
    KEPT = "kept with the tombstone (account data: life + 3 years), then purged with the user row"
    LEGAL = "kept for a legal duty (proof of deletion, the audit trail); holds ids and hashes, never content"
    HELD = "a legal hold: while active it keeps the owner, the content and the tombstone"
    SHREDDED = "the owner's data key: deleted once none of the owner's sealed content is left"
    ANONYMISED = "kept, with the link to the person cleared when the user row goes (SET_NULL)"
    STAFF = "a staff-only record: staff accounts are not deleted from the Me page; goes with the user row"
    EXPIRES = "not tied to the account: deleted on its own short schedule"


class CarryOver(StrEnum):
    """What signing up from a guest session does with a guest's row."""

    TRANSFER = "moves to the new account"
    COPIED = "copied to the new account (the guest's append-only rows stay with the guest)"
    STAYS = "stays with the guest and goes when the guest row is purged"
    NOT_APPLICABLE = "not a guest's row"


@dataclass(frozen=True)
class Reference:
    """One column of one model that names a person, and what each workflow does with it."""

    label: str  # "studio.Asset.owner_user"
    link: Link
    deletion: Deletion
    why: str
    # Where it is in the data export ("account.json: sessions"), or None with `left_out` saying why.
    exported: str | None = None
    left_out: str | None = None
    carry_over: CarryOver = CarryOver.NOT_APPLICABLE
    # Rows sealed with the owner's data key: the key is shredded only once none of them is left.
    sealed: bool = False

    @property
    def model_label(self) -> str:
        return self.label.rsplit(".", 1)[0]

    @property
    def field_name(self) -> str:
        return self.label.rsplit(".", 1)[1]

    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def owner_filter(self, *, user_id: int | None = None, guest_id: Any = None) -> dict[str, Any]:
        """The filter selecting the rows this reference ties to one user or one guest."""
        if self.link == Link.USER and user_id is not None:
            return {f"{self.field_name}_id": user_id}
        if self.link == Link.GUEST and guest_id is not None:
            return {f"{self.field_name}_id": guest_id}
        if self.link == Link.OWNER_KEY:
            return {self.field_name: f"u{user_id}" if user_id is not None else f"g{guest_id}"}
        if self.link == Link.ACTOR and user_id is not None:
            return {self.field_name: f"user:{user_id}"}
        raise ValueError(f"{self.label} cannot select rows of this owner")


def reference(
    label: str,
    link: Link,
    deletion: Deletion,
    why: str,
    *,
    exported: str | None = None,
    left_out: str | None = None,
    carry_over: CarryOver = CarryOver.NOT_APPLICABLE,
    sealed: bool = False,
) -> Reference:
    return Reference(label, link, deletion, why, exported, left_out, carry_over, sealed)


# A blob sealed under a guest's key: `<kind>/g<guest uuid>/<file>` (as vault.storage.blob_owner_key reads it).
GUEST_BLOB_NAME = r"^[^/]+/g[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/"


@dataclass(frozen=True)
class Blobs:
    """A column holding the name of a stored blob, and the foreign key to the user who owns it."""

    model: str  # "studio.Asset"
    name_field: str  # "blob_name"
    user_field: str  # "owner_user"

    def names_of(self, *, user_id: int) -> list[str]:
        rows = apps.get_model(self.model)._default_manager.filter(**{f"{self.user_field}_id": user_id})
        return [name for name in rows.values_list(self.name_field, flat=True) if name]

    def all_names(self) -> set[str]:
        return {name for _, name in self.rows()}

    def rows(self) -> Iterator[tuple[Any, str]]:
        """(primary key, blob name) of every row that names a stored blob."""
        rows = apps.get_model(self.model)._default_manager.exclude(**{self.name_field: ""})
        yield from rows.values_list("pk", self.name_field).iterator()

    def guest_keys_still_sealing(self) -> set[str]:
        """Owner keys of guests whose key still seals the bytes of a row a user now owns (a guest's work
        carried over at sign-up whose bytes have not moved yet): that key must not be shredded yet."""
        rows = apps.get_model(self.model)._default_manager.filter(
            **{f"{self.user_field}__isnull": False, f"{self.name_field}__regex": GUEST_BLOB_NAME}
        )
        return {name.split("/")[1] for name in rows.values_list(self.name_field, flat=True)}


@dataclass(frozen=True)
class ExportFile:
    """One file of the data export: `value` written as JSON, or the stored blob `blob_name` copied as it is
    (the export opens it; an exporter never touches storage). A file with a `stage` counts toward the
    build's progress and shows that stage ("Copying your images")."""

    path: str
    value: Any = None
    blob_name: str = ""
    stage: str = ""


@dataclass(frozen=True)
class ExportSection:
    """Top-level keys of a JSON object that several apps fill (`account.json`), in the order given."""

    path: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Exporter:
    """How an app puts a person's data into their export archive.

    - files(user_id) -> ExportFile and ExportSection items, produced lazily (an image at a time), so an
      archive of any size is built in flat memory.
    - count(user_id) -> how many of its files have a `stage` (for the progress bar).
    - recipients(user_id) -> the provider aliases that processed this data (README.txt names them).
    """

    files: Callable[[int], Iterable[ExportFile | ExportSection]]
    count: Callable[[int], int] | None = None
    recipients: Callable[[int], Iterable[str]] | None = None


@dataclass
class AccountClosing:
    """What a `close` handler is given, inside the deletion's transaction. It returns the counts it wants in
    the audit line; it never touches storage or the network (bytes go through the pending-blob queue, and
    outside calls are listed durably and run after commit)."""

    user_id: int
    now: datetime
    purge_after: datetime  # when the tombstone goes (closed + NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS)
    # Narrows a queryset of `kind` ("asset", "message", "conversation") to rows no active legal hold covers.
    unheld: Callable[[QuerySet[Any], str], QuerySet[Any]]

    @property
    def owner_key(self) -> str:
        return f"u{self.user_id}"


@dataclass(frozen=True)
class PersonalData:
    """One app's declaration: its references and its handlers for the workflows that walk the registry.

    - close(closing) -> counts: account deletion, in its transaction.
    - transfer(guest_id, user_id) -> None: a guest signs up, in the sign-up's transaction.
    - tombstone_purge(user_id) -> None: a closed account's tombstone goes, before the user row is deleted.
    - retention_changed(user_id, hours) -> None: the account's retention choice or plan changed; live
      content now expires `hours` after it was made.
    - export (an `Exporter`): what the data export archive holds of the app's data. An app whose references
      say where they are exported must have one (`privacy.E006`).
    """

    app_label: str
    references: tuple[Reference, ...]
    close: Callable[[AccountClosing], dict[str, int]] | None = None
    transfer: Callable[[Any, int], None] | None = None
    tombstone_purge: Callable[[int], None] | None = None
    retention_changed: Callable[[int, int], None] | None = None
    blobs: tuple[Blobs, ...] = ()
    export: Exporter | None = None


_REGISTRY: dict[str, PersonalData] = {}
HANDLER_KINDS = ("close", "transfer", "tombstone_purge", "retention_changed")


def register(declaration: PersonalData) -> None:
    """Add one app's declaration (called at import of `<app>/personal_data.py`)."""
    existing = _REGISTRY.get(declaration.app_label)
    if existing is not None and existing != declaration:
        raise ImproperlyConfigured(f"personal data of {declaration.app_label!r} is declared twice")
    _REGISTRY[declaration.app_label] = declaration


def autodiscover() -> None:
    """Import `personal_data` of every installed app (from `PrivacyConfig.ready()`)."""
    autodiscover_modules("personal_data")


def declared() -> list[PersonalData]:
    return list(_REGISTRY.values())


def references() -> dict[str, Reference]:
    return {ref.label: ref for declaration in _REGISTRY.values() for ref in declaration.references}


def blob_columns() -> list[Blobs]:
    return [blobs for declaration in _REGISTRY.values() for blobs in declaration.blobs]


def handlers(kind: str, *, order: Sequence[str]) -> list[tuple[str, Callable[..., Any]]]:
    """The `kind` handlers of the declared apps, in the workflow's `order` of app labels.

    An app with such a handler that the order does not name is an error, so a new app's handler can never
    be skipped silently."""
    if kind not in HANDLER_KINDS:
        raise ValueError(f"no handler kind {kind!r}")
    found = {label: getattr(d, kind) for label, d in _REGISTRY.items() if getattr(d, kind) is not None}
    unordered = sorted(found.keys() - set(order))
    if unordered:
        raise ImproperlyConfigured(f"{unordered} declare a {kind} handler that the workflow's order does not name")
    return [(label, found[label]) for label in order if label in found]


def exporters(*, order: Sequence[str]) -> list[tuple[str, Exporter]]:
    """The declared exporters: those `order` names first, in its order, then every other app's by label, so a
    new kind of data is in the archive as soon as its app declares an exporter."""
    found = {label: d.export for label, d in _REGISTRY.items() if d.export is not None}
    ranked = [label for label in order if label in found] + sorted(found.keys() - set(order))
    return [(label, found[label]) for label in ranked]


# Column names (and field types) that name a person in text. A new column under such a name must be declared.
PERSON_COLUMN_NAMES: dict[str, Link] = {
    "owner_key": Link.OWNER_KEY,
    "reported_by": Link.OWNER_KEY,
    "actor": Link.ACTOR,
    "username": Link.NAME,
    "first_name": Link.NAME,
    "last_name": Link.NAME,
    "display_name": Link.NAME,
    "sealed_display_name": Link.NAME,
    "email": Link.ADDRESS,
    "email_key": Link.ADDRESS,
    "pending_email": Link.ADDRESS,
    "ip_address": Link.ADDRESS,
    "address_key": Link.ADDRESS,
}


def _person_link(field: Any, targets: tuple[type[models.Model], ...]) -> Link | None:
    if field.is_relation:
        if field.auto_created or field.related_model not in targets:
            return None
        return Link.USER if field.related_model is targets[0] else Link.GUEST
    if isinstance(field, models.EmailField | models.GenericIPAddressField):
        return PERSON_COLUMN_NAMES.get(field.name, Link.ADDRESS)
    return PERSON_COLUMN_NAMES.get(field.name)


def _targets() -> tuple[type[models.Model], ...]:
    return (apps.get_model(settings.AUTH_USER_MODEL), apps.get_model("accounts", "Guest"))


def person_columns(models_to_check: Iterable[type[models.Model]] | None = None) -> dict[str, Link]:
    """Every column of every model (foreign keys and text alike) that names a person, by label."""
    targets = _targets()
    found: dict[str, Link] = {}
    for model in apps.get_models(include_auto_created=True) if models_to_check is None else models_to_check:
        for field in model._meta.get_fields():
            link = _person_link(field, targets)
            if link is not None:
                found[f"{model._meta.label}.{field.name}"] = link
    return found


def _field_of(ref: Reference) -> Any:
    try:
        return ref.model()._meta.get_field(ref.field_name)
    except (LookupError, FieldDoesNotExist):
        return None


def personal_data_problems(
    models_to_check: Iterable[type[models.Model]] | None = None,
    declared_references: dict[str, Reference] | None = None,
) -> list[checks.CheckMessage]:
    """Every person column must be declared, and every declaration must match a column and its foreign key."""
    columns = person_columns(models_to_check)
    declared_refs = references() if declared_references is None else declared_references
    problems: list[checks.CheckMessage] = []
    for label in sorted(columns.keys() - declared_refs.keys()):
        problems.append(
            checks.Error(
                f"{label} names a person ({columns[label]}) but no app declares what deletion, export and "
                "sign-up do with it",
                hint="Declare it in the app's personal_data.py (see docs/personal-data.md).",
                id="privacy.E001",
            )
        )
    if models_to_check is not None:
        return problems
    for label, ref in sorted(declared_refs.items()):
        field = _field_of(ref)
        if field is None or label not in columns:
            problems.append(checks.Error(f"{label} is declared but names no person any more", id="privacy.E002"))
            continue
        if columns[label] != ref.link:
            problems.append(
                checks.Error(f"{label} is declared as {ref.link} but is {columns[label]}", id="privacy.E003")
            )
        problems.extend(_agreement(ref, field))
    return problems


def _agreement(ref: Reference, field: Any) -> list[checks.CheckMessage]:
    """The declared handling must be what the foreign key and the model can do."""
    errors = []
    on_delete = getattr(field.remote_field, "on_delete", None) if field.is_relation else None
    if ref.deletion == Deletion.ANONYMISED and on_delete is not models.SET_NULL:
        errors.append(f"{ref.label} is declared anonymised but is not SET_NULL")
    if ref.deletion != Deletion.HELD and on_delete in (models.PROTECT, models.RESTRICT):
        errors.append(f"{ref.label} would block the purge of the user or guest row")
    if ref.deletion == Deletion.QUEUED:
        names = {f.name for f in field.model._meta.get_fields()}
        if not {"state", "queued_at", "deletion_reason"} <= names:
            errors.append(f"{ref.label} is declared queued but its model has no cleanup-queue state")
    if ref.link == Link.USER and (ref.exported is None) == (ref.left_out is None):
        errors.append(f"{ref.label} must say where it is in the export, or why it is left out (one of them)")
    if (ref.link == Link.GUEST) == (ref.carry_over == CarryOver.NOT_APPLICABLE):
        errors.append(f"{ref.label}: a guest reference (and only one) says what sign-up does with it")
    return [checks.Error(message, id="privacy.E004") for message in errors]


# The apps the registry must find declarations for: a check that found none of them would prove nothing.
EXPECTED_APPS = frozenset(
    {"accounts", "studio", "billing", "privacy", "tokens", "policies", "moderation", "audit", "vault", "analytics"}
)


def check_personal_data(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The `privacy.E001`-`E006` system check (registered in `PrivacyConfig.ready()`)."""
    problems = personal_data_problems()
    missing = sorted(EXPECTED_APPS - set(_REGISTRY))
    if missing:
        problems.append(checks.Error(f"no personal data declared by {missing}", id="privacy.E005"))
    return problems + export_problems()


def export_problems(declarations: Iterable[PersonalData] | None = None) -> list[checks.CheckMessage]:
    """An app that says where its data is in the export must declare the exporter that puts it there."""
    problems: list[checks.CheckMessage] = []
    for declaration in _REGISTRY.values() if declarations is None else declarations:
        places = sorted({ref.exported for ref in declaration.references if ref.exported})
        if places and declaration.export is None:
            where = "; ".join(places)
            problems.append(
                checks.Error(
                    f"{declaration.app_label} says its data is exported ({where}) but declares no exporter",
                    hint="Give its PersonalData an export=Exporter(...) that yields those files.",
                    id="privacy.E006",
                )
            )
    return problems
