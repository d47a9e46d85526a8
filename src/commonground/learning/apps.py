from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from commonground import parts


class LearnConfig(parts.Part):
    name = "commonground.learning"
    verbose_name = "Learn"
    order = 15
    mounts = (parts.Mount("learn/", "commonground.learning.urls"),)
    api = "commonground.learning.api"
    demo = "commonground.learning.demo"
    nav = parts.NavEntry("Learn", "learning:courses")
    home_panel = "learning/includes/home_panel.html"

    def home_context(self, request: HttpRequest, *, since: datetime) -> Mapping[str, Any]:
        from commonground.learning import selectors

        return {
            "courses": selectors.courses()[:3],
            "resume": selectors.resume(request.user),
        }
