"""Evaluation's pages, one module per part: ``programmes`` (programmes, objectives,
activities), ``responses`` (forms, questions, answering, results, imports), ``coding``
(interviews, observations, the codebook, coding, quotes) and ``outcomes`` (judgements,
measures, indicators, the report)."""
