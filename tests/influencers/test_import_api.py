"""Imports over the API: POST a file → 202 and the queued job; GET the job → status, errors."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from influencers.models import ImportJob, MetricSnapshot, SocialAccount
from influencers.services.imports import import_job_create, import_job_run
from tests.factories import UserFactory
from tests.influencers.import_support import SMALL_CSV

REAL = Path(__file__).resolve().parents[3] / "shared/data/real"
IMPORTS = "/api/v1/imports/"

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def small_file(content=SMALL_CSV, name="vendor.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def post_import(client, **fields):
    data = {"file": small_file(), "platform": "instagram"}
    data.update(fields)
    return client.post(IMPORTS, data, format="multipart")


@pytest.mark.django_db
def test_create_answers_202_with_the_queued_job_and_the_worker_runs_it(api, user, run_tasks_inline):
    # when a file is posted with a mapping change
    with run_tasks_inline(execute=True) as callbacks:
        response = post_import(api, mapping=json.dumps({"Land": "country"}), source="vendor-x")

    # then the answer is the queued job
    job = ImportJob.objects.get()
    assert response.status_code == 202
    body = response.json()
    url = f"http://testserver{IMPORTS}{job.pk}/"
    assert response["Location"] == url
    assert {
        key: body[key] for key in ("id", "url", "status", "progress", "source", "platform")
    } == {
        "id": job.pk,
        "url": url,
        "status": "queued",
        "progress": 0.0,
        "source": "vendor-x",
        "platform": "instagram",
    }
    assert body["counts"] == {
        "rows_read": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "accounts_created": 0,
        "accounts_changed": 0,
    }
    assert body["page_url"] == f"http://testserver/imports/{job.pk}/"
    assert len(callbacks) == 1
    assert job.created_by == user

    # and once the worker has run it, the job says how it went
    detail = api.get(url).json()
    assert (detail["status"], detail["progress"], detail["progress_message"]) == (
        "succeeded",
        1.0,
        "Done",
    )
    assert detail["counts"] == {
        "rows_read": 5,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 3,
        "accounts_created": 2,
        "accounts_changed": 2,
    }
    assert detail["failure_reason"] == ""
    assert detail["errors"] == [
        {
            "line": 3,
            "column": "Fans",
            "value": "-5",
            "reason": "negative",
            "severity": "error",
        },
        {
            "line": 4,
            "column": "Fans",
            "value": "=SUM(A1:A9)",
            "reason": "not a number",
            "severity": "error",
        },
        {
            "line": 6,
            "column": "Account",
            "value": "maya.runs",
            "reason": "duplicate of line 2: same platform, handle and as_of date",
            "severity": "error",
        },
    ]
    assert detail["errors_total"] == 3
    assert detail["errors_csv_url"] == f"{url}errors/"
    assert SocialAccount.objects.get(handle="omar").influencer.country == "ES"


@pytest.mark.django_db
def test_the_error_report_downloads_as_formula_safe_csv_with_a_token(api, user):
    job = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()),
        original_name="vendor.csv",
        source="vendor",
        platform="instagram",
        created_by=user,
    )
    import_job_run(job_id=job.pk)

    response = api.get(f"{IMPORTS}{job.pk}/errors/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
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


@pytest.mark.django_db
def test_a_real_export_lands_through_the_api(api, run_tasks_inline):
    path = REAL / "csv/ig_top200__top_insta_influencers_data.csv"

    with run_tasks_inline(execute=True):
        response = post_import(
            api, file=SimpleUploadedFile(path.name, path.read_bytes()), platform="instagram"
        )

    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["counts"]["created"], detail["counts"]["rejected"]) == (
        "succeeded",
        200,
        0,
    )
    cristiano = SocialAccount.objects.get(platform="instagram", handle="cristiano")
    assert (cristiano.followers, cristiano.posts) == (475_800_000, 3_300)
    assert SocialAccount.objects.get(platform="instagram", handle="leomessi").posts == 890


@pytest.mark.django_db
def test_a_tiktok_export_that_does_not_name_its_account_takes_the_handle(api, run_tasks_inline):
    path = REAL / "api/tiktok_research__user_info.json"

    with run_tasks_inline(execute=True):
        response = post_import(
            api, file=SimpleUploadedFile(path.name, path.read_bytes()), handle="some.creator"
        )

    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["handle"], detail["format"]) == (
        "succeeded",
        "some.creator",
        "tiktok_user_info",
    )
    assert SocialAccount.objects.filter(platform="tiktok", handle="some.creator").exists()


@pytest.mark.django_db
def test_a_dry_run_counts_and_saves_nothing(api, run_tasks_inline):
    with run_tasks_inline(execute=True):
        response = post_import(api, dry_run="true", mapping='{"Land": "country"}')

    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["dry_run"], detail["progress_message"]) == (
        "succeeded",
        True,
        "Dry run: nothing was saved",
    )
    assert (detail["counts"]["created"], detail["counts"]["rejected"]) == (2, 3)
    assert SocialAccount.objects.count() == 0
    assert MetricSnapshot.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_fails_the_job_with_its_reason(api, run_tasks_inline):
    with run_tasks_inline(execute=True):
        response = post_import(api, file=SimpleUploadedFile("export.json", b'{"data": '))

    assert response.status_code == 202
    detail = api.get(response.json()["url"]).json()
    assert (detail["status"], detail["failure_reason"]) == (
        "failed",
        "export.json is not valid JSON (Expecting value at line 1)",
    )
    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
def test_an_oversize_upload_is_refused_with_413_and_nothing_is_created(api, settings):
    settings.FOURSCORE_MAX_UPLOAD_BYTES = 100

    response = post_import(api)

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "file_too_large",
            "message": "This file is 154 bytes; the limit is 100 bytes. "
            "Split it, or import it with `manage.py import_metrics`.",
            "detail": None,
        }
    }
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        ("{not json", "Not valid JSON: Expecting property name enclosed in double quotes."),
        ('["followers"]', "A JSON object is expected: header → target."),
        (
            '{"Fans": "fans"}',
            "'fans' (for 'Fans') is not a mapping target; use one of platform, handle, "
            "display_name, external_id, url, bio, country, language, categories, "
            "contact_email, followers, following, posts, avg_likes, avg_comments, avg_shares, "
            "avg_saves, avg_views, median_likes, median_comments, median_views, "
            "engagement_rate, audience_country, audience_credibility, price_per_post, "
            "price_currency, as_of, engagement_rate_percent, audience_credibility_percent, "
            "or null.",
        ),
    ],
)
def test_a_mapping_that_is_not_a_json_object_of_targets_is_refused(api, mapping, problem):
    response = post_import(api, mapping=mapping)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "The request is not valid.",
        "detail": {"mapping": [problem]},
    }
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_create_without_a_file_is_a_400(api):
    response = api.post(IMPORTS, {"source": "x"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["detail"] == {"file": ["No file was submitted."]}


@pytest.mark.django_db
def test_uploads_are_throttled_under_the_expensive_scope(api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"expensive": "2/minute"})

    statuses = [post_import(api).status_code for _ in range(3)]
    reads = [api.get(IMPORTS).status_code for _ in range(3)]

    assert statuses == [202, 202, 429]
    assert reads == [200, 200, 200]
    assert ImportJob.objects.count() == 2


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_only_the_requesters_jobs_newest_first(api, user, django_assert_max_num_queries):
    mine = [
        import_job_create(
            file=io.BytesIO(SMALL_CSV.encode()),
            original_name=f"{n}.csv",
            source="s",
            created_by=user,
        )
        for n in range(3)
    ]
    import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()),
        original_name="theirs.csv",
        source="s",
        created_by=UserFactory(),
    )

    with django_assert_max_num_queries(3):
        response = api.get(IMPORTS)

    body = response.json()
    assert [job["id"] for job in body["results"]] == [job.pk for job in reversed(mine)]
    assert (body["next"], body["previous"]) == (None, None)


@pytest.mark.django_db
def test_another_users_job_is_a_404(api):
    theirs = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()),
        original_name="theirs.csv",
        source="s",
        created_by=UserFactory(),
    )

    detail = api.get(f"{IMPORTS}{theirs.pk}/")
    report = api.get(f"{IMPORTS}{theirs.pk}/errors/")

    assert (detail.status_code, report.status_code) == (404, 404)
    assert detail.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_anonymous_calls_are_401_and_create_nothing(client, user):
    job = import_job_create(
        file=io.BytesIO(SMALL_CSV.encode()), original_name="a.csv", source="a", created_by=user
    )
    anonymous = APIClient()

    statuses = [
        anonymous.get(IMPORTS).status_code,
        anonymous.get(f"{IMPORTS}{job.pk}/").status_code,
        anonymous.get(f"{IMPORTS}{job.pk}/errors/").status_code,
        post_import(anonymous).status_code,
    ]

    assert statuses == [401, 401, 401, 401]
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db
def test_the_session_of_a_logged_in_user_also_works(logged_in_client):
    response = logged_in_client.get(IMPORTS)

    assert response.status_code == 200
    assert response.json()["results"] == []


# --- Schema ---------------------------------------------------------------------------------


def test_the_schema_is_generated_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for expected in [
        "/api/v1/imports/:",
        "/api/v1/imports/{id}/:",
        "/api/v1/imports/{id}/errors/:",
        "    ImportJob:",
        "    ImportJobDetail:",
        "    ImportJobCreateRequest:",
        "    ImportRowError:",
        "operationId: imports_create",
    ]:
        assert expected in schema


@pytest.mark.django_db
def test_the_job_lists_its_first_100_errors_and_their_total(api, user):
    rows = "".join(f"creator{n},-{n + 1}\n" for n in range(120))
    job = import_job_create(
        file=io.BytesIO(f"handle,followers\n{rows}".encode()),
        original_name="negative.csv",
        source="vendor",
        platform="instagram",
        created_by=user,
    )
    import_job_run(job_id=job.pk)

    detail = api.get(f"{IMPORTS}{job.pk}/").json()

    assert (detail["counts"]["rejected"], detail["errors_total"]) == (120, 120)
    assert [error["line"] for error in detail["errors"]] == list(range(2, 102))
