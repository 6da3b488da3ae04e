"""Message language, detected offline with py3langid.

The model takes ~0.7 s to load and ~50-150 µs per message, so it is imported and loaded only on
the first call, and ``Facts.language()`` calls this only when a compiled rule asks. Short texts
are guesses (langid calls "Hi" Serbian), so below a few letters, or below a normalised
confidence of one half, the answer is ``None``: "unknown" rather than wrong.
"""

from __future__ import annotations

import threading
from typing import Any

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.5

_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or ``None`` when it is empty, too short or ambiguous."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    identifier = _identifier if _identifier is not None else _load()
    code, confidence = identifier.classify(text)
    if confidence < MIN_CONFIDENCE or len(code) != 2:
        return None
    return str(code)
