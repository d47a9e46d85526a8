"""The compass: a radar chart of a framework's dimensions, drawn as SVG geometry.

Axes run clockwise from the top in the framework's own order (never re-sorted, so two
compasses can be compared at a glance). Each ring is a point of the scale, the centre its
lowest value. Each series (a round) is a polygon through its dimension medians; a
dimension nobody rated leaves a gap in the outline rather than a point at the centre.
Pure: the template draws what this returns, beside a table of the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIZE = 420
CENTRE = SIZE / 2
RADIUS = 140
PAD = 90  # room at each side for the axes' names
# Colours that stay apart for the common kinds of colour blindness, darkest first, with
# a dash pattern as well so that the key never depends on colour alone.
SERIES_STYLES = [("#0b6e4f", ""), ("#b35900", "6 4"), ("#3b4cc0", "2 3"), ("#6b6b6b", "8 3 2 3")]


@dataclass(frozen=True)
class Axis:
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor: start, middle or end


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dash: str
    outline: str  # SVG path data
    points: list[tuple[float, float, float]]  # x, y and the value, for each rated axis


@dataclass(frozen=True)
class Compass:
    axes: list[Axis]
    rings: list[tuple[str, float, float, str]]  # polygon points, label x, label y, label
    series: list[Series]
    size: int = SIZE
    centre: float = CENTRE
    view_box: str = f"{-PAD} 0 {SIZE + 2 * PAD} {SIZE}"
    width: int = SIZE + 2 * PAD


def _at(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (
        round(CENTRE + RADIUS * fraction * math.cos(angle), 1),
        round(CENTRE + RADIUS * fraction * math.sin(angle), 1),
    )


def draw(
    labels: list[str],
    values: list[int],
    series: list[tuple[str, list[float | None]]],
    value_labels: dict[int, str] | None = None,
) -> Compass:
    """``labels`` the axes in order; ``values`` the scale's points (rising); ``series``
    each a name and one figure (or None) per axis."""
    count = len(labels)
    low, high = values[0], values[-1]

    def fraction(value: float) -> float:
        return (value - low) / (high - low) if high > low else 1.0

    axes = []
    for i, label in enumerate(labels):
        x, y = _at(i, count, 1)
        lx, ly = _at(i, count, 1.2)
        anchor = "middle" if abs(lx - CENTRE) < 8 else ("start" if lx > CENTRE else "end")
        axes.append(Axis(label, x, y, lx, ly + (10 if ly > CENTRE + 8 else 0), anchor))
    rings = []
    for value in values[1:]:
        corners = [_at(i, count, fraction(value)) for i in range(count)]
        lx, ly = _at(0, count, fraction(value))
        said = f"{value}" + (f" {value_labels[value]}" if value_labels else "")
        rings.append((" ".join(f"{x},{y}" for x, y in corners), lx + 4, ly - 3, said))
    drawn = []
    for n, (name, figures) in enumerate(series):
        colour, dash = SERIES_STYLES[n % len(SERIES_STYLES)]
        points, path, pen_down = [], [], False
        for i, figure in enumerate(figures):
            if figure is None:
                pen_down = False
                continue
            x, y = _at(i, count, fraction(figure))
            points.append((x, y, figure))
            path.append(f"{'L' if pen_down else 'M'}{x},{y}")
            pen_down = True
        if figures and all(f is not None for f in figures):
            path.append("Z")
        drawn.append(Series(name, colour, dash, " ".join(path), points))
    return Compass(axes, rings, drawn)
