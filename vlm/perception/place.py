"""'Is this a kitchen?' and 'Is this outdoors?' answered from the likely-place line (extractive, no LLM).

The likely place is a guess from the objects (`vlm.perception.activity.ActivityScorer.place`), right for about
half the real clips. Asked whether the video is in a place of its vocabulary, the reader said yes to every place
it was offered ("Is this a river?" and "Is this a lake?" both "Yes, a ... is seen." on one clip, "Is this a
kitchen?" "Yes, a dining room is seen."). Here the answer says where the place stands among the guesses, as a
guess: the likeliest, one of the others, or none of them. A place outside the vocabulary stays with the reader.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START, singular, with_article
from vlm.perception.activity import PLACES

# "Is this a kitchen?", "Is it in a gym?", "Was this filmed at a beach?", "Are we in a classroom?"
IS_PLACE = re.compile(QUESTION_START + r"(?:is|was|are|were)\s+(?P<who>this|it|that|they|we|he|she|the\s+(?:video|"
                      r"clip|scene|place|person|man|woman|people))\s+(?:(?:video|clip|scene|place)\s+)?(?:(?:filmed|"
                      r"shot|recorded|taken)\s+)?(?P<at>(?:in|at|on|inside)\s+)?(?:a|an|the|some)\s+"
                      r"(?P<place>[a-z][a-z ]*?)\s*\?*\s*$", re.I)
# A place asked by its last word: "pool" for "swimming pool", "rink" for "ice rink".
_BY_LAST_WORD = {p.split()[-1]: p for p in PLACES if " " in p and p.split()[-1] not in ("room", "field", "court")}
# Places that are also things seen: "Is that a bus?" asks about a vehicle, "Is it in a bus?" about the place.
_ALSO_THINGS = {"bus", "train", "stage", "bridge", "car interior"}


def asked_place(question: str) -> str | None:
    """The place of the vocabulary a yes/no question asks about, or None."""
    m = IS_PLACE.search(question)
    if m is None:
        return None
    words = m.group("place").lower().split()
    asked = " ".join(words[:-1] + [singular(words[-1])])
    place = asked if asked in PLACES else _BY_LAST_WORD.get(asked)
    if place is None or not m.group("at") and (m.group("who").lower() == "that" or place in _ALSO_THINGS or
                                              re.sub(r"^the\s+", "", m.group("who").lower()) not in
                                              ("this", "it", "video", "clip", "scene", "place")):
        return None   # "Is that a pool?" points at a thing; "Is he a stage?" is no question about the place
    return place


def answer_is_place(question: str, context) -> str | None:
    """'Possibly: a kitchen is the likeliest place (a guess from the objects, not certain).' for "Is this a
    kitchen?"; None for a question about no place of the vocabulary, or without a likely-place line."""
    place = asked_place(question)
    if place is None or not context.place:
        return None
    names = [name for name, _ in context.place]
    guess = "a guess from the objects, not certain"
    if names[0] == place:
        return f"Possibly: {with_article(place, capital=False)} is the likeliest place ({guess})."
    if place in names:
        before = " and ".join(with_article(n, capital=False) for n in names[:names.index(place)])
        return f"Possibly: {with_article(place, capital=False)} is among the likely places, after {before} ({guess})."
    listed = ", ".join(with_article(n, capital=False) for n in names)
    return (f"I can't tell; {with_article(place, capital=False)} is not among the likely places ({listed}; "
            f"{guess}).")


# "Is this outdoors?", "Was it filmed inside?": yes or no from the indoors guess (the reader said "Outdoors.", a
# right answer that does not say yes). "Indoors or outdoors?" stays with the reader, which answers it.
IN_OR_OUT = re.compile(QUESTION_START + r"(?:is|was|are|were)\s+(?:this|it|that|they|we|he|she|the\s+[a-z]+)\s+"
                       r"(?:(?:video|clip|scene)\s+)?(?:(?:filmed|shot|recorded|taken|happening|set)\s+)?"
                       r"(?P<where>indoors?|outdoors?|inside|outside|in\s+an?\s+(?:indoor|outdoor)\s+"
                       r"(?:place|setting|location|space|area))\W*$", re.I)


def answer_in_or_out(question: str, context) -> str | None:
    """'Yes, more likely outdoors than not (a guess from the objects, not certain).' for "Is this outdoors?" where
    the guess is outdoors; None for other questions or without the guess."""
    m = IN_OR_OUT.search(question)
    guess = getattr(context, "indoors", "")
    if m is None or guess not in ("indoors", "outdoors"):
        return None
    asked = "indoors" if re.search(r"indoor|inside", m.group("where"), re.I) else "outdoors"
    return f"{'Yes' if asked == guess else 'No'}, more likely {guess} than not (a guess from the objects, not certain)."


# "What is the weather like?", "Is it raining?": no part of the context sees the weather (ImageNet names things,
# the place line guesses a place). The reader answered "It looks like a sunny day." for a gym.
WEATHER = re.compile(QUESTION_START + r"(?:(?:what|how)(?:'s|\s+is|\s+was)\s+the\s+weather\b|"
                     r"what\s+(?:kind\s+of\s+|sort\s+of\s+)?weather\b|"
                     r"(?:is|was)\s+it\s+(?:a\s+)?(?:sunny|rainy|raining|cloudy|snowy|snowing|windy|foggy|overcast|"
                     r"stormy)\b|"
                     r"(?:is|was)\s+(?:it|the\s+(?:sky|day))\s+(?:\w+\s+)?(?:sunny|rainy|cloudy|clear|overcast|grey|gray)\b|"
                     r"(?:is|was)\s+there\s+(?:any\s+)?(?:rain|sunshine|fog|wind)\b|"
                     r"does\s+it\s+(?:rain|snow)\b)", re.I)


# The light and the time of day: "How is the lighting?" (the reader said "It looks like light."), "Is it dark?"
LIGHT = re.compile(QUESTION_START + r"(?:(?:what|how)(?:'s|\s+is|\s+was|\s+are)\s+the\s+(?:lighting|light|lights)\b|"
                   r"(?:is|was)\s+(?:it|the\s+(?:video|room|scene|picture|image|place|footage))\s+(?:too\s+|very\s+)?"
                   r"(?:dark|bright|dim|dimly\s+lit|well[\s-]+lit|lit)\b|"
                   r"(?:is|was)\s+it\s+(?:day|daytime|night|nighttime|night-time|evening|morning|dusk|dawn)\b|"
                   r"what\s+time\s+of\s+(?:the\s+)?day\b)", re.I)


def answer_weather(question: str, context) -> str | None:
    """'I can't tell the weather from the video; it looks indoors (a guess from the objects).' for a weather
    question, the like for the light and the time of day; None for any other."""
    if LIGHT.search(question):
        return "I can't tell: none of the facts is about the light or the time of day."
    if not WEATHER.search(question):
        return None
    where = {"indoors": "; it looks indoors (a guess from the objects, not certain)",
             "outdoors": ""}.get(getattr(context, "indoors", ""), "")
    return f"I can't tell the weather from the video: none of the facts is about it{where}."
