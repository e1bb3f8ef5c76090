"""The portal's base exception; subclasses live next to the code that raises them."""


class PortalError(Exception):
    """An expected failure with a message that is safe to show to the user."""
