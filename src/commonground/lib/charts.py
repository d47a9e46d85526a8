"""Charts drawn on the server as SVG: no JavaScript, the same in the page and in the PDF.

Every chart is a picture of figures that the page also gives as a table, so
each SVG carries a short text alternative (``role="img"`` with an
``aria-label``), and its colours all have at least 4.5:1 contrast with white
(WCAG 1.4.11 asks 3:1 of graphics), with white gaps between segments.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Diverging colours: the low side from its strongest (the lowest point) inwards, the high
# side from the middle outwards, and a grey for a scale's middle point.
LOW = ("#5c1f06", "#7a2b0c", "#8a3410", "#a8461a", "#b4501e")
HIGH = ("#2a7886", "#1d6b78", "#155866", "#0b4452", "#03323d")
MIDDLE = "#6b6b6b"


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


LABEL_FROM = 0.1  # a segment is labelled with its percentage from a tenth of the bar
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
AXIS_TICKS = (0, 25, 50, 75, 100)
PRINT_WIDTH = 640
AXIS_WORDS = "Axis: 0% to 100% of those who answered, marked every 25%"


@dataclass(frozen=True)
class Segment:
    start: float  # percent of the bar's width
    width: float
    colour: str
    share: float

    @property
    def text(self) -> str:
        """The share as a whole percentage, or nothing where it would not fit."""
        return f"{self.share:.0%}" if self.share >= LABEL_FROM else ""


@dataclass(frozen=True)
class ChartRow:
    """One bar: a question's answers counted at each point of its scale."""

    label: str
    counts: tuple[int, ...]

    @property
    def n(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ScaleChart:
    """Questions answered on one scale, as bars of 100% split at each point, lowest on the
    left, with one key for all of them. The page, the PDF and the Word report draw it."""

    key: str
    labels: tuple[str, ...]
    rows: tuple[ChartRow, ...]
    printed: bool = False  # drawn for a PDF: see bar()

    @property
    def colours(self) -> list[str]:
        return point_colours(len(self.labels))

    @property
    def legend(self) -> list[tuple[str, str]]:
        return list(zip(self.labels, self.colours, strict=True))

    def segments(self, row: ChartRow) -> list[Segment]:
        if not row.n:
            return []
        segments, start = [], 0.0
        for count, colour in zip(row.counts, self.colours, strict=True):
            share = count / row.n
            if count:
                segments.append(Segment(start * 100, share * 100, colour, share))
            start += share
        return segments

    def summary(self, row: ChartRow) -> str:
        """The bar in words, for people who cannot see it."""
        if not row.n:
            return f"{row.label}: no answers yet"
        parts = [
            f"{label} {count / row.n:.0%}"
            for label, count in zip(self.labels, row.counts, strict=True)
        ]
        return f"{row.label}: " + ", ".join(parts) + f", of {row.n} answers"

    @property
    def description(self) -> str:
        """Every bar in words: the text alternative of the chart as one picture."""
        return "; ".join(self.summary(row) for row in self.rows)

    def bars(self) -> list[tuple[ChartRow, SafeString]]:
        return [(row, self.bar(row)) for row in self.rows]

    def bar(self, row: ChartRow) -> SafeString:
        """One row as a bar. On a page, SVG in percentages of its width, so the bar
        stretches to fit and its text stays the size of the text around it; printed, a
        picture of fixed size with the bar in words as its text alternative, which is
        how a tagged PDF gives a figure its words."""
        parts = []
        at = self._place
        for s in self.segments(row):
            parts.append(
                f'<rect x="{at(s.start)}" y="1" width="{at(s.width)}" height="24" '
                f'fill="{s.colour}" stroke="#ffffff" stroke-width="1.5"/>'
            )
            if s.text:
                parts.append(
                    f'<text x="{at(s.start + s.width / 2)}" y="18" text-anchor="middle" '
                    f'font-family="{FONT}" font-size="{self._font_size}" font-weight="bold" '
                    f'fill="#ffffff">{s.text}</text>'
                )
        return self._drawing("stacked", 26, "".join(parts), self.summary(row))

    def axis(self) -> SafeString:
        """The scale under the bars: 0% to 100% of those who answered."""
        at = self._place
        parts = [f'<line x1="{at(0)}" y1="0.5" x2="{at(100)}" y2="0.5" stroke="#4a4f55"/>']
        for tick in AXIS_TICKS:
            anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
            parts.append(
                f'<line x1="{at(tick)}" y1="0" x2="{at(tick)}" y2="6" stroke="#4a4f55"/>'
                f'<text x="{at(tick)}" y="19" text-anchor="{anchor}" font-family="{FONT}" '
                f'font-size="{self._font_size}" fill="#1b1b1b">{tick}%</text>'
            )
        # On a page the axis is read in the bars' own words, so it is hidden there.
        return self._drawing("axis", 22, "".join(parts), AXIS_WORDS, hidden=True)

    # Printed, a bar is drawn PRINT_WIDTH units wide and scaled to the page's width.
    @property
    def _font_size(self) -> int:
        return 11 if self.printed else 12

    def _place(self, percent: float) -> str:
        return f"{percent * PRINT_WIDTH / 100:.2f}" if self.printed else f"{percent:.3f}%"

    def _drawing(
        self, kind: str, height: int, body: str, words: str, *, hidden: bool = False
    ) -> SafeString:
        if self.printed:
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PRINT_WIDTH} {height}" '
                f'width="{PRINT_WIDTH}" height="{height}">{body}</svg>'
            )
            source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            return format_html('<img class="{}" alt="{}" src="{}">', kind, words, source)
        named = 'aria-hidden="true"' if hidden else f'role="img" aria-label="{escape(words)}"'
        return mark_safe(  # noqa: S308 - the only outside text is escaped here
            f'<svg class="{kind}" width="100%" height="{height}" {named} focusable="false">'
            f"{body}</svg>"
        )


