"""Policy acceptances are in the user's data export (account.json), and only the user's own."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from nanobananas.policies.services import policy_accept, policy_continued_use_record, policy_notices_send
from nanobananas.privacy.export import export_for_operator
from tests.policies.conftest import member, published

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_acceptances_are_exported_with_kind_version_time_and_how(tmp_path: Path) -> None:
    alice, bob = member("alice"), member("bob")
    second = published(version="2")
    policy_notices_send(document_id=second.pk)
    assert policy_continued_use_record(user_id=alice.pk, document=second) is True
    clicked = policy_accept(user=alice, kind="terms", version="1")
    policy_accept(user=bob, kind="privacy", version="2")

    archive = export_for_operator(email="alice@example.org", output=tmp_path / "alice.zip")
    account = json.loads(zipfile.ZipFile(archive).read("account.json"))
    assert [(a["kind"], a["version"], a["how"]) for a in account["policy_acceptances"]] == [
        ("privacy", "2", "continued_use"),
        ("terms", "1", "clicked"),
    ]
    exported_at = datetime.fromisoformat(account["policy_acceptances"][1]["at"])
    assert exported_at == clicked.at.replace(microsecond=clicked.at.microsecond // 1000 * 1000)  # JSON keeps ms
