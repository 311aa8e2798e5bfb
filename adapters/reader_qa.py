"""Questions about a perception context and answers derived from its facts alone, for training the reader.

Every answer says what the facts say, first sentence first, and "I can't tell from the video" when they do not
say (a name, an age, a brand, what someone thinks). Each kind has many phrasings; follow-ups refer back to the
turn before ("And when is it shown?"). Works on any context: fabricated (adapters.context_synth), a synthetic
clip's or a real clip's.
"""
from __future__ import annotations

import numpy as np

from vlm.perception.base import fmt_span, fmt_time
from vlm.perception.howmany import PEOPLE_COUNTS
from vlm.perception.ocr import only_watermark
from vlm.perception.vision import GROUPS

CANT = "I can't tell from the video."
WHO = ["the person", "the man", "the woman", "he", "she", "they", "the kid", "the boy", "the girl", "the player"]
N_ANIMAL_CLASSES = 398  # ImageNet-1k's classes 0-397 are animals (fish, birds, reptiles, mammals, insects)
PLACES = {"stage": "a stage", "lakeshore": "a lake or river shore", "seashore": "the seaside", "valley": "a valley",
          "cliff": "a cliff", "barbershop": "a barbershop", "home theater": "a living room", "patio": "a patio",
          "library": "a library", "restaurant": "a restaurant", "movie theater": "a cinema", "church": "a church",
          "bakery": "a bakery", "bookstore": "a bookshop", "grocery store": "a grocery store", "boathouse":
          "a boathouse by the water", "dock": "a dock", "pier": "a pier", "greenhouse": "a greenhouse",
          "prison": "a place with bars", "planetarium": "a dome or planetarium", "monastery": "a monastery",
          "palace": "a palace", "castle": "a castle", "volcano": "a volcano", "promontory": "a headland by the sea",
          "sandbar": "a sandbank", "coral reef": "a coral reef", "barn": "a barn", "parallel bars": "a gym",
          "balance beam": "a gym", "gymnastic horizontal bar": "a gym", "basketball": "a sports court",
          "volleyball": "a sports court", "ping-pong ball": "a table-tennis room", "sliding door": "a house",
          "desk": "a room", "couch": "a living room", "dining table": "a dining room", "altar": "a church"}
OUTDOOR = {"lakeshore", "seashore", "valley", "cliff", "volcano", "promontory", "sandbar", "coral reef", "dock", "pier",
           "patio", "boathouse"}
INDOOR = {"stage", "barbershop", "home theater", "library", "restaurant", "movie theater", "church", "bakery",
          "bookstore", "grocery store", "greenhouse", "planetarium", "parallel bars", "balance beam", "desk", "couch",
          "gymnastic horizontal bar", "dining table", "altar", "sliding door"}
NUMBERS = PEOPLE_COUNTS   # the words the extractive count answers use too


def animal_names() -> set[str]:
    from vlm.perception.vision import _class_names

    return {n.lower() for n in _class_names()[:N_ANIMAL_CLASSES]} | set(GROUPS)


def _pick(rng, options):
    return str(options[int(rng.integers(len(options)))])


