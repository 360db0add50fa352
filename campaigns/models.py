"""Clients (brands) and their relationships with influencers.

Campaigns and shortlists come with their own issue; nothing here pretends to hold them.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from influencers.models import Influencer, Platform

from .querysets import BrandQuerySet, RelationshipQuerySet


class Brand(models.Model):
    """A client of the agency, with the audience it wants: relevance is measured against it."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    target_categories = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    target_keywords = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    target_countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    target_languages = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    target_platforms = ArrayField(
        models.CharField(max_length=20, choices=Platform.choices), default=list, blank=True
    )
    # Who works on this client: non-staff users see only the brands they are members of.
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="brands", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BrandQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RelationshipStage(models.TextChoices):
    NONE = "none", "None"
    IDENTIFIED = "identified", "Identified"
    ENGAGED = "engaged", "Engaged"
    ACTIVE = "active", "Active"
    AMBASSADOR = "ambassador", "Ambassador"


class Relationship(models.Model):
    """Brand × Influencer: how far the two have come together."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="relationships")
    influencer = models.ForeignKey(
        Influencer, on_delete=models.CASCADE, related_name="relationships"
    )
    stage = models.CharField(
        max_length=20, choices=RelationshipStage.choices, default=RelationshipStage.NONE
    )
    is_advocate = models.BooleanField(
        default=False, help_text="Speaks for the brand unprompted (a fan, not only a vendor)."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["brand", "influencer"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "influencer"], name="relationship_brand_influencer_uniq"
            ),
        ]
        indexes = [
            # The influencer page shows "relationships of this person": FK side lookups.
            models.Index(fields=["influencer", "brand"], name="relationship_influencer_idx"),
        ]

    def __str__(self):
        return f"{self.brand} × {self.influencer} ({self.get_stage_display()})"


class RelationshipEventKind(models.TextChoices):
    CONTACTED = "contacted", "Contacted"
    REPLIED = "replied", "Replied"
    COLLABORATED = "collaborated", "Collaborated"
    DELIVERED = "delivered", "Delivered"
    DECLINED = "declined", "Declined"


class RelationshipEvent(models.Model):
    """A dated fact in a relationship; the relationship score is measured from these."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=RelationshipEventKind.choices)
    occurred_on = models.DateField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["relationship", "-occurred_on"]
        indexes = [
            models.Index(
                fields=["relationship", "occurred_on"], name="relationship_event_date_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on}"
