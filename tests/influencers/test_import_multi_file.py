"""The files of one API export imported together (command, pages, API) or one after the other:
complete snapshots — followers from the profile file, averages and medians from the posts."""

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from influencers.management.commands.import_metrics import Command
from influencers.models import ImportJob, ImportStatus, MetricSnapshot, SocialAccount
from influencers.services.imports import files_checksum, import_job_create, import_job_run
from tests.factories import SocialAccountFactory

API = Path(__file__).resolve().parents[3] / "shared/data/real/api"
CHANNELS = API / "youtube_v3__channels_list_snippet_statistics_multi.json"
VIDEOS = API / "youtube_v3__videos_list_statistics_2019_with_dislikeCount.json"
INSTAGRAM = [
    API / "instagram_graph__business_discovery_user_fields.json",
    API / "instagram_graph__business_discovery_media_page1.json",
    API / "instagram_graph__business_discovery_media_page2.json",
]
TIKTOK = [API / "tiktok_research__user_info.json", API / "tiktok_research__video_query.json"]
TODAY = dt.date(2025, 1, 15)
DEVELOPERS = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
METRICS = (
    "followers",
    "posts",
    "avg_views",
    "avg_likes",
    "avg_comments",
    "median_views",
    "median_likes",
    "median_comments",
    "engagement_rate",
    "engagement_rate_denominator",
)
# googledevelopers: subscribers and videos from channels.list, the one video of videos.list.
DEVELOPERS_SNAPSHOT = (2_260_000, 5652, 7920.0, 190.0, 32.0, 7920.0, 190.0, 32.0)
DEVELOPERS_RATE = ((190 + 32) / 2_260_000, "followers")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def run(paths, *, today=TODAY, **options):
    files = [(path.name, io.BytesIO(path.read_bytes())) for path in paths]
    job = import_job_create(files=files, source=options.pop("source", ""), **options)
    return import_job_run(job_id=job.pk, today=today)


def counts(job):
    return (
        job.rows_read,
        job.rows_created,
        job.rows_updated,
        job.rows_unchanged,
        job.rows_rejected,
    )


def snapshot_of(handle, *, platform="youtube"):
    return MetricSnapshot.objects.values_list(*METRICS).get(
        account__platform=platform, account__handle=handle
    )


def zip_of(paths):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


# --- One job, several files ----------------------------------------------------------------


def test_channels_and_videos_together_make_one_complete_snapshot_per_channel():
    job = run([CHANNELS, VIDEOS])

    assert (job.status, job.format, job.source) == (
        ImportStatus.SUCCEEDED,
        "youtube_channels+youtube_videos",
        "YouTube Data API",
    )
    assert job.original_name == f"{CHANNELS.name} + {VIDEOS.name}"
    assert counts(job) == (2, 2, 0, 0, 0)
    assert snapshot_of("googledevelopers") == (*DEVELOPERS_SNAPSHOT, *DEVELOPERS_RATE)
    # the Google channel has no video in videos.list: its averages are unknown, not 0
    assert snapshot_of("google") == (10_700_000, 2678, *[None] * 7, "")
    developers = SocialAccount.objects.get(platform="youtube", handle="googledevelopers")
    assert (developers.external_id, developers.followers, developers.avg_views) == (
        DEVELOPERS,
        2_260_000,
        7920.0,
    )
    assert (developers.metrics_as_of, developers.metrics_source) == (TODAY, "YouTube Data API")
    assert job.file.name.endswith(".zip")


def test_the_instagram_profile_and_its_media_pages_land_in_one_snapshot():
    job = run(INSTAGRAM)

    assert (job.format, job.source, counts(job)) == (
        "instagram_graph",
        "Instagram Graph API",
        (1, 1, 0, 0, 0),
    )
    snapshot = MetricSnapshot.objects.get(account__handle="facebookfordevelopers")
    assert (snapshot.followers, snapshot.posts) == (64_976, 436)
    assert (snapshot.avg_likes, snapshot.median_likes) == (102.25, 86.5)
    assert (snapshot.avg_comments, snapshot.median_comments) == (8.75, 8.0)
    assert snapshot.engagement_rate == (102.25 + 8.75) / 64_976
    assert snapshot.account.external_id == "17841407673135339"


