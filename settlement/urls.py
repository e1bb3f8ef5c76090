from django.urls import path

from settlement import api

app_name = "settlement"

urlpatterns = [
    path(
        "api/v1/matching/suggestions",
        api.MatchingSuggestionsApi.as_view(),
        name="api_matching_suggestions",
    ),
]
