"""Evaluation's pages, one module per part: ``evidence`` (programmes, forms, responses,
imports), ``qualitative`` (interviews, observations, coding, quotes) and ``outcomes``
(judgements, measures, indicators, the report)."""
