"""``{% panel p %}``: a part's home panel, drawn with its own context inside the page's."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from commonground.parts import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context: template.Context, panel: Panel) -> SafeString:
    # As {% include %} does, so the panel also sees the page's own context (user, request).
    drawn = context.template.engine.get_template(panel.template)  # type: ignore[union-attr]
    with context.push(panel.context):
        return drawn.render(context)
