"""Fixtures of the influencers tests. Django is imported inside them: the pure importing
tests in this folder also run without it (`pytest -p no:django`)."""

import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and reported files go to a temporary folder, not .data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def run_tasks_inline(monkeypatch, django_capture_on_commit_callbacks):
    """Queued tasks run in the test, synchronously, when the transaction commits."""
    from influencers.tasks import run_import_job

    monkeypatch.setattr(run_import_job, "delay", run_import_job)
    return django_capture_on_commit_callbacks
