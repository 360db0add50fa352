"""The import pages: upload → mapping → queued job → live progress → summary, errors, accounts."""

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from influencers.forms import TARGET_LABELS, describe_size
from influencers.importing.aliases import MAPPING_TARGETS
from influencers.models import (
    ColumnMapping,
    ImportJob,
    ImportStatus,
    MetricSnapshot,
    SocialAccount,
)
from influencers.services.imports import import_job_create, import_job_run
from tests.factories import UserFactory
from tests.influencers.import_support import SMALL_CSV

REAL_CSV = Path(__file__).resolve().parents[3] / "shared/data/real/csv"

pytestmark = pytest.mark.usefixtures("media_root")


def csv_file(content, name="export.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def upload(client, file, **fields):
    data = {"file": file, "source": "", "format": "", "platform": "", "as_of": "", "handle": ""}
    data.update(fields)
    return client.post(reverse("import-new"), data)


def mapping_form_data(response, *, overrides=None, **fields):
    """The mapping form as the page shows it, with some targets changed by header."""
    form = response.context["form"]
    data = {"platform": form.initial.get("platform", ""), "action": "start"}
    for column in form.columns:
        target = (overrides or {}).get(column["header"], form.fields[column["field_name"]].initial)
        data[column["field_name"]] = target or ""
    data.update(fields)
    return data


def files_in(folder):
    return sorted(path.name for path in Path(folder).rglob("*") if path.is_file())


# --- Upload ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_creates_a_draft_and_shows_the_detected_mapping(logged_in_client, user):
    # given a small export without a platform column
    # when it is uploaded with a platform
    response = upload(logged_in_client, csv_file(SMALL_CSV), platform="instagram")

    # then a draft job exists and the browser is sent to its mapping step
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-mapping", kwargs={"pk": job.pk})
    assert (job.status, job.source, job.platform, job.created_by) == (
        ImportStatus.DRAFT,
        "export",
        "instagram",
        user,
    )
    page = logged_in_client.get(response["Location"])
    columns = {column["header"]: column for column in page.context["form"].columns}
    assert {header: column["target"] for header, column in columns.items()} == {
        "Account": "handle",
        "Fans": "followers",
        "Avg likes": "avg_likes",
        "Land": None,
    }
    assert columns["Fans"]["samples"] == ["12.5k", "-5", "=SUM(A1:A9)"]
    assert [column["header"] for column in page.context["form"].protected_columns] == ["Gender"]
    assert b"never imported" in page.content
    assert page.context["detected"]["format"] == "CSV"
    assert page.context["detected"]["delimiter"] == "comma"
    assert (page.context["canonical"]["count"], page.context["canonical"]["ready"]) == (5, 2)
    assert [row["is_rejected"] for row in page.context["canonical"]["rows"]] == [
        False,
        True,
        True,
        False,
        True,
    ]
    assert [row["line"] for row in page.context["preview_errors"]] == [3, 4, 6]


@pytest.mark.django_db
def test_the_mapping_select_offers_every_target_and_not_imported(logged_in_client):
    upload(logged_in_client, csv_file(SMALL_CSV), platform="instagram")
    job = ImportJob.objects.get()

    page = logged_in_client.get(reverse("import-mapping", kwargs={"pk": job.pk}))

    field = page.context["form"].fields["column_0"]
    values = [value for _, group in field.choices[1:] for value, _ in group]
    assert field.choices[0] == ("", "— not imported —")
    assert sorted(values) == sorted(MAPPING_TARGETS)
    assert set(TARGET_LABELS) == set(MAPPING_TARGETS)
    # the protected column has no select at all
    assert b'aria-label="Column Gender"' not in page.content


@pytest.mark.django_db
def test_an_oversize_upload_is_refused_with_the_limits_and_nothing_is_created(
    logged_in_client, settings, media_root
):
    settings.FOURSCORE_MAX_UPLOAD_BYTES = 1024
    content = "handle,followers\n" + "maya,12500\n" * 200  # 2,217 bytes

    response = upload(logged_in_client, csv_file(content), platform="instagram")

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is 2.2 KB; the limit is 1 KB. "
        "Split it, or import it with `manage.py import_metrics`."
    ]
    assert b"the limit is 1 KB" in response.content
    assert ImportJob.objects.count() == 0
    assert files_in(media_root) == []


