"""Runs the perception parts for one video: cached results first, quick parts now, slow ones in the background.

A part expected to take longer than `background_after_s` (Whisper on a 10-minute video: about a minute) runs on
one background thread, so the first answer need not wait for it; its state shows progress, and the context says
it is pending until it lands. Everything else runs on the caller's thread (the model thread, see
`vlm.runtime`). The likely-activity guess is recomputed, on the model thread, whenever a part lands.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch

from vlm.perception.base import Clip, PartUnavailable, PerceptionPart, build_part, load_cached, save_cached
from vlm.perception.context import PartState, PerceptionContext

log = logging.getLogger(__name__)

DEFAULT_PARTS = ("speech", "text", "people")


@dataclass(frozen=True)
class PerceptionSettings:
    parts: tuple[str, ...] = DEFAULT_PARTS
    background_after_s: float = 6.0   # parts expected to take longer run in the background
    use_cache: bool = True
    activity: bool = True


def _quietly(fn) -> None:
    """Run fn, dropping its error: a failing prefetch shows up again, with its reason, when the part runs."""
    try:
        fn()
    except Exception:  # noqa: BLE001
        pass


class Perceiver:
    def __init__(self, settings: PerceptionSettings | None = None, *, parts: dict[str, PerceptionPart] | None = None):
        self.settings = settings or PerceptionSettings()
        self.parts = parts if parts is not None else {n: build_part(n) for n in self.settings.parts}
        self._background: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def begin(self, clip: Clip) -> dict[str, PartState]:
        """Start a video: cached results are read, and the parts that need no frames (speech) start now on the
        background threads, so they overlap with decoding and encoding. Then call `complete`."""
        states = {}
        for name, part in self.parts.items():
            state = states[name] = PartState(name, part.title)
            reason = part.missing()
            if reason:
                state.finish("unavailable", note=reason)
            elif self.settings.use_cache and (found := load_cached(part.cache_key(clip))) is not None:
                state.cached = True
                state.finish("done", part.result_from_dict(found))
            elif not part.needs_frames and part.estimate_seconds(clip) <= self.settings.background_after_s:
                state.status = "running"  # a long video's transcript waits until the frame parts are done
                self._pool().submit(self._run, part, clip, state)
            elif part.needs_frames:
                self._pool().submit(_quietly, part.load)  # its model loads while the frames decode
        return states

    def complete(self, clip: Clip, states: dict[str, PartState], context: PerceptionContext,
                 probs: torch.Tensor) -> PerceptionContext:
        """Run the frame parts, wait for the quick early ones, and leave slow ones (estimated over
        `background_after_s`) running in the background; probs (1000,) are the frames' mean ImageNet view."""
        from vlm.runtime import submit

        context.parts.update(states)
        for name, part in self.parts.items():
            state = states[name]
            slow = part.estimate_seconds(clip) > self.settings.background_after_s
            if state.status == "pending":
                if slow:
                    state.status = "running"
                    self._pool().submit(self._run, part, clip, state)
                else:
                    self._run(part, clip, state)
            elif state.status == "running" and not slow:
                state.done_event.wait()
        self._update_activity(context, probs)
        for state in states.values():  # a part landing later updates the guess (torch work: on the model thread)
            if state.pending:
                state.add_done_callback(lambda: submit(self._update_activity, context, probs))
        if not any(states[n].pending and self.parts[n].needs_frames for n in states):
            clip.close()  # the decoders' buffers (hundreds of MB for a long 720p video)
        return context

    def perceive(self, clip: Clip, context: PerceptionContext, probs: torch.Tensor) -> PerceptionContext:
        return self.complete(clip, self.begin(clip), context, probs)

    def results(self, clip: Clip) -> dict[str, object | None]:
        """Every part's result for clip, waiting for all of them (None where a part is unavailable or failed)."""
        states = self.begin(clip)
        for name, part in self.parts.items():
            if states[name].status == "pending":
                self._run(part, clip, states[name])
        for state in states.values():
            state.done_event.wait()
        return {n: s.result if s.status == "done" else None for n, s in states.items()}

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._background is None:
                # Two: a long video's transcript must not hold up the next video's.
                self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="vlm-perception")
            return self._background

    def _run(self, part: PerceptionPart, clip: Clip, state: PartState) -> None:
        state.status = "running"
        t0 = time.perf_counter()

        def progress(p: float) -> None:
            state.progress = p

        try:
            result = part.run(clip, progress)
        except PartUnavailable as e:
            state.finish("unavailable", note=str(e))
            return
        except Exception as e:  # noqa: BLE001 - one part failing must not take the video down with it
            log.warning("perception part %s failed on %s: %s", part.name, clip.path, e, exc_info=True)
            state.finish("failed", note=f"could not be worked out ({type(e).__name__}: {str(e).splitlines()[0][:120]})"
                         if str(e) else f"could not be worked out ({type(e).__name__})")
            return
        finally:
            state.seconds = time.perf_counter() - t0
        if self.settings.use_cache:
            save_cached(part.cache_key(clip), result.to_dict())
        state.finish("done", result)

    def _update_activity(self, context: PerceptionContext, probs: torch.Tensor) -> None:
        if not self.settings.activity:
            return
        from vlm.perception.activity import cues, default_activity_scorer

        try:
            scorer = default_activity_scorer()
            context.activity = scorer.likely(probs, **cues(context))
            context.place, context.indoors = scorer.place(probs)
        except (OSError, FileNotFoundError) as e:  # the text model is missing: no guess rather than no video
            log.warning("no activity guess: %s", e)
