from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Ledgerlink portal"

    def ready(self) -> None:
        # Registers the OpenAPI descriptions of the authentication classes.
        from portal import schema  # noqa: F401