def test_sizes_are_described_as_people_read_them():
    assert describe_size(312 * 1024 * 1024) == "312 MB"
    assert describe_size(200 * 1024 * 1024) == "200 MB"
    assert describe_size(4.5 * 1024 * 1024) == "4.5 MB"
    assert describe_size(2048) == "2 KB"
    assert describe_size(900) == "900 bytes"


@pytest.mark.django_db
def test_random_binary_bytes_show_the_reason_and_leave_no_job(logged_in_client, media_root):
    garbage = random.Random(7).randbytes(4096)

    response = upload(
        logged_in_client, SimpleUploadedFile("photo.csv", garbage, "application/octet-stream")
    )

    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert message.startswith("This file cannot be read: ")
    assert ImportJob.objects.count() == 0
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_uploading_nothing_says_what_to_choose(logged_in_client, media_root):
    response = logged_in_client.post(reverse("import-new"), {"source": "", "format": ""})

    assert response.context["form"].errors["file"] == [
        "Choose the file (or the files of one API export) to import."
    ]
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_an_image_picked_by_mistake_is_named_and_leaves_no_job(logged_in_client, media_root):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(3).randbytes(4096)

    response = upload(logged_in_client, SimpleUploadedFile("screenshot.png", png, "image/png"))

    assert response.context["form"].errors["file"] == [
        "This file cannot be read: this is a PNG image, not a table or an API export: export "
        "the data as CSV, XLSX or JSON."
    ]
    assert ImportJob.objects.count() == 0
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_broken_json_shows_the_parsers_one_line_reason(logged_in_client, media_root):
    response = upload(logged_in_client, SimpleUploadedFile("export.json", b'{"data": '))

    assert response.context["form"].errors["file"] == [
        "This file cannot be read: export.json is not valid JSON (Expecting value at line 1)."
    ]
    assert ImportJob.objects.count() == 0
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_an_as_of_date_in_the_future_is_refused(logged_in_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = upload(logged_in_client, csv_file(SMALL_CSV), as_of=tomorrow.isoformat())

    assert response.context["form"].errors["as_of"] == ["The date cannot be in the future."]
    assert ImportJob.objects.count() == 0


# --- Mapping → run → summary → errors → accounts ---------------------------------------------


@pytest.mark.django_db
def test_the_whole_web_flow_from_upload_to_error_report(logged_in_client, run_tasks_inline):
    # given an uploaded export and its mapping step
    upload(logged_in_client, csv_file(SMALL_CSV, "vendor.csv"), platform="instagram")
    job = ImportJob.objects.get()
    mapping_url = reverse("import-mapping", kwargs={"pk": job.pk})
    page = logged_in_client.get(mapping_url)

    # when the user maps "Land" (not detected) to country and starts the import
    with run_tasks_inline(execute=True) as callbacks:
        response = logged_in_client.post(
            mapping_url, mapping_form_data(page, overrides={"Land": "country"})
        )

    # then the job was queued once and ran on commit
    assert len(callbacks) == 1
    detail_url = reverse("import-detail", kwargs={"pk": job.pk})
    assert response["Location"] == detail_url
    job.refresh_from_db()
    assert job.mapping == {
        "Account": "handle",
        "Fans": "followers",
        "Avg likes": "avg_likes",
        "Land": "country",
        "Gender": "excluded",
    }
    assert (job.status, job.rows_read, job.rows_created, job.rows_rejected) == (
        ImportStatus.SUCCEEDED,
        5,
        2,
        3,
    )
    maya = SocialAccount.objects.get(platform="instagram", handle="maya.runs")
    assert (maya.followers, maya.avg_likes, maya.influencer.country) == (12_500, 400.0, "DE")
    assert SocialAccount.objects.get(handle="omar").influencer.country == "ES"

    # and the detail page shows the exact counts and the error table
    detail = logged_in_client.get(detail_url)
    assert detail.status_code == 200
    assert f"Import #{job.pk} of vendor.csv is queued." in detail.content.decode()
    content = detail.content.decode()
    assert 'data-testid="rows-created">2<' in content
    assert 'data-testid="rows-updated">0<' in content
    assert 'data-testid="rows-unchanged">0<' in content
    assert 'data-testid="rows-rejected">3<' in content
    assert 'data-testid="accounts-created">2<' in content
    assert 'hx-trigger="every 1s"' not in content
    assert [(row["line"], row["column"], row["value"]) for row in detail.context["errors"]] == [
        (3, "Fans", "-5"),
        (4, "Fans", "=SUM(A1:A9)"),
        (6, "Account", "maya.runs"),
    ]
    assert detail.context["errors_total"] == 3

    # and the CSV has every error, the formula neutralised
    report = logged_in_client.get(reverse("import-errors-csv", kwargs={"pk": job.pk}))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    body = b"".join(report.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        ["line", "column", "value", "reason", "severity"],
        ["3", "Fans", "'-5", "negative", "error"],
        ["4", "Fans", "'=SUM(A1:A9)", "not a number", "error"],
        [
            "6",
            "Account",
            "maya.runs",
            "duplicate of line 2: same platform, handle and as_of date",
            "error",
        ],
    ]

    # and the accounts page lists the two accounts, largest first
    accounts = logged_in_client.get(reverse("import-accounts", kwargs={"pk": job.pk}))
    assert [row["account"].handle for row in accounts.context["rows"]] == ["maya.runs", "omar"]
    assert [row["engagement"] for row in accounts.context["rows"]] == ["3.20 % per follower", ""]
    assert b"12,500" in accounts.content


@pytest.mark.django_db
def test_the_progress_partial_polls_until_the_job_has_finished(logged_in_client, user):
    job = import_job_create(
        file=io.BytesIO(b"platform,handle,followers\ninstagram,maya,12500\n"),
        original_name="canonical.csv",
        source="vendor",
        created_by=user,
    )
    progress_url = reverse("import-progress", kwargs={"pk": job.pk})

    queued = logged_in_client.get(progress_url, HTTP_HX_REQUEST="true")
    import_job_run(job_id=job.pk)
    finished = logged_in_client.get(progress_url, HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 1s"' in queued.content.decode()
    assert b"Waiting for a worker" in queued.content
    assert 'hx-trigger="every 1s"' not in finished.content.decode()
    assert b'data-status="succeeded"' in finished.content
    assert 'data-testid="rows-created">1<' in finished.content.decode()


@pytest.mark.django_db
def test_a_mapping_that_maps_two_columns_to_one_field_is_refused(logged_in_client):
    upload(logged_in_client, csv_file(SMALL_CSV), platform="instagram")
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": job.pk})
    page = logged_in_client.get(url)

    response = logged_in_client.post(url, mapping_form_data(page, overrides={"Land": "followers"}))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This mapping cannot be used: columns 'Fans' and 'Land' are both mapped to followers."
    ]
    job.refresh_from_db()
    assert job.status == ImportStatus.DRAFT


@pytest.mark.django_db
def test_without_a_platform_the_mapping_step_asks_for_one(logged_in_client):
    upload(logged_in_client, csv_file(SMALL_CSV))
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": job.pk})
    page = logged_in_client.get(url)
    assert (
        "The file does not say which platform its accounts are on: choose one."
        in (page.context["notes"])
    )

    refused = logged_in_client.post(url, mapping_form_data(page))
    accepted = logged_in_client.post(url, mapping_form_data(page, platform="tiktok"))

    assert refused.context["form"].errors["platform"] == [
        "Choose the platform: the file does not say which platform its accounts are on."
    ]
    assert accepted.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.platform) == (ImportStatus.QUEUED, "tiktok")


