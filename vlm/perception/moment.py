"""Answering "What happens at the end / at 0:05 / first?" from the facts of that stretch (extractive, no LLM).

The reader answers "What happens at the end?" with the whole video's likely activity, and "What happens
first?" with "I can't tell", while the context holds timed facts: a segment line for each stretch (its objects and
motion), the people seen in its analysed frames, the speech and the on-screen text with their times, the scene
cuts. Here a question that asks what happens at a point of the video is answered with the facts of the segment
that holds that point, said in words, each fact as the context states it. A question about one thing at a time
("What is the man holding at the end?") is left to the reader.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START, listed, with_article
from vlm.perception.base import fmt_span, fmt_time
from vlm.perception.vision import motion_word

WHAT_HAPPENS = re.compile(
    QUESTION_START + r"(?:so\s+)?(?:(?:describe|tell\s+me\s+about)\s+the\s+(?=(?:very\s+)?(?:start|beginning|end|ending|middle|opening|first|"
    r"last)\b)|"
    r"what(?:'s|\s+is)\s+(?=(?:at|in)\s+the\s+(?:very\s+)?(?:start|beginning|end|middle)\s*(?:of\s+(?:the|this)\s+"
    r"(?:video|clip))?\W*$)|"
    r"what's\s+(?:happening|going\s+on|shown|seen|on\s+(?:the\s+)?screen)|"
    r"what\s+(?:happens|happened|occurs|occurred|takes\s+place|is\s+happening|was\s+happening|"
    r"is\s+going\s+on|goes\s+on|can\s+be\s+seen|"
    r"(?:is|was)\s+(?:shown|seen|visible|on\s+(?:the\s+)?screen)|do\s+(?:we|you|i)\s+see|can\s+(?:we|you|i)\s+see|"
    r"does\s+(?:the\s+video|the\s+clip|it)\s+show)|"
    r"how\s+does\s+(?:the\s+video|the\s+clip|it|this)\s+(?P<how>end|finish|close|start|begin|open)|"
    r"what(?:'s|\s+is)\s+the\s+(?P<nth>first|last|final)\s+thing\s+(?:that\s+)?(?:happens|happened|(?:is\s+)?shown|"
    r"(?:we|you)\s+see|is\s+seen|(?:the\s+)?(?:video|clip)\s+shows))", re.I)
POSITION = re.compile(r"\b(?:at|in|near|towards?|by|around|during|describe|about)\s+the\s+(?:very\s+)?"
                      r"(?P<pos>start|beginning|end|ending|middle|finish|close|opening)\b"
                      r"(?!\s+of\s+(?!(?:the\s+|this\s+)?(?:video|clip|film|movie|recording)))",  # not "of the hall"
                      re.I)
FIRST_LAST = re.compile(r"\b(?P<w>first|last|finally)\s*\W*$", re.I)      # "What happens first?"
CLOCK = re.compile(r"\b(?:at|after|around|from)\s+(?P<m>\d{1,2}):(?P<s>\d{2})\b", re.I)
SECONDS = re.compile(r"\b(?:at|after|around|from)\s+(?P<x>\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b", re.I)
SPAN = re.compile(r"\b(?:in|during)\s+the\s+(?P<w>first|last)\s+(?P<x>\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b", re.I)
WHERE = {"start": "start", "beginning": "start", "opening": "start", "first": "start", "begin": "start",
         "end": "end", "ending": "end", "finish": "end", "close": "end", "last": "end", "final": "end", "finally": "end",
         "middle": "middle"}


# "And at the end?", "What about the start?", "And at 0:05?": a follow-up that names only a point of the video (the
# reader said "Yes, at the end.").
BARE_POINT = re.compile(r"^\W*(?:and|so|then|what\s+about|how\s+about)\s+(?P<point>(?:at|in|near|around|towards?|"
                        r"during)\s+(?:the\s+(?:very\s+)?(?:start|beginning|end|ending|middle|opening|close)|"
                        r"\d{1,2}:\d{2}|\d+(?:\.\d+)?\s*(?:s|secs?|seconds?))|the\s+(?:start|beginning|end|"
                        r"ending|middle))\s*\W*$", re.I)


def asked_moment(question: str, duration: float) -> tuple[str, float | None, tuple[float, float] | None] | None:
    """What the question points at: ('start' | 'end' | 'middle', None, None), ('time', t, None) or
    ('span', None, (a, b)); None when it is not a "what happens at <a point>" question."""
    if (bare := BARE_POINT.search(question)) is not None:
        point = bare.group("point")
        question = f"What happens {point if point.split()[0].lower() != 'the' else 'at ' + point}?"
    m = WHAT_HAPPENS.search(question)
    if m is None:
        return None
    if m.group("how") or m.group("nth"):
        return WHERE[(m.group("how") or m.group("nth")).lower()], None, None
    if (s := SPAN.search(question)) is not None:
        x = float(s.group("x"))
        return ("span", None, (0.0, x) if s.group("w").lower() == "first" else (max(0.0, duration - x), duration))
    if (c := CLOCK.search(question)) is not None:
        return "time", 60.0 * int(c.group("m")) + int(c.group("s")), None
    if (c := SECONDS.search(question)) is not None:
        return "time", float(c.group("x")), None
    for pattern, group in ((POSITION, "pos"), (FIRST_LAST, "w")):
        if (p := pattern.search(question)) is not None:
            return WHERE[p.group(group).lower()], None, None
    return None


def _window(context, where: str, t: float | None, span: tuple[float, float] | None):
    """The (start, end) stretch asked about and the segment lines inside or around it."""
    segs = context.segments
    if span is not None:
        a, b = span
        inside = [s for s in segs if s.start < b and s.end > a] or segs[-1:]
        return a, b, inside
    if where == "time":
        seg = next((s for s in segs if s.start <= t < s.end), segs[-1])   # 0:05 of 0:04-0:05, 0:05-0:07: the second
        return seg.start, seg.end, [seg]
    if where == "middle":
        mid = context.info.duration / 2
        seg = next((s for s in segs if s.start <= mid < s.end), segs[len(segs) // 2])
        return seg.start, seg.end, [seg]
    seg = segs[0] if where == "start" else segs[-1]
    return seg.start, seg.end, [seg]


def _names(names: list[str]) -> str:
    return listed([with_article(n, capital=False) for n in names])


def moment_facts(context, a: float, b: float, segments) -> list[str]:
    """The context's facts for [a, b] seconds, as sentences."""
    out = []
    labels = list(dict.fromkeys(n for s in segments for n, _ in s.labels))[:3]
    fastest = max(segments, key=lambda s: s.motion)
    word = motion_word(fastest.motion)
    motion = ("no motion" if word == "none" else f"{word} motion") + \
        (f", mostly {fastest.direction}ward" if fastest.direction != "none" else "")
    out.append((f"The frames show {_names(labels)}" if labels else "Nothing in the frames is recognised")
               + f" ({motion}).")
    people = context.part("people")
    if people is not None:
        last = b >= context.info.duration - 1e-6   # a frame on a boundary belongs to the later stretch
        frames = [f for f in people.frames if a - 1e-6 <= f.t and (f.t < b - 1e-6 or last and f.t <= b + 1e-6)]
        if frames:
            n = max(max(len(f.persons), min(f.faces, 1)) for f in frames)
            who = "Nobody is seen" if n == 0 else "One person is seen" if n == 1 else f"Up to {n} people are seen"
            times = {f.t for f in frames}
            seen = {**{p: w for p, w in people.posture_times().items() if p != "upright"}, **people.event_times()}
            events = [f"{what} at {people.spans_text([x for x in when if x in times])}"
                      for what, when in seen.items() if any(x in times for x in when)]
            out.append(who + (": " + "; ".join(events) if events and n else "") + ".")
    speech = context.part("speech")
    if speech is not None:
        heard = [s for s in speech.segments if s.start < b and s.end > a][:2]
        if heard:
            out.append("Someone says " + " and then ".join(f'"{s.text}" ({fmt_time(s.start)})' for s in heard) + ".")
    text = context.part("text")
    if text is not None:
        shown = [i for i in text.items if i.kind != "watermark" and i.start <= b and i.end >= a][:2]
        if shown:
            out.append("On screen: " + " and ".join(f'"{i.text}"' for i in shown) + ".")
    cuts = [c for c in context.cuts if a <= c <= b]
    if cuts:
        out.append("The scene cuts at " + ", ".join(fmt_time(c) for c in cuts) + ".")
    return out


