"""Sign-up from a guest session: the account is created and the guest's work carried over in one transaction."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db import transaction

from nanobananas.accounts import services as accounts_services
from nanobananas.accounts.identity import Owner
from nanobananas.analytics.services import analytics_record
from nanobananas.registry.personal_data import handlers

__all__ = ["TRANSFER_ORDER", "account_signup", "guest_carry_over"]

# The guest's conversations and images move first; then the guest's privacy settings and consent ledger.
TRANSFER_ORDER = ("studio", "privacy")


def guest_carry_over(*, guest_id: uuid.UUID, user_id: int) -> None:
    """Give what a guest made to the account it signed up as: each app's `transfer` handler, in TRANSFER_ORDER.

    What happens to each kind of guest row is declared in the registry (`CarryOver`): what is not
    transferred or copied stays with the guest and goes when the guest row is purged."""
    with transaction.atomic():
        for _app, transfer in handlers("transfer", order=TRANSFER_ORDER):
            transfer(guest_id, user_id)


def account_signup(
    *,
    email: str,
    username: str,
    display_name: str,
    password: str,
    birth_month: int,
    birth_year: int,
    link_base: str,
    guest: Owner | None = None,
    address_key: str | None = None,
    retry_blocked: bool = False,
) -> User:
    """`accounts.services.account_signup` (the gate, the rate limit, the account), then, in the account's
    transaction, the guest's work carried over: a refused sign-up moves nothing."""

    def carry_over(user: User) -> None:
        if guest is not None and guest.guest_id is not None:
            guest_carry_over(guest_id=guest.guest_id, user_id=user.pk)
        # Only a guest who had switched analytics on is counted: a new account starts with them off.
        analytics_record(Owner(user_id=user.pk), "signed_up", source="guest" if guest is not None else "new")

    return accounts_services.account_signup(
        email=email,
        username=username,
        display_name=display_name,
        password=password,
        birth_month=birth_month,
        birth_year=birth_year,
        link_base=link_base,
        guest=guest,
        address_key=address_key,
        retry_blocked=retry_blocked,
        on_created=carry_over,
    )
