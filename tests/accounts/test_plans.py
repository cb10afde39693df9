"""Plans are data: the migration seeds exactly the defaults, and a missing row falls back to them unsaved."""

from __future__ import annotations

import importlib

import pytest
from django.forms.models import model_to_dict

from nanobananas.accounts.models import Plan
from nanobananas.accounts.plans import PLAN_DEFAULTS
from nanobananas.accounts.selectors import plan_get, plan_list

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_the_seed_migration_and_the_defaults_agree() -> None:
    seed = importlib.import_module("nanobananas.accounts.migrations.0003_seed_plans")
    assert seed.PLANS == PLAN_DEFAULTS


def test_the_seeded_rows_hold_the_defaults() -> None:
    for code, values in PLAN_DEFAULTS.items():
        row = model_to_dict(Plan.objects.get(code=code), exclude=["id", "code"])
        assert row == values


def test_a_removed_row_falls_back_to_the_defaults_without_writing() -> None:
    Plan.objects.filter(code="pro").delete()
    plan = plan_get(code="pro")
    assert plan.pk is None
    assert (plan.name, plan.retention_hours_options) == ("Pro", [48, 168])
    assert [p.code for p in plan_list()] == ["guest", "free", "pro"]
    assert not Plan.objects.filter(code="pro").exists()
