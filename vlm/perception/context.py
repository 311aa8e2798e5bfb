"""The perception context: every part's findings as one compact, timestamped text, within a token budget.

The LLM reads exactly `to_text()`, and the user sees exactly that too (`vlm describe`, `--show-context`, the
app's "What the model sees"). Parts still running in the background are listed as pending, so an answer can say
what it does not know yet; the text is rebuilt at every question, so it picks them up once they are done.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from vlm.perception.base import fmt_time
from vlm.perception.vision import Segment, camera_line, labels_text, segment_line
from vlm.video.io import VideoInfo

PART_ORDER = ("speech", "text", "people")


@dataclass
class PartState:
    """One part's progress and result for one video."""
    name: str
    title: str
    status: str = "pending"     # "pending" | "running" | "done" | "unavailable" | "failed"
    progress: float = 0.0
    result: object | None = None
    note: str = ""              # the reason, when unavailable or failed
    seconds: float = 0.0
    cached: bool = False
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)
    _callbacks: list = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pending(self) -> bool:
        return self.status in ("pending", "running")

    def finish(self, status: str, result=None, note: str = "") -> None:
        with self._lock:
            self.status, self.result, self.note = status, result, note
            self.progress = 1.0
            self.done_event.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn()

    def add_done_callback(self, fn) -> None:
        """fn() once the part is done (now, if it already is)."""
        with self._lock:
            if not self.done_event.is_set():
                self._callbacks.append(fn)
                return
        fn()

    def lines(self, **limits) -> list[str]:
        if self.status == "done":
            return self.result.lines(**limits)
        if self.pending:
            return [f"{self.title}: not known yet, still being worked out in the background "
                    f"({self.progress:.0%} done)."]
        return [self.note if self.note.startswith(self.title) else f"{self.title}: {self.note}."]

    def to_dict(self) -> dict:
        return {"status": self.status, "progress": round(self.progress, 3), "note": self.note,
                "seconds": round(self.seconds, 3), "cached": self.cached,
                "result": self.result.to_dict() if self.result is not None else None}


# How far the text shrinks, level by level, until it fits the budget: (transcript segments, text items, segment lines)
_SHRINK = [(None, None, None), (12, 8, 4), (6, 5, 3), (3, 3, 2), (1, 2, 1), (1, 1, 0)]


@dataclass
class PerceptionContext:
    info: VideoInfo
    timestamps: list[float]
    segments: list[Segment]
    cuts: list[float] = field(default_factory=list)   # seconds where the scene changes
    labels: list[tuple[str, float]] = field(default_factory=list)  # whole-video top labels
    motion_curve: list[float] = field(default_factory=list)  # per sampled frame, as Segment.motion
    parts: dict[str, PartState] = field(default_factory=dict)
    activity: list[tuple[str, float]] = field(default_factory=list)  # likely activities, best first
    place: list[tuple[str, float]] = field(default_factory=list)     # likely places, best first
    indoors: str = ""                                                # "indoors" | "outdoors" | "" (no guess)
    max_tokens: int = 1024                                           # budget for to_text()
    count_tokens: Callable[[str], int] | None = field(default=None, repr=False)

    def part(self, name: str):
        """The finished result of a part, or None (not run, pending, unavailable)."""
        state = self.parts.get(name)
        return state.result if state is not None and state.status == "done" else None

    @property
    def pending(self) -> list[str]:
        return [n for n, s in self.parts.items() if s.pending]

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every background part is done (True) or the timeout passes (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for state in list(self.parts.values()):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not state.done_event.wait(left):
                return False
        return True

    # --- text ------------------------------------------------------------------------------------------------
    def to_text(self) -> str:
        """The facts the LLM reads, shrunk (fewer transcript segments, text items, segment lines) to the budget."""
        count = self.count_tokens or (lambda s: len(s) // 4 + 1)
        for level in _SHRINK:
            text = self._render(*level)
            if count(text) <= self.max_tokens:
                return text
        return text

    def _render(self, max_said: int | None, max_items: int | None, max_segments: int | None) -> str:
        i = self.info
        lines = [f"Video: {fmt_time(i.duration)} long, {i.fps:.0f} fps, {i.width}x{i.height}; "
                 f"{len(self.timestamps)} frames analysed."]
        if self.activity:
            lines.append("Likely activity (a guess from everything below, not certain): "
                         + ", ".join(f"{name} ({p:.0%})" for name, p in self.activity) + ".")
        if self.place:
            lines.append("Likely place (a guess from the objects, not certain): "
                         + ", ".join(f"{name} ({p:.0%})" for name, p in self.place)
                         + (f"; more likely {self.indoors} than not." if self.indoors else "."))
        limits = {"speech": {"max_segments": max_said}, "text": {"max_items": max_items}}
        for name in sorted(self.parts, key=lambda n: PART_ORDER.index(n) if n in PART_ORDER else 99):
            lines += self.parts[name].lines(**limits.get(name, {}))
        lines.append("Objects seen overall (ImageNet classifier, confidence): " + labels_text(self.labels) + ".")
        segments = self.segments if max_segments is None else _merge(self.segments, max_segments)
        lines += [segment_line(s) for s in segments]
        lines.append("Scene cuts at " + ", ".join(fmt_time(c) for c in self.cuts) + "." if self.cuts
                     else "No scene cuts: one continuous shot.")
        if (camera := camera_line(self.segments)) is not None:
            lines.append(camera)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return {"info": self.info.to_dict(), "timestamps": self.timestamps, "cuts": self.cuts,
                "labels": self.labels, "motion_curve": self.motion_curve, "activity": self.activity,
                "place": self.place, "indoors": self.indoors,
                "segments": [asdict(s) for s in self.segments],
                "parts": {n: s.to_dict() for n, s in self.parts.items()}}


def _merge(segments: list[Segment], n: int) -> list[Segment]:
    """At most n segment lines: neighbours joined, keeping the first one's labels (budget fallback)."""
    if n <= 0:
        return []
    if len(segments) <= n:
        return segments
    groups = [segments[round(k * len(segments) / n):round((k + 1) * len(segments) / n)] for k in range(n)]
    return [Segment(g[0].start, g[-1].end, g[0].labels, round(sum(s.motion for s in g) / len(g), 1), g[0].direction,
                    None if any(s.camera is None for s in g) else round(max(s.camera for s in g), 1))
            for g in groups]
