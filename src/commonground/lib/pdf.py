"""HTML to PDF with WeasyPrint, which needs the Pango text library from the system.

Where Pango is missing (a bare container, a new laptop), everything else in
Common Ground still works; asking for a PDF says what to install instead of
failing with an import error.
"""

from __future__ import annotations

from functools import cache

INSTALL_HINT = (
    "PDFs need the Pango text library on the server: on Debian or Ubuntu, "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here; ``str()`` says what to install."""


@cache
def _weasyprint() -> object:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the system library would not load
        raise PdfUnavailable(INSTALL_HINT) from exc
    return weasyprint


def available() -> bool:
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """``html`` (a whole document with its own print styles) as a tagged PDF: PDF/UA-1, so
    screen readers meet its headings, lists and tables in order, with its title and
    language set from the document."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=base_url)  # type: ignore[attr-defined]
    return document.write_pdf(pdf_variant="pdf/ua-1")
