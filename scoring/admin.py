from django.contrib import admin

from .models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Reference rates used to put prices in one currency; the newest per currency counts
    from the next rescoring on (a new rate is best added as a new dated row)."""

    list_display = ("currency", "units_per_usd", "as_of", "source", "updated_at")
    list_filter = ("currency",)
    search_fields = ("currency", "source")
    date_hierarchy = "as_of"
    ordering = ("currency", "-as_of")
    readonly_fields = ("updated_at",)