def _who(rng) -> str:
    return _pick(rng, WHO)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Facts:
    """The parts of one context that answers are built from."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.speech_state = ctx.parts.get("speech")
        self.speech, self.text, self.people = ctx.part("speech"), ctx.part("text"), ctx.part("people")
        self.labels = [n for n, _ in ctx.labels]
        self.content = [i for i in (self.text.items if self.text else []) if i.kind != "watermark"]
        self.marks = [i for i in (self.text.items if self.text else []) if i.kind == "watermark"]

    @property
    def n_people(self) -> int | None:
        if self.people is None:
            return None
        counts = [max(len(f.persons), min(f.faces, 1)) for f in self.people.frames]
        return max(counts) if counts else 0

    def activity(self) -> str | None:
        return self.ctx.activity[0][0] if self.ctx.activity else None


# --- one answer per kind ------------------------------------------------------------------------------------------


def said(f: Facts) -> str:
    if f.speech_state is not None and f.speech_state.pending:
        return "I don't know yet: the speech is still being transcribed."
    if f.speech is None:
        return "I can't tell: nothing about the speech is known."
    if not f.speech.segments:
        note = f.speech.note
        if "no audio" in note:
            return "Nothing is said: the video has no audio track."
        if "silent" in note:
            return "Nothing is said: the audio is silent."
        if "decoded" in note:
            return "I can't tell: the audio track could not be decoded."
        return "No one speaks: there is sound, but no speech."
    quotes = [f'"{s.text}" ({fmt_time(s.start)})' for s in f.speech.segments[:3]]
    return "Someone says " + " and then ".join(quotes) + "."


def spoke(f: Facts) -> str:
    a = said(f)
    return ("Yes. " + a) if a.startswith("Someone") else ("No. " + a) if a.startswith(("Nothing", "No one")) else a


def written(f: Facts) -> str:
    if f.text is None:
        return "I can't tell what is written."
    if not f.content:
        if f.marks:
            return only_watermark(f.marks[0].text)
        return "No text appears on screen."
    first = f.content[0]
    where = "throughout the video" if first.kind == "overlay" else f"at {fmt_span(first.start, first.end)}"
    more = f' Also "{f.content[1].text}".' if len(f.content) > 1 else ""
    return f'The text says "{first.text}", shown {where}.{more}'


def any_text(f: Facts) -> str:
    a = written(f)
    if f.content:
        return "Yes. " + a
    return ("No. " + a) if f.text is not None else a


def count(f: Facts) -> str:
    n = f.n_people
    if n is None:
        return CANT
    counts = [max(len(x.persons), min(x.faces, 1)) for x in f.people.frames]
    mode = max(set(counts), key=counts.count) if counts else 0
    if n == 0:
        return "No one is visible."
    if mode != n and mode > 0:
        return f"{_cap(NUMBERS[min(mode, 5)])} most of the time, up to {NUMBERS[min(n, 5)].split()[0]}."
    return _cap(NUMBERS[min(n, 5)]) + "."


def more_than_one(f: Facts) -> str:
    n = f.n_people
    if n is None:
        return CANT
    return f"Yes, {NUMBERS[min(n, 5)]}." if n > 1 else "No, only one person." if n == 1 else "No, no one is visible."


def anyone(f: Facts) -> str:
    n = f.n_people
    if n is None:
        return CANT
    return f"Yes, {NUMBERS[min(n, 5)]}." if n else "No, no one is visible."


def watermark(f: Facts) -> str:
    if f.text is None:
        return CANT
    return f'Yes, a "{f.marks[0].text}" watermark.' if f.marks else "No watermark is seen."


def posture_answer(f: Facts, asked: str) -> str:
    """asked: 'standing' | 'upside down' | 'lying down'."""
    if f.people is None or not any(x.persons for x in f.people.frames):
        return "I can't see anyone."
    seen = [x.t for x in f.people.frames if any(p.posture == ("upright" if asked == "standing" else asked)
                                                 for p in x.persons)]
    if asked == "standing":
        return "Upright: standing or sitting, the pose model does not tell which." if seen else CANT
    return f"Yes, at {f.people.spans_text(seen)}." if seen else f"No, no one is seen {asked}."


def when_said(f: Facts, rng):
    if not f.speech or not f.speech.segments:
        return None
    s = f.speech.segments[int(rng.integers(len(f.speech.segments)))]
    words = s.text.split()
    quote = " ".join(words[: min(len(words), int(rng.integers(3, 7)))]).rstrip(",.")
    q = _pick(rng, ['When does {w} say "{q}"?', 'At what time is "{q}" said?', 'When do we hear "{q}"?',
                    'When is "{q}" said?']).format(w=_who(rng), q=quote)
    return q, f"At {fmt_time(s.start)}."


def when_text(f: Facts, rng):
    if not f.content:
        return None
    i = f.content[0]
    q = _pick(rng, ['When does "{t}" appear?', "When is the caption shown?", "When does the text appear on screen?",
                    'At what time can you read "{t}"?', "When is the label visible?", "When can you see the words?",
                    "When is the text on screen?", "At what time does the title show?"]).format(t=i.text)
    return q, "Throughout the video." if i.kind == "overlay" else f"From {fmt_time(i.start)} to {fmt_time(i.end)}."


def when_people(f: Facts, rng):
    if f.people is None or not f.people.frames:
        return None
    frames = f.people.frames
    options = [("When does {w} raise their arms?", [x.t for x in frames if any(p.arms_raised for p in x.persons)]),
               ("When is {w}'s hand near the face?", [x.t for x in frames if x.hand_near_face]),
               ("When is {w} upside down?", [x.t for x in frames if any(p.posture == "upside down" for p in x.persons)])]
    q, times = options[int(rng.integers(len(options)))]
    q = q.format(w=_who(rng))
    return (q, f"At {f.people.spans_text(times)}.") if times else (q, CANT)


def direction(f: Facts) -> str:
    moving = [s for s in f.ctx.segments if s.direction != "none"]
    if not moving:
        return "There is little or no movement to one side." if all(s.motion < 15 for s in f.ctx.segments) \
            else "Things move, but in no single direction."
    d = max({s.direction for s in moving}, key=lambda x: sum(s.end - s.start for s in moving if s.direction == x))
    words = {"left": "to the left", "right": "to the right", "up": "upward, towards the top", "down": "downward"}
    return f"Mostly {words[d]}."


def activity(f: Facts) -> str:
    a = f.activity()
    if a is None:
        return CANT
    return f"It looks like {a}." + (f" The frames mostly show a {f.labels[0]}." if f.labels else "")


def obj(f: Facts, q_kind: str) -> str:
    if q_kind == "animal":
        found = [n for n in f.labels if n.lower() in animal_names()]
        return f"A {found[0]}." if found else "I can't see an animal in the video."
    if not f.labels:
        return CANT
    return f"A {f.labels[0]}." if q_kind == "thing" else \
        f"Mostly a {f.labels[0]}" + (f" and a {f.labels[1]}." if len(f.labels) > 1 else ".")


def place(f: Facts, indoors: bool) -> str:
    """From the place guess (the context's 'Likely place' line), else objects that name a place."""
    if indoors:
        return f"{_cap(f.ctx.indoors)}." if f.ctx.indoors else CANT
    if f.ctx.place:
        return f"It looks like a {f.ctx.place[0][0]}."
    found = [n for n in f.labels if n in PLACES]
    return f"It looks like {PLACES[found[0]]}." if found else "I can't tell where this is."


def yes_no_thing(f: Facts, rng, class_names: list[str]) -> tuple[str, str]:
    if f.labels and rng.random() < 0.5:
        thing = f.labels[int(rng.integers(min(2, len(f.labels))))]
        return f"Is there a {thing} in the video?", f"Yes, a {thing} is seen."
    other = _pick(rng, [n for n in class_names if n not in f.labels][:900])
    return f"Is there a {other} in the video?", f"No, no {other} is seen."


def describe(f: Facts) -> str:
    out = []
    if f.activity():
        out.append(f"It looks like {f.activity()}.")
    n = f.n_people
    if n:
        postures = {p.posture for x in f.people.frames for p in x.persons} - {"unclear"}
        tail = " upside down at times" if "upside down" in postures else ""
        out.append(f"{_cap(NUMBERS[min(n, 5)])} can be seen{tail}.")
    elif n == 0:
        out.append("No people are visible.")
    if f.speech and f.speech.segments:
        out.append(f'Someone says "{f.speech.segments[0].text}"')
        out[-1] += "." if not out[-1].endswith((".", "!", "?")) else ""
    elif f.content:
        out.append(f'The screen shows "{f.content[0].text}".')
    if f.labels and len(out) < 4:
        out.append(f"The frames mostly show a {f.labels[0]}" + (f" and a {f.labels[1]}." if len(f.labels) > 1 else "."))
    if len(out) < 2:
        out.append(direction(f))
    return " ".join(out[:4])
