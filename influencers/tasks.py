from celery import shared_task

from .models import ImportStatus
from .services.imports import import_job_run


@shared_task(acks_late=True, time_limit=60 * 60, soft_time_limit=55 * 60)
def run_import_job(job_id):
    """Run one import job on the worker. Safe to deliver twice: a finished job is skipped.

    When account metrics changed, the accounts are rescored right away (only those).
    """
    job = import_job_run(job_id=job_id)
    if job.status == ImportStatus.SUCCEEDED and not job.is_dry_run and job.accounts_changed:
        from scoring.tasks import rescore_changed

        rescore_changed.delay()
    return job.status
