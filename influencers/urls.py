from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/activity/", views.home_activity, name="home-activity"),
    path("influencers/", views.influencer_list, name="influencer-list"),
    path("influencers/export.csv", views.influencer_export, name="influencer-export"),
    path("influencers/rescore/", views.influencer_rescore, name="influencer-rescore"),
    path("influencers/searches/", views.saved_search_create, name="saved-search-create"),
    path(
        "influencers/searches/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved-search-delete",
    ),
    path("influencers/<int:pk>/", views.influencer_detail, name="influencer-detail"),
    path(
        "influencers/<int:pk>/relationship/",
        views.influencer_relationship,
        name="influencer-relationship",
    ),
    path("imports/", import_views.import_list, name="import-list"),
    path("imports/new/", import_views.import_new, name="import-new"),
    path("imports/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("imports/<int:pk>/mapping/", import_views.import_mapping, name="import-mapping"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import-progress"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors_csv, name="import-errors-csv"),
    path("imports/<int:pk>/accounts/", import_views.import_accounts, name="import-accounts"),
]
