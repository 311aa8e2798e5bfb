""""What else?", "Tell me more.": the facts the conversation has not given yet (extractive, no LLM).

The reader answers these follow-ups from nothing in particular: after "Mostly a lakeshore and a boathouse." it
said "No one is visible." to "What else?", and "I can't tell from the video." to "Tell me more." after a
description. Here the whole video's facts are said as sentences (objects, people, speech, on-screen text,
motion, the likely place and activity), those whose content an earlier answer already gave are dropped, and the
first few of the rest are the answer; when none is left, it says so.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START
from vlm.perception.base import fmt_time
from vlm.perception.moment import _names

MORE = re.compile(
    QUESTION_START + r"(?:so|ok(?:ay)?|and)?\W*(?:"
    r"what\s+else(?:\s+(?:is\s+there|(?:is|was)\s+(?:shown|seen|visible|happening|going\s+on|in\s+(?:the|this)\s+"
    r"(?:video|clip|frames?))|happens|happened|(?:can|do|did)\s+(?:you|we|i)\s+(?:see|notice|tell(?:\s+me)?)|"
    r"does\s+(?:the|this)\s+(?:video|clip)\s+show))?|"
    r"(?:is\s+there\s+)?anything\s+(?:else|more)(?:\s+(?:to\s+(?:say|see|tell)|(?:you\s+can|can\s+you)\s+(?:see|tell"
    r"(?:\s+me)?)|in\s+(?:the|this)\s+(?:video|clip)|happening|going\s+on))?|"
    r"(?:(?:can|could)\s+you\s+)?(?:tell\s+me|say|describe)\s+(?:some\s*thing\s+|a\s+(?:bit|little)\s+)?more"
    r"(?:\s+about\s+(?:it|this|that|the\s+(?:video|clip)))?(?:\s+please)?|"
    r"(?:any\s+)?(?:more|other|further)\s+details?|go\s+on|continue|more)\W*$", re.I)
MAX_FACTS = 3
PEOPLE_SAID = re.compile(r"\b(?:person|people|persons|someone|somebody|anyone|nobody|no one|man|men|woman|women|"
                         r"boy|girl|child|children|kids?|baby)\b", re.I)
NOTHING_MORE = "That is all the facts give: I can't tell anything more from the video."


def asked_more(question: str) -> bool:
    return MORE.search(question) is not None


def _object_names(context) -> list[str]:
    """The whole video's objects, best first, then the segment lines' that the overall list leaves out."""
    names = [n for n, _ in context.labels]
    names += [n for s in context.segments for n, _ in s.labels]
    return list(dict.fromkeys(names))


def people_fact(context) -> str | None:
    people = context.part("people")
    if people is None:
        return None
    n = people.max_people
    events = [f"{what} at {people.spans_text(when)}" for what, when in people.event_times().items() if when]
    who = "Nobody is seen" if n == 0 else "One person is seen" if n == 1 else f"Up to {n} people are seen at once"
    return who + (": " + "; ".join(events) if events and n else "") + "."


def _quoted(items, said: str) -> list:
    return [i for i in items if i.text.strip().lower()[:20] not in said]


def whole_video_facts(context, said: str) -> list[str]:
    """The video's facts as sentences, leaving out those whose content is in `said` (earlier answers, lower
    case) or in a sentence before it ("a beach" among the objects, then as the place)."""
    out = []

    def add(sentence: str) -> None:
        nonlocal said
        out.append(sentence)
        said += " " + sentence.lower()

    objects = _object_names(context)
    if unsaid := [n for n in objects if n.lower() not in said][:3]:
        also = " also" if any(n.lower() in said for n in objects) else ""
        add(f"The frames{also} show {_names(unsaid)}.")
    if not PEOPLE_SAID.search(said) and (people := people_fact(context)) is not None:
        add(people)
    if (speech := context.part("speech")) is not None and (heard := _quoted(speech.segments, said)):
        add("Someone says " + " and then ".join(f'"{s.text.strip()}" ({fmt_time(s.start)})' for s in heard[:2]) + ".")
    if (text := context.part("text")) is not None and (
            shown := _quoted([i for i in text.items if i.kind != "watermark"], said)):
        add("On screen: " + " and ".join(f'"{i.text}" ({fmt_time(i.start)})' for i in shown[:2]) + ".")
    if context.place and context.place[0][0].lower() not in said:
        add(f"It looks like {_names([context.place[0][0]])} (a guess from the objects).")
    if context.activity and context.activity[0][0].lower() not in said:
        add(f"The likely activity is {context.activity[0][0]} (a guess).")
    if context.cuts and "cut" not in said:
        add("The scene cuts at " + ", ".join(fmt_time(c) for c in context.cuts) + ".")
    return out


def answer_more(question: str, context, history=()) -> str | None:
    """Up to MAX_FACTS facts no earlier answer gave, for "What else?" / "Tell me more."; else None."""
    if not asked_more(question):
        return None
    said = " ".join(t["content"] for t in history if t.get("role") == "assistant").lower()
    facts = whole_video_facts(context, said)
    return " ".join(facts[:MAX_FACTS]) if facts else NOTHING_MORE
