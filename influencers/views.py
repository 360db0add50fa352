from django.shortcuts import render

from .selectors import database_overview


def home(request):
    """The landing page after login: what is in the database."""
    return render(
        request, "influencers/home.html", {"overview": database_overview(user=request.user)}
    )
