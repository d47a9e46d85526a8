"""Input parsing for evaluation's pages; the rules themselves live in ``services.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonground.accounts.models import Organisation
from commonground.evaluation.models import (
    COMMON_SCALE,
    Activity,
    EvaluationForm,
    Programme,
    Question,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        help_text="The organisation whose evaluators will see the programme.",
    )

    class Meta:
        model = Programme
        fields = ["organisation", "title", "summary", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:  # editing: the owner does not change
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ObjectiveForm(forms.Form):
    text = forms.CharField(
        label="New objective",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="An intended outcome, e.g. 'Staff feel more confident to engage communities'.",
    )


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "description",
            "starts_on",
            "ends_on",
            "sessions",
            "venue",
            "online",
            "participants",
            "hours_per_participant",
            "cost",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class EvaluationFormForm(forms.ModelForm):
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="For which activities?",
        help_text="Response rates count the participants of these activities.",
    )
    closes_at = forms.DateTimeField(
        label="Closes at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="After this the public link takes no more answers. Leave empty to keep it open.",
    )

    class Meta:
        model = EvaluationForm
        fields = ["title", "introduction", "activities", "accepting", "closes_at"]

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = programme.activities.all()  # type: ignore[attr-defined]
        if self.instance.pk is None:
            del self.fields["accepting"]


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=500)
    kind = forms.ChoiceField(
        label="How is it answered?",
        choices=Question.Kind.choices,
        initial=Question.Kind.LIKERT,
        widget=forms.RadioSelect,
    )
    labels = forms.CharField(
        label="Points of the scale",
        required=False,
        initial="\n".join(COMMON_SCALE),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One label per line, lowest first. Only for questions rated on a scale.",
    )
    code = forms.CharField(
        label="Spreadsheet heading",
        required=False,
        max_length=50,
        help_text="The column name that stands for this question in imports and exports. "
        "Leave empty to make one from the question.",
    )
    required = forms.BooleanField(label="People must answer it", required=False)


class AnswerForm(forms.Form):
    """The answers to a form, as sent from the public page or typed in from paper.

    Every field is optional text here; ``services.check_answers`` decides what
    each answer must be, so the public page, the paper page and the API apply
    one rule.
    """

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        activities: list[Activity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        if len(activities) > 1:
            self.fields["activity"] = forms.ChoiceField(
                label="Which activity did you take part in?",
                required=False,
                choices=[("", "Choose one")] + [(str(a.pk), a.title) for a in activities],
            )
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.CharField(
                required=False, max_length=10_000, label=question.text
            )
        self.fields["organisation_name"] = forms.CharField(
            label="Your organisation",
            required=False,
            max_length=200,
            help_text="So that what you wrote can be quoted as from your organisation. "
            "Your name is never asked for or shown.",
        )

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}", "") for q in self.questions}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet of responses",
        help_text="A CSV or Excel (.xlsx) file with a row of column headings, then one row "
        "per filled-in form. You match its columns to the questions next.",
    )


class ImportMappingForm(forms.Form):
    """Which question (or extra) each column of an uploaded file holds."""

    def __init__(
        self,
        *args: Any,
        header: list[str],
        choices: list[tuple[str, str]],
        mapping: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header = header
        options = [("", "Ignore this column"), *choices]
        for place, heading in enumerate(header):
            self.fields[f"col{place}"] = forms.ChoiceField(
                label=heading,
                choices=options,
                required=False,
                initial=mapping[place] if place < len(mapping) else "",
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col{place}", "") for place in range(len(self.header))]
