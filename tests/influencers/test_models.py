import pytest
from django.db import IntegrityError, transaction

from influencers.models import SocialAccount
from tests.factories import InfluencerFactory, MetricSnapshotFactory, SocialAccountFactory


@pytest.mark.django_db
def test_a_handle_is_unique_per_platform():
    SocialAccountFactory(platform="instagram", handle="maya.runs")

    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccountFactory(platform="instagram", handle="maya.runs")

    SocialAccountFactory(platform="tiktok", handle="maya.runs")
    assert SocialAccount.objects.filter(handle="maya.runs").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("handle", ["", "@maya"])
def test_a_handle_must_be_normalized(handle):
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccountFactory(handle=handle)

    assert SocialAccount.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value",
    [("followers", -1), ("engagement_rate", -0.1), ("audience_credibility", 1.5)],
)
def test_metrics_cannot_be_out_of_range(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccountFactory(**{field: value})


@pytest.mark.django_db
def test_unknown_metrics_stay_null():
    account = SocialAccountFactory(followers=None, avg_likes=None, engagement_rate=None)

    account.refresh_from_db()

    assert (account.followers, account.avg_likes, account.engagement_rate) == (None, None, None)


@pytest.mark.django_db
def test_one_snapshot_per_account_date_and_source():
    snapshot = MetricSnapshotFactory(source="hypeauditor")
    MetricSnapshotFactory(account=snapshot.account, as_of=snapshot.as_of, source="modash")

    with pytest.raises(IntegrityError), transaction.atomic():
        MetricSnapshotFactory(account=snapshot.account, as_of=snapshot.as_of, source="modash")

    assert snapshot.account.snapshots.count() == 2


@pytest.mark.django_db
def test_external_ids_above_two_to_the_53_are_kept_exactly():
    video_id = "7288965373704064286"
    account = SocialAccountFactory(external_id=video_id)

    account.refresh_from_db()

    assert account.external_id == video_id


@pytest.mark.django_db
def test_queryset_vocabulary_chains():
    micro = SocialAccountFactory(platform="instagram", followers=12_000)
    SocialAccountFactory(platform="instagram", followers=60_000)
    SocialAccountFactory(platform="tiktok", followers=12_000)
    SocialAccountFactory(platform="instagram", followers=9_000, influencer=InfluencerFactory())

    found = SocialAccount.objects.on_platform("instagram").micro()

    assert list(found) == [micro]
