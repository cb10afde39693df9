"""Upload pixel budgets (accounts/pixelbudget.py): per request, and per owner per hour in the rate windows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import RateWindow
from nanobananas.accounts.pixelbudget import (
    PixelBudgetExceeded,
    TooManyPixels,
    pixel_budget_spend,
    request_pixels_check,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NOON = datetime(2026, 12, 5, 12, 10, tzinfo=UTC)


@pytest.fixture
def budgets(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "UPLOAD_MEGAPIXELS_PER_REQUEST": 100,
                            "UPLOAD_MEGAPIXELS_PER_HOUR": 200}  # fmt: skip


@pytest.mark.usefixtures("budgets")
def test_a_request_within_its_budget_passes_and_one_above_is_413() -> None:
    request_pixels_check(pixels=100_000_000)
    with pytest.raises(TooManyPixels) as refused:
        request_pixels_check(pixels=100_000_001)
    assert (refused.value.status_code, refused.value.code) == (413, "too_many_pixels")
    assert refused.value.message == (
        "These pictures add up to 100 megapixels; one message can carry at most 100. Send fewer or smaller pictures."
    )


@pytest.mark.usefixtures("budgets")
def test_an_owner_spends_the_hourly_budget_then_gets_429_and_nothing_more_is_counted() -> None:
    owner = Owner(guest_id=uuid.uuid4())
    pixel_budget_spend(owner=owner, pixels=98_000_000, now=NOON)
    pixel_budget_spend(owner=owner, pixels=98_000_000, now=NOON)
    with pytest.raises(PixelBudgetExceeded) as refused:
        pixel_budget_spend(owner=owner, pixels=4_000_001, now=NOON)
    assert (refused.value.status_code, refused.value.code) == (429, "pixel_budget_exceeded")
    assert refused.value.resets_at == datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    assert "Try again at 13:00 UTC" in refused.value.message
    # Counted in thousands of pixels, rounded up.
    [window] = RateWindow.objects.filter(key=f"pixels:{owner.key}")
    assert (window.count, window.window_start, window.expires_at) == (
        196_000, datetime(2026, 12, 5, 12, 0, tzinfo=UTC), datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    )  # fmt: skip
    # What is left still fits exactly.
    pixel_budget_spend(owner=owner, pixels=4_000_000, now=NOON)
    assert RateWindow.objects.get(key=f"pixels:{owner.key}").count == 200_000


@pytest.mark.usefixtures("budgets")
def test_the_budget_is_per_owner_and_per_hour() -> None:
    spender, other = Owner(guest_id=uuid.uuid4()), Owner(user_id=7)
    pixel_budget_spend(owner=spender, pixels=200_000_000, now=NOON)
    pixel_budget_spend(owner=other, pixels=200_000_000, now=NOON)
    pixel_budget_spend(owner=spender, pixels=1, now=datetime(2026, 12, 5, 13, 0, tzinfo=UTC))
    with pytest.raises(PixelBudgetExceeded):
        pixel_budget_spend(owner=spender, pixels=1, now=datetime(2026, 12, 5, 12, 59, 59, tzinfo=UTC))


@pytest.mark.usefixtures("budgets")
def test_a_part_of_a_thousand_pixels_counts_as_a_whole_thousand() -> None:
    owner = Owner(guest_id=uuid.uuid4())
    pixel_budget_spend(owner=owner, pixels=1, now=NOON)
    assert RateWindow.objects.get(key=f"pixels:{owner.key}").count == 1
    pixel_budget_spend(owner=owner, pixels=199_999_000, now=NOON)
    with pytest.raises(PixelBudgetExceeded):
        pixel_budget_spend(owner=owner, pixels=1, now=NOON)


@pytest.mark.usefixtures("budgets")
def test_guests_behind_one_address_share_a_few_budgets_and_a_refusal_counts_nowhere() -> None:
    # Five guests' budgets (GUEST_ADDRESS_ALLOWANCE) per address: new cookies do not bring new budgets.
    for _ in range(5):
        pixel_budget_spend(owner=Owner(guest_id=uuid.uuid4()), pixels=200_000_000, address_key="addr", now=NOON)
    sixth = Owner(guest_id=uuid.uuid4())
    with pytest.raises(PixelBudgetExceeded):
        pixel_budget_spend(owner=sixth, pixels=1, address_key="addr", now=NOON)
    # The refusal came from the address counter; the guest's own counter passed, and was rolled back.
    assert not RateWindow.objects.filter(key=f"pixels:{sixth.key}", count__gt=0).exists()
    assert RateWindow.objects.get(key="pixels:a:addr").count == 1_000_000
    # Another address, and a signed-in user behind the same one, are not held back.
    pixel_budget_spend(owner=Owner(guest_id=uuid.uuid4()), pixels=1, address_key="other", now=NOON)
    pixel_budget_spend(owner=Owner(user_id=3), pixels=200_000_000, address_key="addr", now=NOON)
