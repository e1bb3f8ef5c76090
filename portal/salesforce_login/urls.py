from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from portal.salesforce_login.provider import LedgerlinkSalesforceProvider

urlpatterns = default_urlpatterns(LedgerlinkSalesforceProvider)
