"""Evaluation's tables, in one module per part: programmes, responses, coding, outcomes."""

from commonground.evaluation.models.coding import (
    Code,
    Coding,
    GuideQuestion,
    Interview,
    InterviewGuide,
    InterviewNote,
    Observation,
    Suggestion,
)
from commonground.evaluation.models.outcomes import (
    Indicator,
    IndicatorValue,
    Judgement,
    Measure,
    MeasureValue,
    ReportSection,
)
from commonground.evaluation.models.programmes import Activity, Objective, Programme
from commonground.evaluation.models.responses import (
    COMMON_SCALE,
    Answer,
    EvaluationForm,
    Question,
    Response,
    ResponseImport,
    Tally,
)

__all__ = [
    "COMMON_SCALE",
    "Activity",
    "Answer",
    "Code",
    "Coding",
    "EvaluationForm",
    "GuideQuestion",
    "Indicator",
    "IndicatorValue",
    "Interview",
    "InterviewGuide",
    "InterviewNote",
    "Judgement",
    "Measure",
    "MeasureValue",
    "Objective",
    "Observation",
    "Programme",
    "Question",
    "ReportSection",
    "Response",
    "ResponseImport",
    "Suggestion",
    "Tally",
]
