"""URLs for tests/access/test_api_auth.py: only its tiny API."""

from django.urls import path

from .test_api_auth import api

urlpatterns = [path("test-api/", api.urls)]
