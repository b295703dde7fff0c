"""Public probes: is the process up, and can it reach its database."""

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .problems import database_unavailable_response

_STATUS = inline_serializer("Status", {"status": serializers.CharField()})


class PublicProbeView(APIView):
    """A probe needs no token and is never throttled."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []


class HealthView(PublicProbeView):
    """200 while the process is up; it touches nothing else."""

    @extend_schema(responses={200: _STATUS}, tags=["health"])
    def get(self, request):
        return Response({"status": "ok"})


class ReadyView(PublicProbeView):
    """200 when the database answers a query, 503 with ``Retry-After`` when it does not."""

    @extend_schema(responses={200: _STATUS, 503: _STATUS}, tags=["health"])
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return database_unavailable_response("The database does not answer.")
        return Response({"status": "ok", "database": "ok"})
