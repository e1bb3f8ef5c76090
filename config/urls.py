from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from portal import views as portal_views

urlpatterns = [
    path("healthz", portal_views.healthz, name="healthz"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/v1/docs/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_docs"),
    path("accounts/", include("allauth.urls")),
    path("", include("banking.urls")),
    path("", include("settlement.urls")),
    path("", include("portal.urls")),
]
