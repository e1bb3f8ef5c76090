"""The portal's REST endpoints: one APIView each, with its output serializer beside it."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.principals import Principal


class MeApi(APIView):
    """Who is calling: the tenant, the user (or API key) and the role."""

    class OutputSerializer(serializers.Serializer):
        class TenantSerializer(serializers.Serializer):
            org_id = serializers.CharField()
            name = serializers.CharField()
            is_sandbox = serializers.BooleanField()

        class UserSerializer(serializers.Serializer):
            salesforce_user_id = serializers.CharField()
            name = serializers.CharField()

        class ApiKeySerializer(serializers.Serializer):
            prefix = serializers.CharField()
            name = serializers.CharField()

        tenant = TenantSerializer()
        user = UserSerializer(allow_null=True)
        api_key = ApiKeySerializer(allow_null=True)
        role = serializers.CharField()

    @extend_schema(responses=OutputSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        principal: Principal = request.user  # type: ignore[assignment]
        data = {
            "tenant": principal.tenant,
            "user": principal.user,
            "api_key": principal.api_key,
            "role": principal.role.value,
        }
        return Response(self.OutputSerializer(data).data)
