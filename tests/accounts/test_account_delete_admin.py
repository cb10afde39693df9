"""Closed accounts in the admin: staff see when each tombstone is purged, and cannot add, change or delete one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.models import ClosedAccount
from nanobananas.workflows.account_delete import account_delete
from tests.accounts.conftest import PASSWORD, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_staff_see_closed_accounts_read_only() -> None:
    staff = User.objects.create_superuser(username="root", email="root@example.org", password="x" * 12)
    client = Client()
    client.force_login(staff)
    user = signup()
    account_delete(user=user, password=PASSWORD, phrase="delete my account")
    closed = ClosedAccount.objects.get(user_id=user.pk)

    listing = client.get("/admin/accounts/closedaccount/")
    assert listing.status_code == 200
    assert f"{closed.purge_after:%Y}" in listing.content.decode()
    assert client.get(f"/admin/accounts/closedaccount/{user.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/closedaccount/add/").status_code == 403
    assert client.get(f"/admin/accounts/closedaccount/{user.pk}/delete/").status_code == 403
    changed = client.post(
        f"/admin/accounts/closedaccount/{user.pk}/change/", {"purge_after_0": "2099-01-01", "purge_after_1": "00:00"}
    )
    assert changed.status_code == 403
    assert ClosedAccount.objects.get(user_id=user.pk).purge_after == closed.purge_after
