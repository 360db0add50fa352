"""Writes of the campaigns app: relationships between brands and influencers."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Brand, Relationship, RelationshipEvent, RelationshipStage


def access_brand(*, user, brand_id):
    """The brand if the user works on it; PermissionDenied otherwise (never a silent no)."""
    brand = Brand.objects.visible_to(user).filter(pk=brand_id).first()
    if brand is None:
        raise PermissionDenied("You do not work on this brand.")
    return brand


def relationship_update(
    *,
    user,
    brand_id: int,
    influencer,
    stage: str,
    is_advocate: bool = False,
    notes: str = "",
    event_kind: str = "",
    event_on: dt.date | None = None,
    event_note: str = "",
) -> Relationship:
    """Set the stage (and advocate flag, notes) of a brand's relationship with an influencer,
    creating it on first use, and optionally record a dated event.

    The relationship score is measured from these at the next rescoring (the change marks
    nothing dirty: relationships are read per brand by every rescoring).
    """
    brand = access_brand(user=user, brand_id=brand_id)
    with transaction.atomic():
        relationship, _ = Relationship.objects.select_for_update().get_or_create(
            brand=brand, influencer=influencer, defaults={"stage": RelationshipStage.NONE}
        )
        relationship.stage = stage
        relationship.is_advocate = is_advocate
        relationship.notes = notes
        relationship.full_clean()
        relationship.save()
        if event_kind:
            event = RelationshipEvent(
                relationship=relationship,
                kind=event_kind,
                occurred_on=event_on or timezone.localdate(),
                note=event_note,
                created_by=user,
            )
            event.full_clean()
            event.save()
    return relationship
