from django.urls import path

from settlement import api, views

app_name = "settlement"

urlpatterns = [
    path("matching/review/", views.review, name="review"),
    path("matching/review/accept/", views.accept, name="accept"),
    path("matching/review/runs/<str:job_id>/", views.review_run, name="review_run"),
    path(
        "matching/review/runs/<str:job_id>/status",
        views.review_run_status,
        name="review_run_status",
    ),
    path(
        "matching/review/runs/<str:job_id>/cancel/",
        views.cancel_review_run,
        name="cancel_review_run",
    ),
    path(
        "matching/review/item/<str:statement_item_id>/",
        views.settle_by_hand,
        name="settle_by_hand",
    ),
    path("matching/review/accept-many/", views.accept_many, name="accept_many"),
    path("matching/review/accept-band/", views.accept_band, name="accept_band"),
    path("matching/review/reject/", views.reject_suggestion, name="reject"),
    path("matching/configurations/", views.configurations, name="configurations"),
    path("matching/configurations/new/", views.edit_configuration, name="new_configuration"),
    path(
        "matching/configurations/<int:configuration_id>/",
        views.edit_configuration,
        name="edit_configuration",
    ),
    path(
        "matching/configurations/<int:configuration_id>/delete/",
        views.delete_configuration,
        name="delete_configuration",
    ),
    path(
        "api/v1/matching/suggestions",
        api.MatchingSuggestionsApi.as_view(),
        name="api_matching_suggestions",
    ),
]
