from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .imports import ImportJobViewSet

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="api-import")

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="api-overview"),
    *router.urls,
]
