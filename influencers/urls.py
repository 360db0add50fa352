from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/new/", import_views.import_new, name="import-new"),
    path("imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/mapping/", import_views.import_mapping, name="import-mapping"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import-progress"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors_csv, name="import-errors-csv"),
    path("imports/<int:pk>/accounts/", import_views.import_accounts, name="import-accounts"),
]