@pytest.mark.django_db
def test_update_preview_shows_the_new_mapping_without_starting(logged_in_client):
    upload(logged_in_client, csv_file(SMALL_CSV), platform="instagram")
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": job.pk})
    page = logged_in_client.get(url)

    response = logged_in_client.post(
        url, mapping_form_data(page, overrides={"Land": "country"}, action="preview")
    )

    assert response.status_code == 200
    table = response.context["canonical"]
    assert table["headers"] == [
        "Platform",
        "Handle",
        "Country",
        "Followers",
        "Average likes",
        "As of",
    ]
    assert [row["cells"][2] for row in table["rows"]] == ["DE", "FR", "US", "ES", "DE"]
    job.refresh_from_db()
    assert job.status == ImportStatus.DRAFT


@pytest.mark.django_db
def test_a_started_job_cannot_be_mapped_again(logged_in_client, user):
    job = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()), original_name="x.csv", source="x", created_by=user
    )

    response = logged_in_client.get(reverse("import-mapping", kwargs={"pk": job.pk}))

    assert response["Location"] == reverse("import-detail", kwargs={"pk": job.pk})


@pytest.mark.django_db
def test_a_saved_mapping_is_reused_by_the_next_file_of_the_same_source(
    logged_in_client, run_tasks_inline
):
    # given a first file whose mapping is changed and saved for source "vendor-x"
    upload(logged_in_client, csv_file(SMALL_CSV), source="vendor-x", platform="instagram")
    first = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": first.pk})
    page = logged_in_client.get(url)
    with run_tasks_inline(execute=True):
        logged_in_client.post(
            url, mapping_form_data(page, overrides={"Land": "country"}, save_mapping="on")
        )
    assert ColumnMapping.objects.get(source="vendor-x").mapping["Land"] == "country"

    # when the next file of the same source is uploaded
    upload(
        logged_in_client, csv_file(SMALL_CSV, "june.csv"), source="vendor-x", platform="instagram"
    )
    second = ImportJob.objects.exclude(pk=first.pk).get()
    page = logged_in_client.get(reverse("import-mapping", kwargs={"pk": second.pk}))

    # then its mapping step starts from the saved mapping
    columns = {column["header"]: column["target"] for column in page.context["form"].columns}
    assert columns["Land"] == "country"
    assert b"Using the mapping saved for" in page.content


