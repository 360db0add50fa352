"""Pages: the dashboard, the ranked influencer browser and the influencer page.

Views stay thin: reads come from influencers.discovery / selectors, writes go through
services (campaigns.services, scoring tasks queued on commit). Every brand-scoped read
goes through Brand.objects.visible_to(user): another agency's brand is a 404.
"""

import csv

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Brand, RelationshipEventKind, RelationshipStage
from campaigns.services import relationship_update

from . import discovery
from .exports import neutralise
from .models import Influencer, SavedSearch
from .rows import ranked_rows_html
from .selectors import dashboard_activity, database_overview

EXPORT_LIMIT = 10_000
# Query parameters that are a position in the list, not part of a search.
POSITION_PARAMETERS = ("after", "page")


def home(request):
    """The landing page after login: what is in the database."""
    return render(
        request, "influencers/home.html", {"overview": database_overview(user=request.user)}
    )


@require_GET
def home_activity(request):
    """The dashboard's recent imports and biggest movers, loaded after the page (htmx)."""
    return render(request, "influencers/_activity.html", dashboard_activity(user=request.user))


def search_query_string(data):
    """The list's query string without the position (what a saved search keeps)."""
    query = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
    for name in POSITION_PARAMETERS:
        query.pop(name, None)
    for name in [name for name, value in query.items() if value in ("", None)]:
        query.pop(name)
    return query.urlencode()


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@require_GET
def influencer_list(request):
    """The ranked list; htmx requests get only the results (filtering, sorting, paging)."""
    try:
        page = discovery.ranked_page(
            user=request.user,
            data=request.GET,
            page_size=discovery.page_size_of(request.GET),
        )
    except discovery.BrandNotVisible as error:
        raise Http404("No such brand.") from error
    query = search_query_string(request.GET)
    page_number = _page_number(request)
    context = {
        "page": page,
        "query": query,
        "page_number": page_number,
        "next_query": _with(query, after=page.next_after, page=page_number + 1),
        "rows_html": ranked_rows_html(
            page.rows, brand_id=page.ranking.brand_id if page.ranking else None
        ),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "influencers/_results.html", context)
    context.update(
        {
            "profiles": discovery.profile_choices(),
            "brands": list(Brand.objects.visible_to(request.user).only("id", "name")),
            "saved_searches": list(request.user.saved_searches.all()),
            "stages": RelationshipStage.choices,
        }
    )
    return render(request, "influencers/list.html", context)


def _with(query, **values):
    merged = QueryDict(query, mutable=True)
    for name, value in values.items():
        if value is not None:
            merged[name] = value
    return merged.urlencode()


@require_GET
def influencer_export(request):
    """The current results as CSV (formula-safe), in list order, up to 10,000 rows."""
    try:
        page = discovery.ranked_page(user=request.user, data=request.GET, page_size=1)
    except discovery.BrandNotVisible as error:
        raise Http404("No such brand.") from error
    if page.ranking is None:
        messages.warning(request, "There is nothing to export: no ranking is published yet.")
        return redirect("influencer-list")
    rows = discovery.iterate_results(
        ranking=page.ranking,
        filterset=page.filterset,
        sort=page.sort,
        limit=EXPORT_LIMIT,
        is_sparse=page.is_sparse,
    )
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fourscore-influencers-{stamp}.csv"'
    return response


EXPORT_HEADER = [
    "rank",
    "name",
    "handle",
    "platform",
    "followers",
    "follower_tier",
    "engagement_rate",
    "engagement_rate_denominator",
    "engagement_tier",
    "reach",
    "resonance",
    "relevance",
    "relationship",
    "total",
    "confidence",
    "price",
    "price_currency",
    "cost_per_engagement",
    "country",
    "language",
    "categories",
    "metrics_as_of",
    "url",
]


# The columns that are not an attribute of the row of the same name.
EXPORT_VALUES = {
    "name": lambda score: score.influencer.name if score.influencer else "",
    "handle": lambda score: score.account.handle,
    "categories": lambda score: ";".join(score.categories or []),
    "url": lambda score: score.account.url,
}


class _Echo:
    """A file whose write() returns the line: csv.writer then yields line by line."""

    def write(self, value):
        return value


