"""The report document as a PDF, by WeasyPrint.

A module of its own because importing WeasyPrint (Pango, HarfBuzz, fontTools)
takes about a second: only code that makes a PDF pays for that, not every
process that imports reports.render.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Where WeasyPrint resolves the document's relative links from. Nothing is
# ever fetched from it: the fetcher below serves the stylesheet from disk.
BASE_URL = "https://oatracker.invalid/"


def document_pdf(html: str, *, stylesheet_url: str, stylesheet: Path) -> bytes:
    """The HTML document, exactly as stored, as a tagged PDF (PDF/UA-1): its
    link to ``stylesheet_url`` is read from the file ``stylesheet``."""
    fetcher = _StylesheetFetcher(urljoin(BASE_URL, stylesheet_url), stylesheet)
    with _cyclic_gc_paused():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        # PDF/UA: a tagged PDF that screen readers can follow, for 5 to 8%
        # of the PDF's time (docs/adr/0008-report-runs.md).
        return document.write_pdf(pdf_variant="pdf/ua-1")


class _StylesheetFetcher(URLFetcher):
    """Serves the report's own stylesheet and refuses every other URL, so
    rendering a report never reaches the network or reads another file."""

    def __init__(self, url: str, path: Path):
        super().__init__()
        self._url, self._path = url, path

    def fetch(self, url, headers=None):
        if url != self._url:
            raise ValueError(f"a report loads nothing but its stylesheet, not {url}")
        return URLFetcherResponse(
            url, self._path.read_bytes(), {"Content-Type": "text/css; charset=utf-8"}
        )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """WeasyPrint makes a few hundred thousand small objects per report
    (styles, boxes, text layouts), most of them alive until the PDF is
    written. Their allocation keeps triggering the cyclic collector, which
    walks them and the rest of the process hundreds of times per report:
    about a sixth of the PDF's time. Paused, the little it would free on the
    way (2 MB at the peak) waits for the first collection after the PDF is
    written, which frees the document too. It is re-enabled only if it was
    on before, so an overlapping render in another thread cannot leave it
    off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