@pytest.mark.django_db
def test_a_json_api_export_has_nothing_to_map_and_starts_directly(
    logged_in_client, run_tasks_inline
):
    export = REAL_CSV.parent / "api/youtube_v3__channels_list_snippet_statistics_multi.json"
    upload(logged_in_client, SimpleUploadedFile(export.name, export.read_bytes()))
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": job.pk})

    page = logged_in_client.get(url)
    with run_tasks_inline(execute=True):
        response = logged_in_client.post(url, {"action": "start"})

    assert page.context["is_table"] is False
    assert page.context["detected"]["format"] == "YouTube Data API channels.list"
    assert b"Nothing to map" in page.content
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rows_created, job.rows_rejected, job.mapping) == (
        ImportStatus.SUCCEEDED,
        2,
        0,
        {},
    )


REAL_FILES = [
    # file, platform to choose, rows read, rejected
    ("ig_top200__top_insta_influencers_data.csv", "instagram", 200, 0),
    ("tt_sm2022__VARIANT_dupcols_display_plus_numeric.csv", "", 1000, 13),
    ("tt_top256_2020__top-250-tiktokers.csv", "tiktok", 256, 0),
    ("yt_sm2022__social_media_influencers_youtube.csv", "", 1000, 2),
    ("yt_top1000__topSubscribed_commas.csv", "", 1000, 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "platform", "rows_read", "rejected"), REAL_FILES)
def test_every_real_export_goes_through_the_web_flow(
    logged_in_client, run_tasks_inline, name, platform, rows_read, rejected
):
    path = REAL_CSV / name
    upload(logged_in_client, SimpleUploadedFile(name, path.read_bytes()), platform=platform)
    job = ImportJob.objects.get()
    url = reverse("import-mapping", kwargs={"pk": job.pk})
    page = logged_in_client.get(url)
    assert page.status_code == 200

    with run_tasks_inline(execute=True):
        logged_in_client.post(url, mapping_form_data(page))

    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_rejected) == (
        ImportStatus.SUCCEEDED,
        rows_read,
        rejected,
    )
    assert job.rows_created == rows_read - rejected
    rejected_lines = set(job.row_errors.filter(severity="error").values_list("line", flat=True))
    assert len(rejected_lines) == rejected
    detail = logged_in_client.get(reverse("import-detail", kwargs={"pk": job.pk}))
    assert detail.status_code == 200
    assert f'data-testid="rows-rejected">{rejected}<' in detail.content.decode()
    report = logged_in_client.get(reverse("import-errors-csv", kwargs={"pk": job.pk}))
    assert len(b"".join(report.streaming_content).decode().splitlines()) == (
        1 + job.row_errors.count()
    )
    accounts = logged_in_client.get(reverse("import-accounts", kwargs={"pk": job.pk}))
    assert accounts.status_code == 200
    assert accounts.context["page"].paginator.count == rows_read - rejected


