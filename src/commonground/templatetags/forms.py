"""Form rendering that meets WCAG 2.2 AA without each template repeating it.

Every field gets a visible label, its hint and error tied to the input with
``aria-describedby``, and ``aria-invalid`` when it has an error; a form with
errors gets a summary linking to each field (WCAG 3.3.1, 3.3.3).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.inclusion_tag("includes/field.html")
def field(bound: forms.BoundField, **attrs: Any) -> dict[str, Any]:
    widget_id = bound.id_for_label or bound.auto_id
    described = []
    if bound.help_text:
        described.append(f"{widget_id}-hint")
    if bound.errors:
        described.append(f"{widget_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if bound.field.required:
        attrs["required"] = True
    widget_html: SafeString = bound.as_widget(attrs=attrs)
    return {
        "field": bound,
        "widget": widget_html,
        "widget_id": widget_id,
        "is_checkbox": isinstance(bound.field.widget, forms.CheckboxInput),
    }


@register.inclusion_tag("includes/fields.html")
def fields(form: forms.BaseForm) -> dict[str, Any]:
    return {"form": form}


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.BaseForm) -> dict[str, Any]:
    problems: list[tuple[str | None, object]] = [(None, m) for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        bound = form[name]
        anchor = bound.id_for_label or bound.auto_id
        problems += [(anchor, message) for message in errors]
    return {"problems": problems}


@register.simple_tag
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> SafeString:
    """``<option>`` elements for ``choices``, pairs of value and label, with the one whose
    value is ``selected`` selected.

    A search filter lists every hub the commons follows, hundreds of them: as a
    template loop each option cost more than a whole item card.
    """
    chosen = str(selected) if selected not in (None, "") else None
    # The standard library's escape: Django's (the same characters) is several times
    # slower per call, which counts at hundreds of options.
    return mark_safe(  # noqa: S308 - every value and label escaped here
        "".join(
            f'<option value="{_escape(str(value))}"'
            f"{' selected' if str(value) == chosen else ''}>{_escape(str(label))}</option>"
            for value, label in choices
        )
    )
