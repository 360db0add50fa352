from django.db import models


class ScoringProfileQuerySet(models.QuerySet):
    def named(self, name):
        """The newest version of a profile."""
        return self.filter(name=name).order_by("-version").first()

    def current_versions(self):
        """The newest version of every profile."""
        return self.order_by("name", "-version").distinct("name")

    def default(self):
        return self.filter(is_default=True).first()


class RankingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def published_for(self, profile, brand=None):
        return self.published().filter(profile=profile, brand=brand).first()
