"""The charts of ``charts`` drawn again as PNG pictures, for documents that cannot hold SVG
(a Word report). Same colours, same key, percentages, axis and n; drawn with Pillow and
the font it carries, so the pictures come out the same on every machine."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from commonground.lib.charts import AXIS_TICKS, HIGH, ChartRow, ScaleChart, Trend

WIDTH = 1600  # pixels; placed 16 cm wide, that is 254 dots an inch
PAD = 24
TEXT = "#1b1b1b"
MUTED = "#4a4f55"
LINE = 1.25  # line height, in font sizes


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels, at spaces."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(254, 254))
    return out.getvalue()


def scale_chart_png(chart: ScaleChart) -> bytes:
    """A ScaleChart as a picture: the key across the top, each question's label with its n
    above its bar, percentages in the segments that have room, and the axis below."""
    size, bar_height = 30, 52
    font, small = _font(size), _font(size - 4)
    inner = WIDTH - 2 * PAD
    step = round(size * LINE)

    # The key: a swatch and a label per point, flowing onto more lines as needed.
    key: list[tuple[int, int, str, str]] = []
    x, y = PAD, PAD
    for number, (label, colour) in enumerate(chart.legend, start=1):
        text = f"{number} {label}"
        width = size + 10 + round(font.getlength(text)) + 36
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + step
        key.append((x, y, text, colour))
        x += width
    y += step + 16

    rows: list[tuple[int, list[str], ChartRow]] = []
    for row in chart.rows:
        lines = _wrap(f"{row.label} (n = {row.n})", font, inner)
        rows.append((y, lines, row))
        y += len(lines) * step + 6 + bar_height + 18
    axis_y = y
    height = axis_y + 12 + step + PAD

    image = Image.new("RGB", (WIDTH, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    for x, top, text, colour in key:
        draw.rectangle((x, top + 4, x + size, top + 4 + size), fill=colour)
        draw.text((x + size + 10, top), text, font=font, fill=TEXT)
    for top, lines, row in rows:
        for i, line in enumerate(lines):
            draw.text((PAD, top + i * step), line, font=font, fill=TEXT)
        bar_top = top + len(lines) * step + 6
        for segment in chart.segments(row):
            left = PAD + inner * segment.start / 100
            right = left + inner * segment.width / 100
            draw.rectangle((left, bar_top, right, bar_top + bar_height), fill=segment.colour)
            draw.line((right, bar_top, right, bar_top + bar_height), fill="#ffffff", width=3)
            if segment.text:
                draw.text(
                    ((left + right) / 2, bar_top + bar_height / 2),
                    segment.text,
                    font=font,
                    fill="#ffffff",
                    anchor="mm",
                )
    draw.line((PAD, axis_y, WIDTH - PAD, axis_y), fill=MUTED, width=2)
    for tick in AXIS_TICKS:
        at = PAD + inner * tick / 100
        draw.line((at, axis_y, at, axis_y + 10), fill=MUTED, width=2)
        anchor = "la" if tick == 0 else "ra" if tick == 100 else "ma"
        draw.text((at, axis_y + 14), f"{tick}%", font=small, fill=TEXT, anchor=anchor)
    return _png(image)


def _dashed(
    draw: ImageDraw.ImageDraw, y: float, start: float, end: float, dash: int, gap: int
) -> None:
    x = start
    while x < end:
        draw.line((x, y, min(x + dash, end), y), fill=TEXT, width=3)
        x += dash + gap


def trend_png(trend: Trend) -> bytes:
    """A Trend as a picture: the line over its periods, its axes, and the baseline (long
    dashes) and target (short dashes) named where they are drawn."""
    height, left, right, top, bottom = 650, 140, 80, 40, 90
    font = _font(30)
    image = Image.new("RGB", (WIDTH, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    if not trend.values:
        draw.text((PAD, PAD), f"No figures yet for {trend.label}.", font=font, fill=TEXT)
        return _png(image)
    low, high, pad = trend.bounds()
    count = len(trend.values)
    span = WIDTH - left - right

    def x(i: int) -> float:
        return left + (span * i / (count - 1) if count > 1 else span / 2)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (high - v) / (high - low)

    draw.line((left, top, left, height - bottom), fill=MUTED, width=2)
    draw.line((left, height - bottom, WIDTH - right, height - bottom), fill=MUTED, width=2)
    for v in (high - pad, low + pad):
        draw.text((left - 14, y(v)), f"{v:g}", font=font, fill=TEXT, anchor="rm")
    for value, dash, gap, name in (
        (trend.baseline, 22, 14, "baseline"),
        (trend.target, 6, 10, "target"),
    ):
        if value is not None:
            _dashed(draw, y(value), left, WIDTH - right, dash, gap)
            draw.text(
                (WIDTH - right, y(value) - 8),
                f"{name} {value:g}",
                font=font,
                fill=TEXT,
                anchor="rb",
            )
    points = [(x(i), y(v)) for i, v in enumerate(trend.values)]
    if len(points) > 1:
        draw.line(points, fill=HIGH[3], width=7, joint="curve")
    for (px, py), period in zip(points, trend.periods, strict=True):
        draw.ellipse((px - 10, py - 10, px + 10, py + 10), fill=HIGH[3])
        draw.text((px, height - bottom + 16), period, font=font, fill=TEXT, anchor="ma")
    return _png(image)