@pytest.mark.django_db
def test_real_exports_land_with_exact_spot_values(logged_in_client, run_tasks_inline):
    for name, platform, _, _ in REAL_FILES:
        upload(
            logged_in_client,
            SimpleUploadedFile(name, (REAL_CSV / name).read_bytes()),
            platform=platform,
        )
        job = ImportJob.objects.latest("id")
        url = reverse("import-mapping", kwargs={"pk": job.pk})
        with run_tasks_inline(execute=True):
            logged_in_client.post(url, mapping_form_data(logged_in_client.get(url)))

    def account(platform, handle):
        return SocialAccount.objects.get(platform=platform, handle=handle)

    assert account("instagram", "cristiano").followers == 475_800_000
    assert account("instagram", "leomessi").posts == 890
    # two files of the same day: the account follows the one imported last
    assert account("tiktok", "charlidamelio").followers == 78_900_000
    assert sorted(
        MetricSnapshot.objects.filter(
            account__platform="tiktok", account__handle="charlidamelio"
        ).values_list("source", "followers")
    ) == [
        ("tt_sm2022__VARIANT_dupcols_display_plus_numeric", 135_400_000),
        ("tt_top256_2020__top-250-tiktokers", 78_900_000),
    ]
    assert account("tiktok", "dojacat").followers == 22_200_000
    assert account("youtube", "t-series").followers == 234_000_000


# --- Access ---------------------------------------------------------------------------------


def job_urls(job):
    names = ["import-detail", "import-mapping", "import-progress", "import-errors-csv"]
    return [reverse(name, kwargs={"pk": job.pk}) for name in [*names, "import-accounts"]]


@pytest.mark.django_db
def test_another_users_import_is_a_404_everywhere_and_not_listed(logged_in_client):
    other = UserFactory()
    theirs = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()),
        original_name="theirs.csv",
        source="theirs",
        created_by=other,
        status=ImportStatus.DRAFT,
    )

    statuses = [logged_in_client.get(url).status_code for url in job_urls(theirs)]
    posted = logged_in_client.post(
        reverse("import-mapping", kwargs={"pk": theirs.pk}), {"action": "start"}
    )
    listing = logged_in_client.get(reverse("import-list"))

    assert statuses == [404, 404, 404, 404, 404]
    assert posted.status_code == 404
    assert list(listing.context["page"].object_list) == []
    assert b"theirs.csv" not in listing.content
    theirs.refresh_from_db()
    assert theirs.status == ImportStatus.DRAFT


@pytest.mark.django_db
def test_staff_see_every_import(client, staff_user, user):
    job = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()), original_name="a.csv", source="a", created_by=user
    )
    client.force_login(staff_user)

    listing = client.get(reverse("import-list"))

    assert list(listing.context["page"].object_list) == [job]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client, user):
    job = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()), original_name="a.csv", source="a", created_by=user
    )
    urls = [reverse("import-list"), reverse("import-new"), *job_urls(job)]

    responses = [client.get(url) for url in urls]
    posted = client.post(reverse("import-new"), {"file": csv_file(SMALL_CSV)})

    login = reverse("login")
    assert [response["Location"] for response in responses] == [
        f"{login}?next={url}" for url in urls
    ]
    assert posted.status_code == 302
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db
def test_the_upload_form_needs_the_csrf_token(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    response = strict.post(reverse("import-new"), {"file": csv_file(SMALL_CSV)})

    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


# --- List -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_an_empty_state_that_says_what_to_do(logged_in_client):
    response = logged_in_client.get(reverse("import-list"))

    assert b"No imports yet." in response.content
    assert reverse("import-new").encode() in response.content


@pytest.mark.django_db
def test_the_list_shows_the_users_imports_newest_first_with_their_status(
    logged_in_client, user, django_assert_max_num_queries
):
    older = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()), original_name="may.csv", source="s", created_by=user
    )
    newer = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()),
        original_name="june.csv",
        source="s",
        created_by=user,
        status=ImportStatus.DRAFT,
    )

    with django_assert_max_num_queries(5):
        response = logged_in_client.get(reverse("import-list"))

    assert list(response.context["page"].object_list) == [newer, older]
    content = response.content.decode()
    assert "Awaiting mapping" in content
    assert "Queued" in content
    assert reverse("import-mapping", kwargs={"pk": newer.pk}) in content
    assert reverse("import-detail", kwargs={"pk": older.pk}) in content