def test_a_dry_run_of_several_files_counts_and_saves_nothing():
    job = run([CHANNELS, VIDEOS], is_dry_run=True)

    assert (job.status, counts(job), job.accounts_created) == (
        ImportStatus.SUCCEEDED,
        (2, 2, 0, 0, 0),
        2,
    )
    assert SocialAccount.objects.count() == 0
    assert MetricSnapshot.objects.count() == 0


# --- One file after the other ----------------------------------------------------------------


def test_videos_imported_after_their_channels_complete_the_same_snapshots():
    # given channels.list imported alone
    first = run([CHANNELS])
    assert snapshot_of("googledevelopers")[:3] == (2_260_000, 5652, None)
    SocialAccount.objects.update(needs_rescore=False)

    # when videos.list, which names the channel only by its id, is imported on its own
    second = run([VIDEOS])

    # then it finds the channel by that id and fills its snapshot without losing subscribers
    assert first.source == second.source == "YouTube Data API"
    assert counts(second) == (1, 0, 1, 0, 0)
    assert (second.accounts_created, second.accounts_changed) == (0, 1)
    assert snapshot_of("googledevelopers") == (*DEVELOPERS_SNAPSHOT, *DEVELOPERS_RATE)
    assert MetricSnapshot.objects.count() == 2
    assert list(SocialAccount.objects.filter(needs_rescore=True).values_list("handle")) == [
        ("googledevelopers",)
    ]

    # and importing either file again changes nothing
    videos_again = run([VIDEOS])
    channels_again = run([CHANNELS])
    assert counts(videos_again) == (1, 0, 0, 1, 0)
    assert videos_again.progress_message == f"Same file as import #{second.pk}: nothing to change"
    assert counts(channels_again) == (2, 0, 0, 2, 0)  # read again in full: not the newest import
    assert channels_again.progress_message == "Done"
    assert snapshot_of("googledevelopers") == (*DEVELOPERS_SNAPSHOT, *DEVELOPERS_RATE)


def test_channels_imported_after_their_videos_keep_the_averages():
    run([CHANNELS])
    run([VIDEOS])

    # a newer channels.list of the same day: new subscribers, averages kept, rate recomputed
    document = json.loads(CHANNELS.read_text())
    document["items"][1]["statistics"]["subscriberCount"] = "2270000"
    job = import_job_create(
        files=[("channels.json", io.BytesIO(json.dumps(document).encode()))], source=""
    )
    job = import_job_run(job_id=job.pk, today=TODAY)

    assert counts(job) == (2, 0, 1, 1, 0)
    assert snapshot_of("googledevelopers") == (
        2_270_000,
        *DEVELOPERS_SNAPSHOT[1:],
        (190 + 32) / 2_270_000,
        "followers",
    )


def test_videos_of_the_next_day_do_not_wipe_the_subscribers_off_the_account():
    run([CHANNELS], today=TODAY)
    next_day = TODAY + dt.timedelta(days=1)

    job = run([VIDEOS], today=next_day)

    # the new day's snapshot holds what that day's file knows, nothing borrowed
    assert counts(job) == (1, 1, 0, 0, 0)
    tuesday = MetricSnapshot.objects.get(account__handle="googledevelopers", as_of=next_day)
    assert (tuesday.followers, tuesday.avg_views, tuesday.engagement_rate) == (None, 7920.0, None)
    # the account: the newest snapshot's known values, the subscribers it already knew, and
    # the rate over both
    account = SocialAccount.objects.get(handle="googledevelopers")
    assert (account.followers, account.posts, account.avg_views, account.avg_likes) == (
        2_260_000,
        5652,
        7920.0,
        190.0,
    )
    assert (account.engagement_rate, account.engagement_rate_denominator) == DEVELOPERS_RATE
    assert (account.metrics_as_of, account.metrics_source) == (next_day, "YouTube Data API")


def test_an_account_created_from_a_table_takes_its_channel_id_and_is_found_by_it():
    # given the channel known from a vendor table, without its id
    SocialAccountFactory(platform="youtube", handle="googledevelopers", external_id="")

    # when channels.list, then videos.list alone, are imported
    run([CHANNELS])
    videos = run([VIDEOS])

    # then channels.list gave the account its id, and videos.list found it by that id
    account = SocialAccount.objects.get(handle="googledevelopers")
    assert account.external_id == DEVELOPERS
    assert account.url == f"https://www.youtube.com/channel/{DEVELOPERS}"
    assert counts(videos) == (1, 0, 1, 0, 0)
    assert snapshot_of("googledevelopers")[:3] == (2_260_000, 5652, 7920.0)


