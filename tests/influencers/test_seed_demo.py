import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count

from campaigns.models import Brand, Relationship
from influencers import demo_data
from influencers.models import Influencer, MetricSnapshot, SocialAccount

AS_OF = dt.date(2026, 11, 1)
FIELDS = ["platform", "handle", "followers", "avg_likes", "engagement_rate", "price_per_post"]


def _seeded_rows():
    return list(SocialAccount.objects.order_by("id").values_list(*FIELDS))


@pytest.mark.django_db
def test_seeding_is_deterministic_for_a_seed():
    demo_data.seed(accounts=400, seed=7, as_of=AS_OF)
    first = [row[:1] + row[2:] for row in _seeded_rows()]  # handles embed the row id
    SocialAccount.objects.all().delete()

    demo_data.seed(accounts=400, seed=7, as_of=AS_OF)
    second = [row[:1] + row[2:] for row in _seeded_rows()]

    assert first == second


@pytest.mark.django_db
def test_a_different_seed_gives_different_data():
    demo_data.seed(accounts=200, seed=1, as_of=AS_OF)
    first = [row[2] for row in _seeded_rows()]
    SocialAccount.objects.all().delete()

    demo_data.seed(accounts=200, seed=2, as_of=AS_OF)

    assert [row[2] for row in _seeded_rows()] != first


@pytest.mark.django_db
def test_seed_creates_people_accounts_history_and_brands():
    result = demo_data.seed(accounts=1_000, seed=3, as_of=AS_OF, snapshots_per_account=3)

    assert result == demo_data.SeedResult(
        influencers=800, accounts=1_000, snapshots=3_000, brands=3, relationships=90
    )
    assert Influencer.objects.count() == 800
    assert SocialAccount.objects.count() == 1_000
    assert MetricSnapshot.objects.count() == 3_000
    assert Brand.objects.count() == 3
    assert Relationship.objects.count() == 90
    dates = sorted(
        MetricSnapshot.objects.order_by("as_of").values_list("as_of", flat=True).distinct()
    )
    assert dates == [dt.date(2026, 9, 2), dt.date(2026, 10, 2), AS_OF]


@pytest.mark.django_db
def test_the_newest_snapshot_equals_the_current_metrics():
    demo_data.seed(accounts=50, seed=4, as_of=AS_OF)

    for account in SocialAccount.objects.all():
        newest = account.snapshots.get(as_of=AS_OF)
        assert (newest.followers, newest.avg_likes, newest.engagement_rate) == (
            account.followers,
            account.avg_likes,
            account.engagement_rate,
        )


@pytest.mark.django_db
def test_seeded_data_is_shaped_like_real_data():
    demo_data.seed(accounts=5_000, seed=5, as_of=AS_OF)
    accounts = SocialAccount.objects

    platforms = dict(accounts.values_list("platform").annotate(n=Count("id")))
    assert platforms["instagram"] > platforms["tiktok"] > platforms["youtube"] > platforms["x"]
    # heavy tail: many nano accounts, a few mega ones
    assert accounts.filter(followers__lt=10_000).count() > 3_000
    assert 5 < accounts.filter(followers__gte=1_000_000).count() < 200
    # engagement falls with size (Instagram, likes known)
    instagram = accounts.on_platform("instagram").exclude(engagement_rate__isnull=True)
    small = sorted(instagram.filter(followers__lt=5_000).values_list("engagement_rate", flat=True))
    large = sorted(
        instagram.filter(followers__gte=100_000).values_list("engagement_rate", flat=True)
    )
    assert small[len(small) // 2] > 2 * large[len(large) // 2]
    # unknown is NULL, not 0: hidden likes, unknown prices
    assert accounts.filter(avg_likes__isnull=True).exists()
    assert not accounts.filter(avg_likes=0).exists()
    assert accounts.filter(price_per_post__isnull=True).exists()
    # price grows with reach
    cheap = accounts.filter(followers__lt=5_000, price_per_post__isnull=False)
    dear = accounts.filter(followers__gte=100_000, price_per_post__isnull=False)
    assert max(cheap.values_list("price_per_post", flat=True)) < min(
        dear.values_list("price_per_post", flat=True)
    )


@pytest.mark.django_db
def test_seeding_appends_after_existing_rows_with_fresh_ids():
    demo_data.seed(accounts=100, seed=1, as_of=AS_OF)

    demo_data.seed(accounts=100, seed=2, as_of=AS_OF)
    created_by_orm = Influencer.objects.create(name="After the seed")

    assert SocialAccount.objects.count() == 200
    assert created_by_orm.id == Influencer.objects.order_by("-id").values_list("id", flat=True)[0]


@pytest.mark.django_db
def test_command_does_nothing_with_if_empty_when_accounts_exist(capsys):
    call_command("seed_demo", accounts=20, seed=1, as_of=AS_OF, verbosity=0)

    call_command("seed_demo", accounts=20, seed=1, as_of=AS_OF, if_empty=True, verbosity=0)

    assert SocialAccount.objects.count() == 20
    assert "not seeded" in capsys.readouterr().out
