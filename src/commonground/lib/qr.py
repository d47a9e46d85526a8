"""A QR code as inline SVG, for a link people in a room scan from a screen."""

from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(link: str, *, scale: int = 8) -> SafeString:
    """``link`` as a QR code: an SVG image whose name says where it leads."""
    code = segno.make(link, error="m")
    svg = code.svg_inline(scale=scale, border=2, dark="#000", light="#fff", svgclass="qr")
    named = f'<svg role="img" aria-label="QR code for {escape(link)}" focusable="false" '
    return mark_safe(svg.replace("<svg ", named, 1))  # noqa: S308 - segno's markup, our label