def test_videos_of_a_channel_never_imported_are_rejected_with_the_way_out():
    job = run([VIDEOS])

    assert (job.status, counts(job)) == (ImportStatus.SUCCEEDED, (1, 0, 0, 0, 1))
    assert list(job.row_errors.values_list("line", "column", "reason")) == [
        (
            1,
            "handle",
            "the export does not name the channel: import videos.list together with "
            "(or after) channels.list",
        )
    ]
    assert SocialAccount.objects.count() == 0

    # once the channel is known, the same file is read again (its rejection was not final)
    run([CHANNELS])
    again = run([VIDEOS])
    assert counts(again) == (1, 0, 1, 0, 0)


def test_tiktok_video_query_after_user_info_keeps_the_followers():
    run(TIKTOK[:1], account_handle="my_user")

    job = run(TIKTOK[1:], account_handle="my_user")

    assert (job.source, counts(job)) == ("TikTok Research API", (1, 0, 1, 0, 0))
    snapshot = MetricSnapshot.objects.get(account__platform="tiktok", account__handle="my_user")
    assert (snapshot.followers, snapshot.following, snapshot.posts) == (232, 45, 44)
    assert (snapshot.avg_views, snapshot.avg_comments, snapshot.avg_likes) == (1050.0, 2.0, None)


# --- The checksum short-cut ------------------------------------------------------------------


def test_the_checksum_covers_every_file_in_order():
    channels, videos = CHANNELS.read_bytes(), VIDEOS.read_bytes()
    digests = [hashlib.sha256(data).hexdigest() for data in (channels, videos)]

    assert files_checksum([io.BytesIO(channels)]) == digests[0]
    assert files_checksum([io.BytesIO(channels), io.BytesIO(videos)]) == (
        hashlib.sha256("\n".join(digests).encode()).hexdigest()
    )
    assert files_checksum([io.BytesIO(videos), io.BytesIO(channels)]) != files_checksum(
        [io.BytesIO(channels), io.BytesIO(videos)]
    )


def test_the_same_files_again_are_answered_from_the_first_import():
    first = run([CHANNELS, VIDEOS])

    again = run([CHANNELS, VIDEOS])

    assert again.checksum == first.checksum
    assert again.progress_message == f"Same file as import #{first.pk}: nothing to change"
    assert counts(again) == (2, 0, 0, 2, 0)


def test_the_same_files_in_another_order_or_with_one_changed_are_read_again():
    first = run([CHANNELS, VIDEOS])
    reordered = run([VIDEOS, CHANNELS])
    document = json.loads(VIDEOS.read_text())
    document["items"][0]["statistics"]["viewCount"] = "8000"
    changed = import_job_create(
        files=[
            (CHANNELS.name, io.BytesIO(CHANNELS.read_bytes())),
            (VIDEOS.name, io.BytesIO(json.dumps(document).encode())),
        ],
        source="",
    )
    changed = import_job_run(job_id=changed.pk, today=TODAY)

    assert len({first.checksum, reordered.checksum, changed.checksum}) == 3
    assert (reordered.progress_message, counts(reordered)) == ("Done", (2, 0, 0, 2, 0))
    assert counts(changed) == (2, 0, 1, 1, 0)
    assert snapshot_of("googledevelopers")[2] == 8000.0


def test_the_same_export_imported_on_another_day_makes_that_days_snapshots():
    first = run([CHANNELS, VIDEOS], today=TODAY)

    next_day = run([CHANNELS, VIDEOS], today=TODAY + dt.timedelta(days=1))

    assert (first.as_of, next_day.as_of) == (TODAY, TODAY + dt.timedelta(days=1))
    assert counts(next_day) == (2, 2, 0, 0, 0)
    assert MetricSnapshot.objects.count() == 4


# --- The command -----------------------------------------------------------------------------


@pytest.fixture
def command_line(monkeypatch, capsys):
    """Run `manage.py import_metrics ARGS` as from a shell: (exit code, stdout, stderr)."""
    # run_from_argv closes the connections when done: not the test's own transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run_command(*arguments):
        try:
            Command().run_from_argv(["manage.py", "import_metrics", *map(str, arguments)])
            code = 0
        except SystemExit as exit:
            code = exit.code
        out, err = capsys.readouterr()
        return code, out, err

    return run_command


