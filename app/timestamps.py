"""Times mentioned in answers ("0:12", "1:02:03", "12s", "12 seconds") -> seconds, for seek buttons."""
from __future__ import annotations

import re

_CLOCK = re.compile(r"(?<![\d:])(?:(\d{1,2}):)?(\d{1,2}):([0-5]\d)(?![\d:])")
_SECONDS = re.compile(r"(?<![\w.:])(\d{1,5}(?:\.\d+)?)\s?(?:s|sec|secs|second|seconds)\b")


def find_timestamps(text: str, duration: float | None = None) -> list[tuple[str, float]]:
    """(as written, seconds) for each distinct time in text, in order; times past duration are dropped."""
    found: list[tuple[int, str, float]] = []
    for m in _CLOCK.finditer(text):
        h, mnt, s = m.groups()
        found.append((m.start(), m.group(0), int(h or 0) * 3600 + int(mnt) * 60 + int(s)))
    for m in _SECONDS.finditer(text):
        found.append((m.start(), m.group(0), float(m.group(1))))
    out, seen = [], set()
    for _, label, secs in sorted(found):
        if secs in seen or (duration is not None and secs > duration + 0.5):
            continue
        seen.add(secs)
        out.append((label, secs))
    return out


def fmt(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"
