"""Small helpers for raw input text, shared by the labeller and the export readers."""
from __future__ import annotations

import re

LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def has_lone_surrogates(text: str) -> bool:
    """Whether ``text`` holds code points that cannot be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def replace_lone_surrogates(text: str) -> str:
    """Each lone surrogate becomes U+FFFD: same length, so offsets are unchanged."""
    return LONE_SURROGATES.sub("\ufffd", text) if has_lone_surrogates(text) else text