def test_the_command_imports_several_files_as_one_job(command_line):
    code, out, err = command_line(CHANNELS, VIDEOS, "--verbosity", "0", "--as-of", "2025-01-15")

    job = ImportJob.objects.get()
    assert (code, err) == (0, "")
    assert out == (
        f"Import #{job.pk} of {CHANNELS.name} + {VIDEOS.name} (youtube_channels+youtube_videos, "
        "source 'YouTube Data API'): 2 rows read, 2 created, 0 updated, 0 unchanged, "
        "0 rejected; 2 new accounts.\n"
    )
    assert snapshot_of("googledevelopers") == (*DEVELOPERS_SNAPSHOT, *DEVELOPERS_RATE)


def test_the_command_takes_a_zip_of_the_files(command_line, tmp_path):
    archive = tmp_path / "instagram-export.zip"
    archive.write_bytes(zip_of(INSTAGRAM))

    code, out, _ = command_line(archive, "--verbosity", "0")

    assert code == 0
    assert "(instagram_graph, source 'Instagram Graph API'): 1 rows read, 1 created" in out
    assert MetricSnapshot.objects.get().avg_likes == 102.25


def test_the_command_exits_0_when_rows_are_rejected(command_line, media_root):
    code, out, err = command_line(VIDEOS, "--verbosity", "0")

    job = ImportJob.objects.get()
    assert (code, err) == (0, "")
    assert "1 rows read, 0 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert out.endswith(f"Row errors: {media_root}/import-reports/import-{job.pk}-errors.csv\n")


def test_the_command_exits_1_with_one_line_when_a_file_cannot_be_read(command_line, tmp_path):
    broken = tmp_path / "videos.json"
    broken.write_bytes(b'{"kind": "youtube#videoListResponse", "items": [')

    code, out, err = command_line(CHANNELS, broken, "--verbosity", "0")

    assert (code, out) == (1, "")
    assert err == (
        f"CommandError: {CHANNELS.name} + videos.json: videos.json is not valid JSON "
        "(Expecting value at line 1)\n"
    )
    assert ImportJob.objects.get().status == ImportStatus.FAILED
    assert SocialAccount.objects.count() == 0


def test_the_command_exits_1_when_the_api_reported_an_error(command_line, tmp_path):
    document = json.loads(TIKTOK[0].read_text())
    document["error"] = {"code": "rate_limit_exceeded", "message": "Too many requests."}
    failed = tmp_path / "user_info.json"
    failed.write_text(json.dumps(document))

    code, _, err = command_line(failed, TIKTOK[1], "--handle", "my_user", "--verbosity", "0")

    assert code == 1
    assert err == (
        f"CommandError: user_info.json + {TIKTOK[1].name}: user_info.json: the TikTok API "
        "reported error 'rate_limit_exceeded': Too many requests.\n"
    )
    assert MetricSnapshot.objects.count() == 0


def test_the_command_exits_1_when_a_path_does_not_exist(command_line, tmp_path):
    code, _, err = command_line(CHANNELS, tmp_path / "missing.json")

    assert (code, err) == (1, f"CommandError: {tmp_path / 'missing.json'}: no such file\n")
    assert ImportJob.objects.count() == 0


def test_a_failure_reason_on_several_lines_is_one_line_for_the_command(monkeypatch, tmp_path):
    from influencers.services import staging

    def failing_merge(cursor, table, **kwargs):
        raise RuntimeError("could not extend file\nHINT: check free disk space")

    monkeypatch.setattr(staging, "merge_staging", failing_merge)

    with pytest.raises(CommandError) as raised:
        call_command("import_metrics", str(CHANNELS), verbosity=0)

    assert "\n" not in str(raised.value)
    assert str(raised.value).endswith("could not extend file HINT: check free disk space")


# --- The pages and the API -------------------------------------------------------------------


def uploaded(path):
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/json")


def test_the_upload_page_takes_several_files_and_previews_one_row_per_account(logged_in_client):
    response = logged_in_client.post(
        reverse("import-new"),
        {"file": [uploaded(path) for path in TIKTOK], "handle": "my_user", "source": ""},
    )

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import-mapping", kwargs={"pk": job.pk})
    assert (job.original_name, job.source) == (
        f"{TIKTOK[0].name} + {TIKTOK[1].name}",
        "TikTok Research API",
    )
    page = logged_in_client.get(response["Location"])
    assert page.context["detected"]["format"] == (
        "TikTok Research API user info + TikTok Research API video query"
    )
    assert (page.context["canonical"]["count"], page.context["canonical"]["ready"]) == (1, 1)

    logged_in_client.post(response["Location"], {"action": "start", "platform": ""})

    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    job = import_job_run(job_id=job.pk, today=TODAY)
    snapshot = MetricSnapshot.objects.get()
    assert (snapshot.followers, snapshot.avg_views) == (232, 1050.0)


