"""The first versions exist after migrate; the version in force is the latest published one, never a draft."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nanobananas.core.exceptions import NotFound
from nanobananas.policies.models import PolicyDocument
from nanobananas.policies.selectors import current_version, current_versions, version_get, version_list
from tests.policies.conftest import draft, published

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_the_shipped_policy_and_terms_are_the_first_published_versions() -> None:
    privacy, terms = current_version(), current_version(kind="terms")
    assert privacy is not None
    assert terms is not None
    assert (privacy.kind, privacy.version, privacy.title) == ("privacy", "1", "Privacy policy")
    assert (terms.kind, terms.version, terms.title) == ("terms", "1", "Terms of use")
    assert privacy.published_at == terms.published_at == datetime(2026, 11, 30, tzinfo=UTC)
    # The policy's promises are in the text users read.
    assert "physically deleted 24 hours" in privacy.body
    assert "48 hours or\n  7 days" in privacy.body
    assert "12 months" in privacy.body
    assert "under 13" in privacy.body
    assert PolicyDocument.objects.count() == 2


def test_a_draft_is_never_current_and_publishing_makes_it_current() -> None:
    second = draft(version="2")
    assert current_version().version == "1"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        version_get(kind="privacy", version="2")
    published_second = published(version="3")
    assert current_version().pk == published_second.pk  # type: ignore[union-attr]
    assert [d.version for d in version_list(kind="privacy")] == ["3", "1"]
    assert current_versions()["terms"].version == "1"
    assert second.published_at is None


def test_unknown_versions_and_kinds_are_not_found() -> None:
    with pytest.raises(NotFound):
        version_get(kind="privacy", version="9")
    with pytest.raises(NotFound):
        version_get(kind="cookies", version="1")
    assert current_version(kind="cookies") is None
