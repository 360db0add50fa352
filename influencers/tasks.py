from celery import shared_task

from .services.imports import import_job_run


@shared_task(acks_late=True, time_limit=60 * 60, soft_time_limit=55 * 60)
def run_import_job(job_id):
    """Run one import job on the worker. Safe to deliver twice: a finished job is skipped."""
    job = import_job_run(job_id=job_id)
    return job.status
