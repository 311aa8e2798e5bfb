"""Answering questions about the video file itself: its length, frame rate, size and shots (extractive, no LLM).

The context's first line states the length, frame rate and size ("Video: 0:15 long, 25 fps, 340x256; 16 frames
analysed.") and its last line the scene cuts, but the reader was never trained on questions about them: asked
"How long is the video?" it says it cannot tell, and "How many scenes are there?" reached the how-many route,
which says the facts count people only. Here those questions are answered from the video's probe and the cut
detector. A question that does not name the video ("How long is it?", "How long does he stay upside down?") is
left to the other routes and the reader.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START, YES_NO_QUESTION, listed
from vlm.perception.base import fmt_time

VIDEO = r"(?:the\s+|this\s+)?(?:video|clip|film|movie|recording|footage)"
DURATION = re.compile(
    QUESTION_START + r"(?:how\s+long\s+(?:is|was)\s+(?:" + VIDEO + r"|this)\s*(?:\?|$)|"
    r"how\s+long\s+does\s+" + VIDEO + r"\s+(?:last|run|go\s+on|take)\b|"
    r"what(?:'s|\s+is)\s+(?:the\s+)?(?:(?:video|clip|film)(?:'s)?\s+)?(?:length|duration|running\s+time|run\s*time)\b|"
    r"how\s+many\s+(?:seconds|minutes)\s+(?:long\s+)?(?:is|does|lasts?)\s+(?:" + VIDEO + r"|it|this)\b)", re.I)
# "How long is it?" opening a conversation: the video (after an answer, "it" may be the thing it named)
IT_DURATION = re.compile(QUESTION_START + r"how\s+long\s+(?:is|was)\s+it\s*(?:\?|$)", re.I)
FRAME_RATE = re.compile(r"\b(?:frame\s*rate|fps|frames\s+(?:per|a|each)\s+second)\b", re.I)
FRAME_COUNT = re.compile(QUESTION_START + r"how\s+many\s+frames\b", re.I)
SIZE = re.compile(r"\b(?:resolution|dimensions|frame\s+size|aspect\s+ratio|"
                  r"how\s+(?:big|large|wide|tall|high)\s+(?:is|are)\s+(?:the\s+)?(?:video|frame|picture|image)s?|"
                  r"what\s+size\s+(?:is|are)\s+(?:the\s+)?(?:video|frame|picture|image)s?)\b", re.I)
SHOTS = re.compile(r"\b(?:scene\s+(?:cuts?|changes?)|"
                   r"(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bbeing\s)(?<!\bgets\s)"   # not "What is cut in ...?"
                   r"cuts?\s+(?:in|between)\s+(?:the\s+|this\s+)?(?:video|clip|shots|"
                   r"scenes)\b|any\s+cuts|how\s+many\s+cuts\s+(?:are|is|does\s+(?:the|this)\s+(?:video|clip))\b|"
                   r"how\s+many\s+(?:scenes|camera\s+shots|takes)|"
                   r"(?:one|a\s+single|single|continuous|same)\s+(?:continuous\s+)?(?:shot|take)|"
                   r"does\s+(?:the\s+)?(?:scene|shot|camera\s+angle)\s+change)\b", re.I)
ORIENTATION = re.compile(r"\b(?:portrait|landscape|vertical|horizontal|upright)\s*(?:or\s+\w+\s*)?(?:video|clip|format|"
                         r"orientation|mode)?\W*$|\borientation\b", re.I)
TALL = re.compile(r"\b(?:portrait|vertical|upright)\b", re.I)
WIDE = re.compile(r"\b(?:landscape|horizontal)\b", re.I)
ONE_SHOT = re.compile(r"\b(?:one|single|continuous|same)\s+(?:continuous\s+)?(?:shot|take)\b", re.I)


def _seconds(x: float) -> str:
    return f"{x:.1f} seconds" if x < 60 else f"{x:.0f} seconds"


def answer_video_info(question: str, context, history=()) -> str | None:
    """The answer when `question` asks for the video's length, frame rate, frame count, size or shots; else None."""
    info = context.info
    if DURATION.search(question) or not history and IT_DURATION.search(question):
        return f"The video is {fmt_time(info.duration)} long ({_seconds(info.duration)})."
    if FRAME_COUNT.search(question):
        return (f"{info.num_frames} frames at {info.fps:.0f} frames per second; "
                f"{len(context.timestamps)} of them were analysed.")
    if FRAME_RATE.search(question):
        return f"{info.fps:.0f} frames per second ({info.num_frames} frames in {_seconds(info.duration)})."
    if SIZE.search(question) or ORIENTATION.search(question):
        shape = "landscape" if info.width > info.height else "portrait" if info.width < info.height else "square"
        fact = f"{info.width}x{info.height} pixels (width x height), {shape}."
        tall, wide = TALL.search(question), WIDE.search(question)
        if YES_NO_QUESTION.search(question) and bool(tall) != bool(wide):   # "Is it a vertical video?", not "... or ...?"
            return ("Yes, " if (shape == "portrait") == bool(tall) and shape != "square" else "No, ") + fact
        return fact
    if SHOTS.search(question):
        return _shots(question, context.cuts)
    return None


def _shots(question: str, cuts: list[float]) -> str:
    if not cuts:
        fact = "one continuous shot: the cut detector finds no scene cuts"
    else:
        fact = f"{len(cuts) + 1} shots: the scene cuts at {listed([fmt_time(c) for c in cuts])}"
    if YES_NO_QUESTION.search(question):   # "Is it one continuous shot?" / "Are there any cuts?"
        yes = (not cuts) if ONE_SHOT.search(question) else bool(cuts)
        return ("Yes, " if yes else "No, ") + fact + "."
    return fact[:1].upper() + fact[1:] + "."
