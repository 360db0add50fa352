from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .discovery import AccountViewSet, InfluencerViewSet, ScoringProfileViewSet
from .imports import ImportJobViewSet

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="api-import")
router.register("accounts", AccountViewSet, basename="api-account")
router.register("influencers", InfluencerViewSet, basename="api-influencer")
router.register("profiles", ScoringProfileViewSet, basename="api-profile")

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="api-overview"),
    *router.urls,
]
