"""Charts drawn on the server as SVG: no JavaScript, the same in the page and in the PDF.

Every chart is a picture of figures that the page also gives as a table, so
each SVG carries a short text alternative (``role="img"`` with an
``aria-label``), and its colours all have at least 4.5:1 contrast with white
(WCAG 1.4.11 asks 3:1 of graphics), with white gaps between segments.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Diverging colours: the low side from its strongest (the lowest point) inwards, the high
# side from the middle outwards, and a grey for a scale's middle point.
LOW = ("#5c1f06", "#7a2b0c", "#8a3410", "#a8461a", "#b4501e")
HIGH = ("#2a7886", "#1d6b78", "#155866", "#0b4452", "#03323d")
MIDDLE = "#6b6b6b"
WIDTH = 1000
HEIGHT = 36


def _spread(palette: Sequence[str], n: int) -> list[str]:
    if n <= 0:
        return []
    if n == 1:
        return [palette[len(palette) // 2]]
    return [palette[round(i * (len(palette) - 1) / (n - 1))] for i in range(n)]


def point_colours(points: int) -> list[str]:
    """A colour for each point of a ``points``-point scale, lowest first."""
    half = points // 2
    middle = [MIDDLE] if points % 2 else []
    return _spread(LOW, half) + middle + _spread(HIGH, half)


def diverging_bar(counts: Sequence[int], *, label: str) -> SafeString:
    """One item's answers as a bar centred on the scale's middle: the lower points to the
    left of the centre line and the higher to the right (a middle point, on odd scales,
    split across it). Each side spans 100% of answers."""
    n = sum(counts)
    points = len(counts)
    colours = point_colours(points)
    centre = WIDTH / 2
    parts: list[str] = []
    if n:
        shares = [c / n for c in counts]
        half = points // 2
        low_side = shares[:half]
        middle = shares[half] if points % 2 else 0.0
        # Leftwards from the centre: half the middle point, then the low points inwards-out.
        x = centre - middle / 2 * centre
        if middle:
            parts.append(_rect(x, middle * centre, colours[half]))
        for i in range(half - 1, -1, -1):
            width = low_side[i] * centre
            x -= width
            parts.append(_rect(x, width, colours[i]))
        x = centre + middle / 2 * centre
        for i in range(points - half, points):
            width = shares[i] * centre
            parts.append(_rect(x, width, colours[i]))
            x += width
    low_share = sum(counts[: points // 2]) / n if n else 0
    high_share = sum(counts[points - points // 2 :]) / n if n else 0
    summary = (
        f"{label}: {low_share:.0%} in the lower half of the scale, "
        f"{high_share:.0%} in the upper half, of {n} answers"
        if n
        else f"{label}: no answers yet"
    )
    return mark_safe(  # noqa: S308 - the only text is escaped here
        f'<svg class="diverging" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(summary)}" focusable="false">'
        + "".join(parts)
        + f'<line x1="{centre}" y1="0" x2="{centre}" y2="{HEIGHT}" stroke="#1b1b1b" '
        'stroke-width="3"/></svg>'
    )


def _rect(x: float, width: float, colour: str) -> str:
    if width <= 0:
        return ""
    return (
        f'<rect x="{x:.2f}" y="4" width="{width:.2f}" height="{HEIGHT - 8}" fill="{colour}" '
        'stroke="#ffffff" stroke-width="2"/>'
    )
