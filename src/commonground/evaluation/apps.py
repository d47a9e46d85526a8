from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "commonground.evaluation"
    verbose_name = "Evaluation"