@pytest.mark.django_db
def test_importing_the_same_file_again_says_so_and_changes_nothing(
    logged_in_client, run_tasks_inline
):
    # given a file imported once through the pages
    for _ in range(2):
        upload(logged_in_client, csv_file(SMALL_CSV), platform="instagram")
        job = ImportJob.objects.latest("id")
        url = reverse("import-mapping", kwargs={"pk": job.pk})
        with run_tasks_inline(execute=True):
            logged_in_client.post(url, mapping_form_data(logged_in_client.get(url)))
    first, second = ImportJob.objects.order_by("id")

    # when the second import's pages are read
    detail = logged_in_client.get(reverse("import-detail", kwargs={"pk": second.pk}))
    accounts = logged_in_client.get(reverse("import-accounts", kwargs={"pk": second.pk}))

    # then they say the rows were already known, from which import
    assert (second.rows_created, second.rows_unchanged, second.rows_rejected) == (0, 2, 3)
    assert detail.context["same_file"] == first
    assert 'data-testid="accounts-link"' not in detail.content.decode()
    assert list(accounts.context["rows"]) == []
    assert b"Every row of this file was already known" in accounts.content
    assert reverse("import-accounts", kwargs={"pk": first.pk}).encode() in accounts.content


@pytest.mark.django_db
def test_a_failed_job_shows_its_reason(logged_in_client, user):
    job = import_job_create(
        file=io.BytesIO(b"Account,Fans\nmaya,100\n"),
        original_name="no-platform.csv",
        source="vendor",
        created_by=user,
    )
    import_job_run(job_id=job.pk)

    response = logged_in_client.get(reverse("import-detail", kwargs={"pk": job.pk}))

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert b"The import failed: nothing was saved." in response.content
    assert escape(job.failure_reason) in response.content.decode()
    assert 'data-testid="accounts-link"' not in response.content.decode()


@pytest.mark.django_db
def test_a_saved_mapping_that_does_not_fit_the_next_file_falls_back_to_detection(
    logged_in_client,
):
    ColumnMapping.objects.create(source="vendor-x", mapping={"Land": "country"})

    upload(
        logged_in_client,
        csv_file("handle,followers\nmaya,12500\n"),
        source="vendor-x",
        platform="instagram",
    )
    job = ImportJob.objects.get()
    page = logged_in_client.get(reverse("import-mapping", kwargs={"pk": job.pk}))

    assert page.context["notes"][0] == (
        "The mapping saved for “vendor-x” does not fit this file (the mapping names a column "
        "the file does not have: 'Land'): the detected mapping is shown instead."
    )
    assert page.context["is_saved_mapping"] is False
    columns = {column["header"]: column["target"] for column in page.context["form"].columns}
    assert columns == {"handle": "handle", "followers": "followers"}


@pytest.mark.django_db
def test_the_error_table_shows_the_first_500_problems_and_says_there_are_more(
    logged_in_client, user
):
    rows = "".join(f"creator{n},-{n + 1}\n" for n in range(520))
    job = import_job_create(
        file=io.BytesIO(f"handle,followers\n{rows}".encode()),
        original_name="negative.csv",
        source="vendor",
        platform="instagram",
        created_by=user,
    )
    import_job_run(job_id=job.pk)

    response = logged_in_client.get(reverse("import-detail", kwargs={"pk": job.pk}))

    assert len(response.context["errors"]) == 500
    assert response.context["errors"][-1]["line"] == 501
    assert response.context["errors_total"] == 520
    assert b"Showing the first 500 of 520 problems." in response.content
    report = logged_in_client.get(reverse("import-errors-csv", kwargs={"pk": job.pk}))
    assert len(b"".join(report.streaming_content).decode().splitlines()) == 521
