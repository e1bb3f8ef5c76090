"""The API's one exception handler: expected failures become clear 4xx answers."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.errors import PortalError


def handle_exception(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, PortalError):
        return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(error, context)
