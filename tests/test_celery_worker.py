"""A real Celery worker (on Redis in CI, on the filesystem broker otherwise) runs the tasks."""

import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery_app import app
from influencers.models import ImportJob, ImportStatus, SocialAccount
from influencers.services.imports import import_job_create, import_job_enqueue


@pytest.fixture
def celery_worker(transactional_db):
    # The worker runs in a thread of this process with its own database connection, so
    # the test data must be committed: transactional_db, not the usual rolled-back db.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(job, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import #{job.pk} still {job.status} after {timeout} s")


def test_an_import_queued_on_commit_is_run_by_the_worker(celery_worker):
    content = "platform,handle,followers,as_of\ninstagram,maya,12500,2026-11-01\n"
    with transaction.atomic():
        job = import_job_create(
            file=io.BytesIO(content.encode()), original_name="a.csv", source="worker-test"
        )
        import_job_enqueue(job)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED

    job = wait_for(job)

    assert (job.status, job.rows_created, job.progress) == (ImportStatus.SUCCEEDED, 1, 1.0)
    assert SocialAccount.objects.get(handle="maya").followers == 12_500


def test_a_full_rescoring_fans_out_chunks_and_publishes(celery_worker, monkeypatch):
    import datetime as dt

    from influencers import demo_data
    from scoring import services
    from scoring.models import Ranking, RankingStatus
    from scoring.tasks import rescore_ranking

    demo_data.seed(accounts=300, seed=3, as_of=dt.date(2026, 11, 1))
    monkeypatch.setattr(services, "CHUNK_SIZE", 100)

    rescore_ranking.delay()

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ranking = Ranking.objects.filter(status=RankingStatus.PUBLISHED).first()
        if ranking is not None:
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"no ranking published: {list(Ranking.objects.values())}")
    assert (ranking.chunks_total, sorted(ranking.chunks_done)) == (3, [0, 1, 2])
    assert ranking.accounts_ranked == 300
