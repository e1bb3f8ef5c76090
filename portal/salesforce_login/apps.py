from django.apps import AppConfig


class SalesforceLoginConfig(AppConfig):
    name = "portal.salesforce_login"
    label = "salesforce_login"
    verbose_name = "Login with Salesforce"