def scale_charts(
    rows: Sequence[tuple[str, Sequence[str], Sequence[int]]], *, key: str, printed: bool = False
) -> list[ScaleChart]:
    """``(label, scale labels, counts)`` rows grouped into one chart per scale, in the
    order the scales first appear, so every key sits beside the bars it explains."""
    grouped: dict[tuple[str, ...], list[ChartRow]] = {}
    for label, labels, counts in rows:
        grouped.setdefault(tuple(labels), []).append(ChartRow(label, tuple(counts)))
    return [
        ScaleChart(f"{key}-{i}", labels, tuple(found), printed=printed)
        for i, (labels, found) in enumerate(grouped.items(), start=1)
    ]


@dataclass(frozen=True)
class Trend:
    """A line of ``values`` over ``periods``, with the baseline (dashed) and the target
    (dotted) drawn across, for a population indicator."""

    label: str
    periods: tuple[str, ...]
    values: tuple[float, ...]
    baseline: float | None = None
    target: float | None = None

    @property
    def summary(self) -> str:
        summary = f"{self.label}: " + ", ".join(
            f"{period} {value:g}" for period, value in zip(self.periods, self.values, strict=True)
        )
        if self.baseline is not None:
            summary += f"; baseline {self.baseline:g}"
        if self.target is not None:
            summary += f"; target {self.target:g}"
        return summary

    def bounds(self) -> tuple[float, float, float]:
        """The lowest and highest values drawn, with a tenth's room either side, and that
        room, so the line and the baseline and target all fit."""
        marks = [*self.values] + [v for v in (self.baseline, self.target) if v is not None]
        low, high = min(marks), max(marks)
        if high == low:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.1
        return low - pad, high + pad, pad

    def image(self) -> SafeString:
        """Printed: a picture with the line in words as its text alternative."""
        return self.svg(printed=True)

    def svg(self, *, printed: bool = False) -> SafeString:
        periods, values, label = self.periods, self.values, self.label
        baseline, target = self.baseline, self.target
        width, height, left, right, top, bottom = 640, 260, 56, 16, 16, 40
        if not values:
            return mark_safe(  # noqa: S308 - escaped here
                f'<p class="meta">No figures yet for {escape(label)}.</p>'
            )
        low, high, pad = self.bounds()

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
                    f'<line x1="{left}" y1="{y(value):.1f}" '
                    f'x2="{width - right}" y2="{y(value):.1f}" '
                    f'stroke="#1b1b1b" stroke-width="2" stroke-dasharray="{dash}"/>'
                    f'<text x="{width - right}" y="{y(value) - 5:.1f}" text-anchor="end" '
                    f'font-size="12" fill="#1b1b1b">{name} {value:g}</text>'
                )
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{HIGH[3]}" stroke-width="3"/>'
        )
        for i, (period, value) in enumerate(zip(periods, values, strict=True)):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="4" fill="{HIGH[3]}"/>')
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="12" fill="#1b1b1b">{escape(period)}</text>'
            )
        if printed:
            svg = (
                f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
                f'width="{width}" height="{height}">' + "".join(parts) + "</svg>"
            )
            return format_html(
                '<img class="trend" alt="{}" src="data:image/svg+xml;base64,{}">',
                self.summary,
                base64.b64encode(svg.encode()).decode(),
            )
        return mark_safe(  # noqa: S308 - every text escaped here
            f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(self.summary)}" focusable="false">' + "".join(parts) + "</svg>"
        )
