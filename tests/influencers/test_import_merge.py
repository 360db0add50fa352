"""Successive imports of one account, date and source: unknown never erases known.

A snapshot is (account, as_of, source). An import that leaves a value unknown (an empty
cell, an API file that does not carry it) keeps the value an earlier import gave; a known
value replaces it. The engagement rate follows the merged metrics.
"""

import datetime as dt
import io

import pytest

from influencers.models import MetricSnapshot, SocialAccount
from influencers.services.imports import import_job_create, import_job_run

TODAY = dt.date(2026, 11, 20)
HEADER = (
    "platform,handle,followers,posts,avg_likes,avg_comments,median_likes,engagement_rate,"
    "audience_country,price_per_post,price_currency,as_of\n"
)
FULL = "instagram,maya,10000,300,400,100,380,,DE,450,EUR,2026-11-01\n"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def run(rows, *, source="vendor-x", name="export.csv"):
    job = import_job_create(
        file=io.BytesIO((HEADER + rows).encode()), original_name=name, source=source
    )
    return import_job_run(job_id=job.pk, today=TODAY)


def counts(job):
    return (job.rows_created, job.rows_updated, job.rows_unchanged, job.rows_rejected)


def snapshot_values(*names):
    return MetricSnapshot.objects.values_list(*names).get()


def test_an_unknown_value_keeps_the_known_one_and_a_known_value_replaces_it():
    # given a complete snapshot
    run(FULL)
    SocialAccount.objects.update(needs_rescore=False)

    # when a later import of the same account, date and source knows only the followers
    job = run("instagram,maya,12000,,,,,,,,,2026-11-01\n", name="followers-only.csv")

    # then the followers are replaced and nothing else is lost
    assert counts(job) == (0, 1, 0, 0)
    assert snapshot_values(
        "followers",
        "posts",
        "avg_likes",
        "avg_comments",
        "median_likes",
        "audience_country",
        "price_per_post",
        "price_currency",
    ) == (12_000, 300, 400.0, 100.0, 380.0, "DE", 450, "EUR")
    # the rate is computed again from the merged row: (400 + 100) / 12,000
    assert snapshot_values("engagement_rate", "engagement_rate_denominator") == (
        500 / 12_000,
        "followers",
    )
    account = SocialAccount.objects.get(handle="maya")
    assert (account.followers, account.avg_likes, account.engagement_rate) == (
        12_000,
        400.0,
        500 / 12_000,
    )
    assert account.needs_rescore is True


def test_a_row_of_averages_only_keeps_the_followers_of_an_earlier_import():
    run("instagram,maya,10000,300,,,,,,,,2026-11-01\n", name="profile.csv")

    job = run("instagram,maya,,,250,50,,,,,,2026-11-01\n", name="posts.csv")

    assert counts(job) == (0, 1, 0, 0)
    assert snapshot_values("followers", "posts", "avg_likes", "avg_comments") == (
        10_000,
        300,
        250.0,
        50.0,
    )
    assert snapshot_values("engagement_rate") == (300 / 10_000,)
    assert MetricSnapshot.objects.count() == 1


def test_a_rate_given_by_the_export_stays_until_what_it_is_computed_from_changes():
    run("instagram,maya,10000,300,400,100,,0.07,,,,2026-11-01\n")

    # the same metrics without the vendor's rate: the vendor's rate stays
    same = run("instagram,maya,10000,,400,,,,,,,2026-11-01\n", name="again.csv")
    assert counts(same) == (0, 0, 1, 0)
    assert snapshot_values("engagement_rate") == (0.07,)

    # new likes: the rate is ours again, from the merged metrics
    changed = run("instagram,maya,,,500,,,,,,,2026-11-01\n", name="likes.csv")
    assert counts(changed) == (0, 1, 0, 0)
    assert snapshot_values("engagement_rate", "engagement_rate_denominator") == (
        600 / 10_000,
        "followers",
    )


def test_a_new_price_without_a_currency_does_not_take_the_old_prices_currency():
    run(FULL)

    run("instagram,maya,,,,,,,,500,,2026-11-01\n", name="price.csv")

    assert snapshot_values("price_per_post", "price_currency") == (500, "")


