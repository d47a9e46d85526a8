from __future__ import annotations

from commonground import parts


class EvaluationConfig(parts.Part):
    name = "commonground.evaluation"
    verbose_name = "Evaluation"
    order = 20
    mounts = (parts.Mount("", "commonground.evaluation.urls"),)
    redirects = {"evaluation/": "evaluation:programmes"}
    api = "commonground.evaluation.api"
    demo = "commonground.evaluation.demo"
    nav = parts.NavEntry("Evaluate", "evaluation:programmes", signed_in_only=True)
