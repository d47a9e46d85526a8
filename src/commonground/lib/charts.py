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


def trend(
    periods: Sequence[str],
    values: Sequence[float],
    *,
    label: str,
    baseline: float | None = None,
    target: float | None = None,
) -> SafeString:
    """A line of ``values`` over ``periods``, with the baseline (dashed) and the target
    (dotted) drawn across, for a population indicator."""
    width, height, left, right, top, bottom = 640, 260, 56, 16, 16, 40
    marks = [*values] + [v for v in (baseline, target) if v is not None]
    if not values:
        return mark_safe(  # noqa: S308 - escaped here
            f'<p class="meta">No figures yet for {escape(label)}.</p>'
        )
    low, high = min(marks), max(marks)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad

    def x(i: int) -> float:
        span = width - left - right
        return left + (span * i / (len(values) - 1) if len(values) > 1 else span / 2)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (high - v) / (high - low)

    parts = [
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#4a4f55"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#4a4f55"/>',
    ]
    for v in (high - pad, low + pad):
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1b1b1b">{v:g}</text>'
        )
    for value, dash, name in ((baseline, "8 5", "baseline"), (target, "2 4", "target")):
        if value is not None:
            parts.append(
                f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
                f'stroke="#1b1b1b" stroke-width="2" stroke-dasharray="{dash}"/>'
                f'<text x="{width - right}" y="{y(value) - 5:.1f}" text-anchor="end" '
                f'font-size="12" fill="#1b1b1b">{name} {value:g}</text>'
            )
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{HIGH[3]}" stroke-width="3"/>')
    for i, (period, value) in enumerate(zip(periods, values, strict=True)):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="{HIGH[3]}"/>')
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="12" fill="#1b1b1b">{escape(period)}</text>'
        )
    summary = f"{label}: " + ", ".join(
        f"{period} {value:g}" for period, value in zip(periods, values, strict=True)
    )
    if baseline is not None:
        summary += f"; baseline {baseline:g}"
    if target is not None:
        summary += f"; target {target:g}"
    return mark_safe(  # noqa: S308 - every text escaped here
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(summary)}" focusable="false">' + "".join(parts) + "</svg>"
    )
