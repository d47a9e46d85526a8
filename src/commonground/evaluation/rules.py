"""Who may do what in Evaluate (see ``commonground/access.py``).

An organisation's evaluators and admins see and change its programmes and
everything in them. Nobody else does, the site's administrators included
unless they hold one of those roles there: respondents are told their
answers are seen only by those people, and that is kept true. Anyone else
who is not a member gets 404 (the programme's existence is not theirs to
know); a member in another role gets 403 saying who may look. Respondents
see nothing but the public form they were sent.
"""

from __future__ import annotations

from commonground import access
from commonground.accounts.models import Role
from commonground.evaluation.models import (
    Activity,
    Code,
    Coding,
    EvaluationForm,
    Indicator,
    Interview,
    InterviewGuide,
    InterviewNote,
    Judgement,
    Measure,
    Objective,
    Observation,
    Programme,
    Question,
    Response,
    ResponseImport,
    Suggestion,
)

EVALUATE = access.rule(
    "evaluation.evaluate",
    roles={Role.ADMIN, Role.EVALUATOR},
    refusal=(
        "Only evaluators and admins of {scope} can see its programmes. "
        "Ask an admin to give you the evaluator role."
    ),
    missing="No such programme.",
)

# Adding a programme names its organisation, whose name is public anyway: refused
# with a reason rather than a 404.
ADD_PROGRAMME = access.rule(
    "evaluation.add-programme",
    roles={Role.ADMIN, Role.EVALUATOR},
    hidden=False,
    refusal=(
        "Only evaluators and admins of {scope} can add its programmes. "
        "Ask an admin to give you the evaluator role."
    ),
)

for model, path in [
    (Programme, "organisation"),
    (Objective, "programme__organisation"),
    (Activity, "programme__organisation"),
    (EvaluationForm, "programme__organisation"),
    (Question, "form__programme__organisation"),
    (Response, "form__programme__organisation"),
    (ResponseImport, "form__programme__organisation"),
    (InterviewGuide, "programme__organisation"),
    (Interview, "guide__programme__organisation"),
    (InterviewNote, "interview__guide__programme__organisation"),
    (Observation, "programme__organisation"),
    (Code, "programme__organisation"),
    (Coding, "code__programme__organisation"),
    (Suggestion, "code__programme__organisation"),
    (Judgement, "objective__programme__organisation"),
    (Measure, "programme__organisation"),
    (Indicator, "programme__organisation"),
]:
    access.belongs(model, path)
