"""The database half of importing: staging COPY, set-based merge, idempotency, provenance."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from influencers.models import (
    ImportJob,
    ImportRowError,
    ImportStatus,
    MetricSnapshot,
    SocialAccount,
)
from influencers.services.imports import import_job_create, import_job_run
from tests.factories import SocialAccountFactory

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
TODAY = dt.date(2026, 11, 20)

CANONICAL_HEADER = "platform,handle,display_name,followers,avg_likes,avg_comments,as_of\n"

pytestmark = pytest.mark.usefixtures("media_root")


def run(content, *, source="vendor-x", name="export.csv", **options):
    job = import_job_create(
        file=io.BytesIO(content.encode()), original_name=name, source=source, **options
    )
    return import_job_run(job_id=job.pk, today=TODAY)


@pytest.mark.django_db
def test_good_rows_land_as_snapshots_and_current_metrics():
    job = run(
        CANONICAL_HEADER
        + "instagram,@Maya.Runs,Maya,12500,400,20,2026-11-01\n"
        + "tiktok,leo,Leo,3.3k,,,2026-11-02\n"
    )

    assert (job.status, job.rows_created, job.rows_rejected, job.accounts_created) == (
        ImportStatus.SUCCEEDED,
        2,
        0,
        2,
    )
    maya = SocialAccount.objects.get(platform="instagram", handle="maya.runs")
    assert (maya.followers, maya.avg_likes, maya.avg_comments) == (12_500, 400.0, 20.0)
    assert maya.engagement_rate == pytest.approx(420 / 12_500)
    assert maya.engagement_rate_denominator == "followers"
    assert (maya.metrics_as_of, maya.metrics_source) == (dt.date(2026, 11, 1), "vendor-x")
    assert maya.needs_rescore is True
    assert maya.influencer.name == "Maya"
    leo = SocialAccount.objects.get(platform="tiktok", handle="leo")
    assert (leo.followers, leo.avg_likes, leo.engagement_rate) == (3_300, None, None)
    snapshot = MetricSnapshot.objects.get(account=maya)
    assert (snapshot.source, snapshot.import_job_id) == ("vendor-x", job.pk)


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing():
    content = CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n"
    run(content)
    SocialAccount.objects.update(needs_rescore=False)
    before = list(SocialAccount.objects.values_list("updated_at", "followers"))

    second = run(content)

    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 1)
    assert (second.accounts_created, second.accounts_changed) == (0, 0)
    assert MetricSnapshot.objects.count() == 1
    assert list(SocialAccount.objects.values_list("updated_at", "followers")) == before
    assert not SocialAccount.objects.filter(needs_rescore=True).exists()
    assert ImportJob.objects.filter(checksum=second.checksum).count() == 2


@pytest.mark.django_db
def test_a_corrected_value_updates_the_snapshot_and_marks_the_account():
    run(CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n")
    SocialAccount.objects.update(needs_rescore=False)

    job = run(CANONICAL_HEADER + "instagram,maya,Maya,12600,400,20,2026-11-01\n")

    assert (job.rows_created, job.rows_updated, job.accounts_changed) == (0, 1, 1)
    account = SocialAccount.objects.get(handle="maya")
    assert (account.followers, account.needs_rescore) == (12_600, True)


@pytest.mark.django_db
def test_current_metrics_follow_the_newest_snapshot_whatever_the_import_order():
    run(CANONICAL_HEADER + "instagram,maya,Maya,13000,400,20,2026-11-10\n", source="a")

    run(CANONICAL_HEADER + "instagram,maya,Maya,9000,300,10,2026-10-01\n", source="b")

    account = SocialAccount.objects.get(handle="maya")
    assert (account.followers, account.metrics_as_of, account.metrics_source) == (
        13_000,
        dt.date(2026, 11, 10),
        "a",
    )
    assert account.snapshots.count() == 2


@pytest.mark.django_db
def test_bad_rows_are_reported_with_line_column_value_and_reason_and_good_rows_land():
    job = run(
        CANONICAL_HEADER
        + "instagram,good,Good,1000,10,1,2026-11-01\n"
        + "instagram,negative,Neg,-5,10,1,2026-11-01\n"
        + "instagram,junk,Junk,lots,10,1,2026-11-01\n"
        + "instagram,good,Good again,1000,10,1,2026-11-01\n"
    )

    assert (job.rows_read, job.rows_created, job.rows_rejected) == (4, 1, 3)
    errors = list(
        ImportRowError.objects.filter(job=job, severity="error").values_list(
            "line", "column", "value"
        )
    )
    assert errors == [(3, "followers", "-5"), (4, "followers", "lots"), (5, "handle", "good")]
    assert list(SocialAccount.objects.values_list("handle", flat=True)) == ["good"]


@pytest.mark.django_db
def test_a_failure_during_the_merge_leaves_the_database_as_it_was(monkeypatch):
    SocialAccountFactory(handle="existing", followers=500)
    from influencers.services import staging

    original = staging.merge_staging

    def merge_then_fail(cursor, table, **kwargs):
        original(cursor, table, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(staging, "merge_staging", merge_then_fail)

    job = run(
        CANONICAL_HEADER
        + "instagram,existing,E,900,10,1,2026-11-01\n"
        + "instagram,newcomer,N,100,1,1,2026-11-01\n"
    )

    assert job.status == ImportStatus.FAILED
    assert "disk full" in job.failure_reason
    assert list(SocialAccount.objects.values_list("handle", "followers")) == [("existing", 500)]
    assert MetricSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_counts_everything_and_saves_nothing():
    job = run(CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n", is_dry_run=True)

    assert (job.status, job.rows_created, job.accounts_created) == (ImportStatus.SUCCEEDED, 1, 1)
    assert job.progress_message == "Dry run: nothing was saved"
    assert SocialAccount.objects.count() == 0
    assert MetricSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_a_finished_job_is_not_run_again():
    job = run(CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n")
    MetricSnapshot.objects.all().delete()

    again = import_job_run(job_id=job.pk, today=TODAY)

    assert again.status == ImportStatus.SUCCEEDED
    assert MetricSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_file_fails_the_job_with_a_reason():
    job = run("", name="empty.csv")

    assert job.status == ImportStatus.FAILED
    assert job.failure_reason
    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
def test_command_imports_a_real_export_and_prints_the_summary(capsys):
    call_command(
        "import_metrics",
        str(REAL / "csv" / "ig_top200__top_insta_influencers_data.csv"),
        platform="instagram",
        source="top200",
        as_of=dt.date(2026, 11, 1),
        verbosity=0,
    )

    out = capsys.readouterr().out
    assert "200 rows read, 200 created, 0 updated, 0 unchanged, 0 rejected" in out
    cristiano = SocialAccount.objects.get(platform="instagram", handle="cristiano")
    assert cristiano.followers == 475_800_000


@pytest.mark.django_db
def test_command_fails_with_a_one_line_reason_when_the_file_cannot_be_read(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError) as raised:
        call_command("import_metrics", str(path), verbosity=0)

    assert str(raised.value).startswith("broken.csv: ")
    assert "\n" not in str(raised.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(path.name for path in (REAL / "csv").glob("*.csv")), ids=lambda n: n[:12]
)
def test_every_real_csv_imports_through_the_command(name, capsys):
    platform = {"tt": "tiktok", "yt": "youtube", "ig": "instagram"}[name[:2]]

    call_command("import_metrics", str(REAL / "csv" / name), platform=platform, verbosity=0)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.SUCCEEDED
    assert job.rows_created + job.rows_rejected == job.rows_read
    assert SocialAccount.objects.count() > 0


@pytest.mark.django_db
def test_the_same_rows_in_another_file_change_nothing():
    run(CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n")
    SocialAccount.objects.update(needs_rescore=False)

    reordered = run(
        "handle,platform,followers,avg_comments,avg_likes,display_name,as_of\n"
        "maya,instagram,12500,20,400,Maya,2026-11-01\n"
    )

    assert reordered.progress_message == "Done"
    assert (reordered.rows_created, reordered.rows_updated, reordered.rows_unchanged) == (0, 0, 1)
    assert (reordered.accounts_created, reordered.accounts_changed) == (0, 0)
    assert not SocialAccount.objects.filter(needs_rescore=True).exists()


@pytest.mark.django_db
def test_the_same_file_again_is_answered_from_the_first_import():
    content = CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n"
    first = run(content)

    second = run(content)

    assert second.progress_message == f"Same file as import #{first.pk}: nothing to change"
    assert (second.rows_read, second.rows_unchanged, second.rows_created) == (1, 1, 0)


@pytest.mark.django_db
def test_an_old_file_after_a_corrected_one_is_imported_again_in_full():
    original = CANONICAL_HEADER + "instagram,maya,Maya,12500,400,20,2026-11-01\n"
    run(original)
    run(CANONICAL_HEADER + "instagram,maya,Maya,12600,400,20,2026-11-01\n")

    again = run(original)

    assert (again.rows_updated, again.progress_message) == (1, "Done")
    assert SocialAccount.objects.get(handle="maya").followers == 12_500


@pytest.mark.django_db
def test_a_file_with_a_history_creates_the_account_with_its_newest_row():
    job = run(
        CANONICAL_HEADER
        + "instagram,maya,Maya,12000,400,20,2026-10-01\n"
        + "instagram,maya,Maya,12500,410,21,2026-11-01\n"
        + "instagram,maya,Maya,11000,390,19,2026-09-01\n"
    )

    assert (job.rows_created, job.accounts_created) == (3, 1)
    account = SocialAccount.objects.get(handle="maya")
    assert (account.followers, account.metrics_as_of) == (12_500, dt.date(2026, 11, 1))
    assert account.snapshots.count() == 3
