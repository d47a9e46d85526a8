from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from commonground import parts

# Programmes the home page lists.
HOME_PROGRAMMES = 5


class EvaluationConfig(parts.Part):
    name = "commonground.evaluation"
    verbose_name = "Evaluation"
    order = 20
    mounts = (parts.Mount("", "commonground.evaluation.urls"),)
    redirects = {"evaluation/": "evaluation:programmes"}
    api = "commonground.evaluation.api"
    demo = "commonground.evaluation.demo"
    nav = parts.NavEntry("Evaluate", "evaluation:programmes", signed_in_only=True)
    home_panel = "evaluation/includes/home_panel.html"

    def ready(self) -> None:
        from commonground import jobs
        from commonground.evaluation import tasks

        # Activities linked to a series in Groups follow its registers.
        jobs.every(15 * 60, tasks.registers_sync, name="evaluation-registers")

    def home_context(self, request: HttpRequest, *, since: datetime) -> Mapping[str, Any]:
        from django.db.models import Count

        from commonground.evaluation import selectors
        from commonground.evaluation.models import Response

        user = request.user
        if not user.is_authenticated:
            return {}
        shown = list(selectors.programmes_for_user(user)[:HOME_PROGRAMMES])
        # Responses that came in since the last visit, per programme shown: one query.
        new = (
            dict(
                Response.objects.filter(form__programme__in=shown, submitted_at__gt=since)
                .order_by()
                .values("form__programme")
                .annotate(n=Count("pk"))
                .values_list("form__programme", "n")
            )
            if shown
            else {}
        )
        can_add = bool(shown) or selectors.evaluating_organisations(user).exists()
        return {
            "programmes": [(p, new.get(p.pk, 0)) for p in shown],
            "can_add": can_add,
            "member_elsewhere": not can_add and selectors.is_member_elsewhere(user),
        }
