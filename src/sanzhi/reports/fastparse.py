"""Report HTML into the element tree WeasyPrint's parser (tinyhtml5) builds, through expat.

Why: tinyhtml5 is an HTML5 parser in pure Python and took ~8 % of a village report (~30 ms);
expat, in C, reads the same markup in under a millisecond. Our templates write regular
markup (every element closed, attributes on one line, no entities beyond those autoescaping
writes), so the few HTML5 tree-building rules that matter for it are applied after expat:

- void elements (``meta``, ``col``, …) are closed for expat;
- ``<svg>`` and everything inside it are in the SVG namespace;
- rows written straight into a ``<table>`` go into an implied ``<tbody>``;
- the whitespace between ``<html>`` and ``<head>``, which HTML5 drops, is dropped, and the
  whitespace after ``</body>`` moves to the end of the body, as HTML5 moves it.

Anything that does not fit (a parse error, control characters, a newline inside a tag,
comments, character entities expat does not know) returns None and the caller keeps
tinyhtml5. tests/reports/test_fastparse.py checks that both give the same tree for every
bundled sample's reports, and pdf.plain() renders through tinyhtml5 for the byte-for-byte
comparison of the PDFs.

This module does not import weasyprint.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["parse_report_html"]

SVG_NS = "{http://www.w3.org/2000/svg}"
_VOID = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^<>]*?)(?<!/)>")
# Markup where expat and HTML5 would part ways: comments, CDATA, processing instructions,
# entities other than the five XML ones and numeric references, tags over several lines,
# characters XML does not allow, the elements whose text HTML5 reads raw or trims (style,
# script, pre, …; the PDF markup has none: its CSS is parsed by the renderer) and <base>.
_UNSUITABLE = re.compile(
    r"<!--|<!\[|<\?|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)|<[^<>]*[\t\r\n][^<>]*>"
    r"|<(?:base|style|script|pre|textarea|listing|plaintext|xmp|noscript|iframe|noembed|noframes)\b"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]"
)


def parse_report_html(html: str) -> ET.Element | None:
    """The tree of `html` as tinyhtml5 would build it (``namespace_html_elements=False``), or
    None when this markup is not one this function can read the same way."""
    if _UNSUITABLE.search(html) or not html.startswith("<!DOCTYPE html>\n<html"):
        return None
    try:
        root = ET.fromstring(_VOID.sub(r"<\1\2/>", html))
    except ET.ParseError:
        return None
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return None
    root.text = None  # whitespace before <head>: ignored by HTML5 ("before head" mode)
    # Whitespace after </body> and after </html> goes to the end of the body in HTML5.
    body = root[1]
    after = (body.tail or "") + html[html.rindex("</html>") + len("</html>"):]
    body.tail = None
    if after:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + after
        else:
            body.text = (body.text or "") + after
    for svg in root.iter("svg"):
        for element in svg.iter():
            element.tag = SVG_NS + element.tag
    if not all(_imply_tbody(table) for table in list(root.iter("table"))):
        return None
    return root


def _imply_tbody(table: ET.Element) -> bool:
    """Rows that are children of the table itself go into a new tbody in their place, as
    HTML5's "in table" insertion mode does (with the whitespace between them). False for a
    table this does not cover (rows on both sides of another part)."""
    children = list(table)
    start = next((i for i, child in enumerate(children) if child.tag == "tr"), None)
    if start is None:
        return True
    end = start
    while end < len(children) and children[end].tag == "tr":
        end += 1
    if any(child.tag == "tr" for child in children[end:]):
        return False
    tbody = ET.Element("tbody")
    for row in children[start:end]:
        table.remove(row)
        tbody.append(row)
    table.insert(start, tbody)
    return True