def test_an_unknown_price_keeps_the_price_and_its_currency():
    run(FULL)

    run("instagram,maya,10000,,,,,,,,,2026-11-01\n", name="followers.csv")

    assert snapshot_values("price_per_post", "price_currency") == (450, "EUR")


def test_importing_the_same_partial_file_again_changes_nothing():
    run(FULL)
    partial = "instagram,maya,12000,,,,,,,,,2026-11-01\n"
    run(partial, name="partial.csv")
    SocialAccount.objects.update(needs_rescore=False)
    before = list(MetricSnapshot.objects.values())

    # the same rows in other bytes (a blank line: no checksum short-cut): all read, none written
    again = run(partial + "\n", name="partial-copy.csv")

    assert again.progress_message == "Done"
    assert counts(again) == (0, 0, 1, 0)
    assert (again.accounts_created, again.accounts_changed) == (0, 0)
    assert list(MetricSnapshot.objects.values()) == before
    assert not SocialAccount.objects.filter(needs_rescore=True).exists()


def test_another_source_or_date_is_another_snapshot_and_keeps_nothing_of_this_one():
    run(FULL)

    other_source = run("instagram,maya,12000,,,,,,,,,2026-11-01\n", source="vendor-y")
    other_date = run("instagram,maya,13000,,,,,,,,,2026-11-02\n")

    assert (counts(other_source), counts(other_date)) == ((1, 0, 0, 0), (1, 0, 0, 0))
    assert list(
        MetricSnapshot.objects.order_by("as_of", "source").values_list(
            "as_of", "source", "followers", "avg_likes"
        )
    ) == [
        (dt.date(2026, 11, 1), "vendor-x", 10_000, 400.0),
        (dt.date(2026, 11, 1), "vendor-y", 12_000, None),
        (dt.date(2026, 11, 2), "vendor-x", 13_000, None),
    ]


def test_a_newer_partial_snapshot_keeps_the_accounts_known_metrics():
    run(FULL)
    SocialAccount.objects.update(needs_rescore=False)

    job = run("instagram,maya,,,500,,,,,,,2026-11-02\n", name="next-day.csv")

    assert counts(job) == (1, 0, 0, 0)
    account = SocialAccount.objects.get(handle="maya")
    assert (account.followers, account.posts, account.avg_likes, account.avg_comments) == (
        10_000,
        300,
        500.0,
        100.0,
    )
    assert (account.audience_country, account.price_per_post, account.price_currency) == (
        "DE",
        450,
        "EUR",
    )
    assert (account.engagement_rate, account.metrics_as_of) == (
        600 / 10_000,
        dt.date(2026, 11, 2),
    )
    assert account.needs_rescore is True
    # and the same again changes nothing
    again = run("instagram,maya,,,500,,,,,,,2026-11-02\n\n", name="next-day-copy.csv")
    assert counts(again) == (0, 0, 1, 0)
    assert again.accounts_changed == 0


def test_descriptive_fields_fill_gaps_on_the_person_and_never_overwrite():
    header = "platform,handle,display_name,bio,country,language,category,email,followers,as_of\n"

    def describe(row, *, day):
        job = import_job_create(
            file=io.BytesIO((header + row).encode()),
            original_name=f"profiles-{day}.csv",
            source="profiles",
        )
        return import_job_run(job_id=job.pk, today=TODAY)

    # given a person known by handle only
    describe("instagram,maya,Maya,,,,,,10000,2026-11-01\n", day=1)
    # when a later export knows their bio, country, language, category and e-mail
    describe(
        "instagram,maya,Maya,Trail runner,Germany,de,fitness,maya@example.com,10100,2026-11-02\n",
        day=2,
    )
    # and a third one says something else about each
    describe("instagram,maya,Maya,Chef,France,fr,food,other@example.com,10200,2026-11-03\n", day=3)

    person = SocialAccount.objects.get(handle="maya").influencer
    assert (
        person.bio,
        person.country,
        person.language,
        person.categories,
        person.contact_email,
    ) == ("Trail runner", "DE", "de", ["fitness"], "maya@example.com")
