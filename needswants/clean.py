"""Ticket cleaning: drop quoted earlier replies, signatures and HTML, keeping an offset map.

``clean_ticket(text)`` returns a :class:`CleanText` whose ``text`` is what gets labelled and
whose ``to_original(start, end)`` maps any span of it back into the text as given, so the
output's offsets always point into the original ticket.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Where the quoted history of an e-mail begins: everything from here on is dropped.
QUOTE_HEADERS = re.compile(
    r"^[ \t]*(?:On\s.{1,200}?\bwrote:|-{2,}\s*Original Message\s*-{2,}|_{5,}|From:\s.+\n\s*(?:Sent|Date):\s)",
    re.IGNORECASE | re.MULTILINE,
)
# Signatures and device footers: everything from the marker on is dropped.
SIGNATURE_MARKERS = re.compile(
    r"^(?:--[ \t]*$|Sent from my \w[\w ]*$|Get Outlook for \w+$|Sent from Mail for Windows.*$)",
    re.IGNORECASE | re.MULTILINE,
)
ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.IGNORECASE)
QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\n|$)", re.MULTILINE)
HTML_HINT = re.compile(r"<(?:html|body|div|p|br|span|table|td|tr|li|ul|ol|b|i|a|strong|em|font|h\d)\b[^>]*>", re.I)
HTML_PIECES = re.compile(
    r"(?P<drop><(?P<skip>script|style|head)\b.*?</(?P=skip)\s*>|<!--.*?-->)"
    r"|(?P<block></?(?:p|div|br|li|tr|h\d|table|ul|ol|blockquote)\b[^<>]*>)"
    r"|(?P<tag></?[A-Za-z!][^<>]*>)"
    r"|(?P<entity>&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class CleanText:
    """Cleaned text plus, for each of its characters, the index of the original character."""

    original: str
    text: str
    origin: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span [start, end) of ``text`` to a span of ``original``."""
        if start >= end:
            point = self.origin[start] if start < len(self.origin) else len(self.original)
            return point, point
        last = self.origin[end - 1]
        entity = ENTITY.match(self.original, last)  # a decoded entity ends where the entity ends
        return self.origin[start], entity.end() if entity else last + 1


def _strip_html(text: str, origin: list[int]) -> tuple[str, list[int]]:
    out, out_origin, last = [], [], 0

    def keep(piece_start: int, piece_end: int) -> None:
        out.append(text[piece_start:piece_end])
        out_origin.extend(origin[piece_start:piece_end])

    for match in HTML_PIECES.finditer(text):
        keep(last, match.start())
        last = match.end()
        if match.group("block"):
            out.append("\n")
            out_origin.append(origin[match.start()])
        elif match.group("entity"):
            decoded = html.unescape(match.group("entity"))
            if decoded == match.group("entity"):  # not an entity html knows: keep the text as it is
                keep(match.start(), match.end())
            else:
                out.append(decoded)
                out_origin.extend([origin[match.start()]] * len(decoded))
    keep(last, len(text))
    return "".join(out), out_origin


def _cut_at(pattern: re.Pattern[str], text: str, origin: list[int]) -> tuple[str, list[int]]:
    match = pattern.search(text)
    # never cut away the whole message: a ticket that starts with a quote keeps its text
    if match and text[:match.start()].strip():
        return text[:match.start()], origin[:match.start()]
    return text, origin


def _drop_lines(pattern: re.Pattern[str], text: str, origin: list[int]) -> tuple[str, list[int]]:
    out, out_origin, last = [], [], 0
    for match in pattern.finditer(text):
        out.append(text[last:match.start()])
        out_origin.extend(origin[last:match.start()])
        last = match.end()
    out.append(text[last:])
    out_origin.extend(origin[last:])
    kept = "".join(out)
    return (kept, out_origin) if kept.strip() else (text, origin)


def clean_ticket(text: str) -> CleanText:
    """Remove HTML markup, quoted earlier replies and signatures from one ticket."""
    origin = list(range(len(text)))
    cleaned = text
    if HTML_HINT.search(cleaned):
        cleaned, origin = _strip_html(cleaned, origin)
    cleaned, origin = _cut_at(QUOTE_HEADERS, cleaned, origin)
    cleaned, origin = _drop_lines(QUOTED_LINE, cleaned, origin)
    cleaned, origin = _cut_at(SIGNATURE_MARKERS, cleaned, origin)
    return CleanText(original=text, text=cleaned, origin=tuple(origin))
