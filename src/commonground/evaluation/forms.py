"""Input parsing for evaluation's pages; the rules themselves live in ``services.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from commonground.accounts.models import Organisation
from commonground.evaluation.models import (
    COMMON_SCALE,
    Activity,
    Code,
    Coding,
    EvaluationForm,
    Indicator,
    Interview,
    InterviewGuide,
    Judgement,
    Measure,
    Objective,
    Observation,
    Programme,
    Question,
)
from commonground.evaluation.services.programmes import ACTIVITY_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def preselect_only_choice(form: forms.BaseForm) -> None:
    """Choose already, in each required list of ``form``, an option that is the only one.

    Otherwise the list starts at "---------" and the first save fails for want of the
    one possible answer (issue 14: "New programme" for someone in one organisation).
    """
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or not field.required:
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            continue
        queryset = field.queryset
        options = list(queryset[:2]) if queryset is not None else []
        if len(options) == 1:
            field.empty_label = None
            field.initial = options[0].pk


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
            preselect_only_choice(self)


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
        fields = list(ACTIVITY_FIELDS)
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


# What the question form sets on a question, in the services' own words.
QUESTION_FIELDS = ("text", "kind", "labels", "code", "required")


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

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].help_text = (
                "The column name that stands for this question in imports and exports. "
                "Spreadsheets you downloaded before keep the old one."
            )

    def question_fields(self) -> dict[str, Any]:
        """The cleaned fields as ``question_add`` and ``question_update`` take them."""
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS}

    def clean_labels(self) -> list[str]:
        """The point labels, typed one per line, lowest first."""
        raw: str = self.cleaned_data["labels"]
        return [line.strip() for line in raw.splitlines() if line.strip()]


class AnswerForm(forms.Form):
    """The answers to a form, as sent from the public page or typed in from paper.

    Every field is optional text here; ``services.responses.check_answers`` decides what
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


# -- coding ----------------------------------------------------------------------------


class GuideForm(forms.ModelForm):
    class Meta:
        model = InterviewGuide
        fields = ["title", "introduction"]


class GuideQuestionForm(forms.Form):
    theme = forms.CharField(
        max_length=100, help_text="Questions on one theme are shown together, e.g. 'Confidence'."
    )
    text = forms.CharField(label="Question", max_length=500)


class InterviewForm(forms.Form):
    organisation_name = forms.CharField(
        label="Interviewee's organisation",
        max_length=200,
        help_text="Quotes are credited to the organisation, never to the person.",
    )
    role = forms.CharField(label="Interviewee's role", max_length=200, required=False)
    held_on = forms.DateField(label="Date", widget=DATE)
    mode = forms.ChoiceField(choices=Interview.Mode.choices, initial=Interview.Mode.TELEPHONE)
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(), required=False, empty_label="None in particular"
    )

    def __init__(self, *args: Any, guide: InterviewGuide, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = guide.programme.activities.all()  # type: ignore[attr-defined]
        self.questions = list(guide.questions.all())
        for question in self.questions:
            self.fields[f"note{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=f"Theme: {question.theme}",
            )

    def notes(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"note{q.pk}", "") for q in self.questions}


class NoteForm(forms.Form):
    notes = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )


class ObservationForm(forms.ModelForm):
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(), required=False, empty_label="None in particular"
    )

    class Meta:
        model = Observation
        fields = ["title", "activity", "observed_on", "notes"]
        widgets = {"observed_on": DATE, "notes": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = programme.activities.all()  # type: ignore[attr-defined]


class CodeForm(forms.Form):
    name = forms.CharField(label="Code", max_length=120)
    parent = forms.ModelChoiceField(
        queryset=Code.objects.none(),
        required=False,
        label="Under",
        empty_label="The top of the codebook",
        help_text="Put a narrower code under a broader one.",
    )
    description = forms.CharField(
        label="Memo",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the code means and when to use it.",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = programme.codes.all()  # type: ignore[attr-defined]


class CodingForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none(), label="Code")
    quote = forms.CharField(
        label="Words to code",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Copy the passage from the text above, exactly as it appears.",
    )
    occurrence = forms.IntegerField(
        label="Which time the words appear",
        min_value=1,
        initial=1,
        required=False,
        help_text="Only needed when the same words appear more than once.",
    )
    memo = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidence for",
        help_text="The objectives this passage helps judge.",
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = programme.codes.order_by("name")  # type: ignore[attr-defined]
        self.fields["objectives"].queryset = programme.objectives.all()  # type: ignore[attr-defined]
        preselect_only_choice(self)


# -- outcomes --------------------------------------------------------------------------


class JudgementForm(forms.Form):
    rating = forms.ChoiceField(choices=Judgement.Rating.choices, widget=forms.RadioSelect)
    narrative = forms.CharField(
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Why this rating: what the evidence shows, and what it does not.",
    )
    items = forms.ModelMultipleChoiceField(
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Items from the forms",
    )
    quotes = forms.ModelMultipleChoiceField(
        queryset=Coding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Quotes",
    )
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Programme measures",
    )

    def __init__(self, *args: Any, objective: Objective, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programme = objective.programme
        self.fields["items"].queryset = Question.objects.filter(  # type: ignore[attr-defined]
            form__programme=programme, kind=Question.Kind.LIKERT
        ).select_related("form")
        self.fields["items"].label_from_instance = lambda q: f"{q.text} ({q.form.title})"  # type: ignore[attr-defined]
        self.fields["quotes"].queryset = (  # type: ignore[attr-defined]
            Coding.objects.filter(code__programme=programme).select_related("code")
        )
        self.fields["quotes"].label_from_instance = lambda c: f"“{c.quote[:160]}” ({c.code.name})"  # type: ignore[attr-defined]
        self.fields["measures"].queryset = programme.measures.all()  # type: ignore[attr-defined]


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["kind", "name", "unit"]


class FigureForm(forms.Form):
    """One figure for a period, for a measure or an indicator."""

    period = forms.CharField(max_length=40, help_text="e.g. '2025 Q2' or 'Year 1'.")
    value = forms.DecimalField(max_digits=14, decimal_places=2, label="Figure")
    note = forms.CharField(max_length=300, required=False, help_text="A measure's figures only.")


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "unit",
            "source",
            "direction",
            "baseline_period",
            "baseline",
            "target",
            "story",
        ]
        widgets = {"story": forms.Textarea(attrs={"rows": 4})}


class SectionForm(forms.Form):
    text = forms.CharField(
        label="Your words",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Plain text; a blank line starts a new paragraph. The generated tables, "
        "charts and quotes stay around it.",
    )
