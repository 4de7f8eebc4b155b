"""Text as copied from PDFs and web pages, made plain before anything reads it.

PDF and HTML copies carry characters that look like spaces, hyphens or nothing at all (no-break and thin
spaces, soft hyphens, zero-width marks, the Unicode minus). Every cell, label, unit and range goes through
`plain_text` first, so no later rule has to know about them.
"""

from __future__ import annotations

import math

SPACES = "\u00a0\u2007\u2009\u200a\u202f\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"
REMOVED = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen and zero-width marks
HYPHENS = "\u2010\u2011\u2212"                       # hyphen, non-breaking hyphen, minus sign
_PLAIN = str.maketrans({**dict.fromkeys(SPACES, " "), **dict.fromkeys(REMOVED, None),
                        **dict.fromkeys(HYPHENS, "-")})


def plain_text(text: object) -> str:
    """The text with invisible and look-alike characters made plain, stripped; None and NaN give ''."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).translate(_PLAIN).strip()
