from django.contrib import admin
from django.db import models

from .models import Brand, Relationship, RelationshipEvent


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "updated_at")
    search_fields = ("name", "description", "target_keywords")
    filter_horizontal = ("members",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ("created_at", "updated_at")


class RelationshipEventInline(admin.TabularInline):
    model = RelationshipEvent
    fields = ("kind", "occurred_on", "note", "created_by")
    readonly_fields = ("created_by",)
    extra = 0


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ("brand", "influencer", "stage", "is_advocate", "updated_at")
    list_filter = ("stage", "is_advocate", "brand")
    search_fields = ("influencer__name", "brand__name")
    list_select_related = ("brand", "influencer")
    raw_id_fields = ("influencer",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [RelationshipEventInline]
