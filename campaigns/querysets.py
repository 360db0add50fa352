from django.db import models


class BrandQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Brands the user works on (staff see every brand)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(members=user)


class RelationshipQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(brand__members=user)

    def for_brand(self, brand):
        return self.filter(brand=brand)