# "And after that?", "What happens next?": the stretch after the last time the previous answer gave.
NEXT = re.compile(QUESTION_START + r"(?:then\s+)?(?:what\s+(?:happens|happened|comes|is\s+shown|do\s+(?:we|you)\s+see)\s+)?"
                  r"(?:next|after\s+(?:that|this)|afterwards|then)\s*\W*$", re.I)
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")


def asked_next(question: str, history) -> float | None:
    """The time a "What happens next?" follow-up starts from: the last time the previous answer names; None for
    other questions, and where the previous answer gives no time (the reader answers)."""
    answers = [t["content"] for t in history if t.get("role") == "assistant"]
    if not NEXT.search(question) or not answers:
        return None
    times = [60 * int(m) + int(s) for m, s in _TIME.findall(answers[-1])]
    return float(max(times)) if times else None


def answer_moment(question: str, context, history=()) -> str | None:
    """The facts of the stretch a "What happens at the end / at 0:05 / first?" question points at, or a "What
    happens next?" follow-up (the stretch after the previous answer's last time); else None."""
    if not context.segments:
        return None
    duration = context.info.duration
    after = asked_next(question, history)
    if after is not None:
        # the answer's times are rounded to the second: "0:03-0:05" is 3.26-4.90 s
        later = [s for s in context.segments if s.start >= after - 0.5 and s.end > after + 0.5]
        if not later:
            return f"Nothing more: the video ends at {fmt_time(duration)}."
        seg = later[0]
        return _stretch(f"Next ({fmt_span(seg.start, seg.end)})", moment_facts(context, seg.start, seg.end, [seg]))
    asked = asked_moment(question, duration)
    if asked is None:
        return None
    where, t, span = asked
    if t is not None and t > duration + 0.5:
        return f"The video is only {fmt_time(duration)} long, so nothing happens at {fmt_time(t)}."
    a, b, segments = _window(context, where, t, span)
    head = {"start": "At the start", "end": "At the end", "middle": "In the middle"}.get(where, "")
    head = f"{head} ({fmt_span(a, b)})" if head else f"At {fmt_span(a, b)}"
    return _stretch(head, moment_facts(context, a, b, segments))


def _stretch(head: str, facts: list[str]) -> str:
    """'At the end (0:06-0:12): the frames show ... One person is seen.'"""
    return f"{head}: {facts[0][:1].lower()}{facts[0][1:]}" + "".join(" " + f for f in facts[1:])
