"""Jobs by name: every process knows the jobs the services enqueue, an unknown name fails inside the transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from nanobananas.billing import tasks as billing_tasks
from nanobananas.billing.services import ERASURE_JOB
from nanobananas.policies import tasks as policies_tasks
from nanobananas.policies.services import NOTICES_JOB
from nanobananas.privacy import tasks as privacy_tasks
from nanobananas.privacy.export import BUILD_JOB
from nanobananas.registry import jobs
from nanobananas.registry.jobs import job_enqueue, job_enqueue_on_commit, job_register, registered_jobs


def test_the_apps_ready_registered_each_job_the_services_name() -> None:
    assert {ERASURE_JOB, NOTICES_JOB, BUILD_JOB} <= set(registered_jobs())
    assert jobs._JOBS[ERASURE_JOB] is billing_tasks.erase_closed_account_payments
    assert jobs._JOBS[NOTICES_JOB] is policies_tasks.send_policy_notices
    assert jobs._JOBS[BUILD_JOB] is privacy_tasks.build_export


def test_one_name_for_two_jobs_is_refused() -> None:
    job_register(BUILD_JOB, privacy_tasks.build_export)  # the same job again (a module imported twice) is fine
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        job_register(BUILD_JOB, billing_tasks.erase_closed_account_payments)
    assert jobs._JOBS[BUILD_JOB] is privacy_tasks.build_export


def test_an_unknown_job_is_an_error_not_a_dropped_job() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"no job named 'studio\.nothing'"):
        job_enqueue("studio.nothing")


@pytest.mark.django_db
def test_a_job_runs_after_commit_only_and_an_unknown_one_rolls_the_writes_back(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from nanobananas.accounts.models import Guest

    seen: list[tuple[str, ...]] = []
    monkeypatch.setitem(jobs._JOBS, "test.watch", lambda *args: seen.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        job_enqueue_on_commit("test.watch", "a", "b")
        assert seen == []
    assert (len(callbacks), seen) == (1, [("a", "b")])

    def write_and_ask_for_an_unknown_job() -> None:
        with transaction.atomic():
            Guest.objects.create()
            job_enqueue_on_commit("test.unknown")

    with pytest.raises(ImproperlyConfigured):
        write_and_ask_for_an_unknown_job()
    assert Guest.objects.count() == 0
