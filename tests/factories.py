import datetime as dt

import factory
from django.contrib.auth import get_user_model

from campaigns.models import Brand, Relationship, RelationshipEvent
from influencers.models import Influencer, MetricSnapshot, SocialAccount


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@agency.example")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class InfluencerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Influencer

    name = factory.Sequence(lambda n: f"Creator {n}")
    bio = "Trail running and mountain food."
    country = "DE"
    language = "de"
    categories = factory.LazyFunction(lambda: ["fitness", "outdoor"])


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    influencer = factory.SubFactory(InfluencerFactory)
    platform = "instagram"
    handle = factory.Sequence(lambda n: f"creator{n}")
    followers = 25_000
    avg_likes = 800.0
    avg_comments = 40.0
    engagement_rate = 0.0336
    engagement_rate_denominator = "followers"
    metrics_as_of = dt.date(2026, 11, 1)
    metrics_source = "factory"


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    account = factory.SubFactory(SocialAccountFactory)
    as_of = dt.date(2026, 11, 1)
    source = "factory"
    followers = 25_000


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    target_categories = factory.LazyFunction(lambda: ["outdoor"])


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    brand = factory.SubFactory(BrandFactory)
    influencer = factory.SubFactory(InfluencerFactory)
    stage = "engaged"


class RelationshipEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipEvent

    relationship = factory.SubFactory(RelationshipFactory)
    kind = "contacted"
    occurred_on = dt.date(2026, 10, 1)
