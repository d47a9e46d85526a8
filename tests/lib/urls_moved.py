"""A URLconf that puts the Hub somewhere else, for tests/lib/test_urls.py."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("commonground.hub.urls"))]