def test_the_upload_page_refuses_an_empty_file_among_several(logged_in_client, media_root):
    response = logged_in_client.post(
        reverse("import-new"),
        {"file": [uploaded(CHANNELS), SimpleUploadedFile("videos.json", b"")], "source": ""},
    )

    assert response.context["form"].errors["file"] == ["videos.json is empty."]
    assert ImportJob.objects.count() == 0


def test_the_upload_page_limits_several_files_together(logged_in_client, settings):
    settings.FOURSCORE_MAX_UPLOAD_BYTES = 5000

    response = logged_in_client.post(
        reverse("import-new"), {"file": [uploaded(CHANNELS), uploaded(VIDEOS)], "source": ""}
    )

    size = CHANNELS.stat().st_size + VIDEOS.stat().st_size
    assert size > 5000 > max(CHANNELS.stat().st_size, VIDEOS.stat().st_size)
    [message] = response.context["form"].errors["file"]
    assert message.startswith("These files are ")
    assert message.endswith(
        " together; the limit is 4.9 KB. Upload fewer at a time, or import "
        "them with `manage.py import_metrics`."
    )
    assert ImportJob.objects.count() == 0


def test_the_upload_page_says_which_file_of_several_cannot_be_read(logged_in_client):
    response = logged_in_client.post(
        reverse("import-new"),
        {"file": [uploaded(CHANNELS), SimpleUploadedFile("videos.json", b"{oops")], "source": ""},
    )

    assert response.context["form"].errors["file"] == [
        "These files cannot be read: videos.json is not valid JSON (Expecting property name "
        "enclosed in double quotes at line 1)."
    ]
    assert ImportJob.objects.count() == 0


@pytest.fixture
def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_api_takes_several_file_parts_as_one_job(api, run_tasks_inline):
    with run_tasks_inline(execute=True):
        response = api.post(
            "/api/v1/imports/",
            {"file": [uploaded(CHANNELS), uploaded(VIDEOS)]},
            format="multipart",
        )

    assert response.status_code == 202
    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["format"], detail["source"]) == (
        "succeeded",
        "youtube_channels+youtube_videos",
        "YouTube Data API",
    )
    assert detail["counts"]["created"] == 2
    assert snapshot_of("googledevelopers")[:5] == DEVELOPERS_SNAPSHOT[:5]


def test_the_api_takes_a_zip_of_the_files(api, run_tasks_inline):
    archive = SimpleUploadedFile("export.zip", zip_of(INSTAGRAM), content_type="application/zip")

    with run_tasks_inline(execute=True):
        response = api.post("/api/v1/imports/", {"file": archive}, format="multipart")

    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["original_name"], detail["format"]) == (
        "succeeded",
        "export.zip",
        "instagram_graph",
    )
    snapshot = MetricSnapshot.objects.get()
    assert (snapshot.followers, snapshot.avg_likes, snapshot.median_comments) == (
        64_976,
        102.25,
        8.0,
    )


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([SimpleUploadedFile("videos.json", b"")], "This file is empty."),
        (
            [uploaded(CHANNELS), SimpleUploadedFile("videos.json", b"")],
            "videos.json is empty.",
        ),
    ],
    ids=["one", "one-of-several"],
)
def test_the_api_refuses_empty_files_by_name(api, files, problem):
    response = api.post("/api/v1/imports/", {"file": files}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["detail"] == {"file": [problem]}
    assert ImportJob.objects.count() == 0


def test_the_api_limits_several_files_together(api, settings):
    settings.FOURSCORE_MAX_UPLOAD_BYTES = 5000

    response = api.post(
        "/api/v1/imports/", {"file": [uploaded(CHANNELS), uploaded(VIDEOS)]}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["error"]["message"] == (
        "These files are 7.7 KB together; the limit is 4.9 KB. Upload fewer at a time, or "
        "import them with `manage.py import_metrics`."
    )
    assert ImportJob.objects.count() == 0