def _csv_lines(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    for score in rows:
        yield writer.writerow(
            [
                neutralise(
                    EXPORT_VALUES[name](score) if name in EXPORT_VALUES else getattr(score, name)
                )
                for name in EXPORT_HEADER
            ]
        )


@require_POST
@staff_member_required
def influencer_rescore(request):
    """Queue a full rescoring of the chosen profile (default: the default one) and brand;
    the worker builds the ranking and publishes it."""
    from scoring.models import ScoringProfile
    from scoring.tasks import rescore_ranking

    profile_id = discovery._int_or_none(request.POST.get("profile"))
    brand_id = discovery._int_or_none(request.POST.get("brand"))
    if profile_id and not ScoringProfile.objects.filter(pk=profile_id).exists():
        raise Http404("No such profile.")
    if brand_id and not Brand.objects.visible_to(request.user).filter(pk=brand_id).exists():
        raise Http404("No such brand.")
    transaction.on_commit(lambda: rescore_ranking.delay(profile_id, brand_id))
    messages.success(
        request,
        "Scoring has been queued. The ranked list appears here when the worker has "
        "published it (a minute for a few thousand accounts).",
    )
    query = _with("", profile=profile_id, brand=brand_id)
    return redirect(f"{reverse('influencer-list')}?{query}" if query else "influencer-list")


class SavedSearchForm(forms.Form):
    name = forms.CharField(max_length=100)
    query = forms.CharField(max_length=2000, required=False)


@require_POST
def saved_search_create(request):
    form = SavedSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A saved search needs a name (up to 100 characters).")
        return redirect("influencer-list")
    query = search_query_string(QueryDict(form.cleaned_data["query"]))
    try:
        with transaction.atomic():
            SavedSearch.objects.create(
                user=request.user, name=form.cleaned_data["name"].strip(), query=query
            )
    except IntegrityError:
        messages.error(
            request, f"You already have a saved search named “{form.cleaned_data['name']}”."
        )
    else:
        messages.success(request, f"Saved “{form.cleaned_data['name']}”.")
    return redirect(f"{reverse('influencer-list')}?{query}")


@require_POST
def saved_search_delete(request, pk):
    search = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    search.delete()
    messages.success(request, f"Deleted the saved search “{search.name}”.")
    return redirect("influencer-list")


@require_GET
def influencer_detail(request, pk):
    influencer = get_object_or_404(Influencer, pk=pk)
    try:
        context = discovery.influencer_profile(
            user=request.user, influencer=influencer, data=request.GET
        )
    except discovery.BrandNotVisible as error:
        raise Http404("No such brand.") from error
    context["stages"] = RelationshipStage.choices
    context["event_kinds"] = RelationshipEventKind.choices
    context["today"] = timezone.localdate()
    return render(request, "influencers/detail.html", context)


class RelationshipForm(forms.Form):
    brand = forms.IntegerField()
    stage = forms.ChoiceField(choices=RelationshipStage.choices)
    is_advocate = forms.BooleanField(required=False)
    notes = forms.CharField(required=False, max_length=5000)
    event_kind = forms.ChoiceField(
        choices=[("", "No event"), *RelationshipEventKind.choices], required=False
    )
    event_on = forms.DateField(required=False)
    event_note = forms.CharField(required=False, max_length=2000)


@require_POST
def influencer_relationship(request, pk):
    """Change the relationship stage of the chosen brand (and record an event)."""
    influencer = get_object_or_404(Influencer, pk=pk)
    form = RelationshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The relationship was not changed: check the stage and date.")
        return redirect(reverse("influencer-detail", args=[pk]))
    data = form.cleaned_data
    try:
        relationship = relationship_update(
            user=request.user,
            brand_id=data["brand"],
            influencer=influencer,
            stage=data["stage"],
            is_advocate=data["is_advocate"],
            notes=data["notes"],
            event_kind=data["event_kind"],
            event_on=data["event_on"],
            event_note=data["event_note"],
        )
    except PermissionDenied as error:
        # The service's access check: another agency's brand is a 404, as everywhere.
        raise Http404("No such brand.") from error
    messages.success(
        request,
        f"{relationship.brand} × {influencer}: {relationship.get_stage_display()}. The "
        "relationship score follows at the next rescoring.",
    )
    return redirect(f"{reverse('influencer-detail', args=[pk])}?brand={data['brand']}")
