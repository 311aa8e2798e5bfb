"""'What sport is this?' answered from the sports gear the objects name (extractive, no LLM).

The likely-activity line is the frames' ImageNet view matched to ~700 action names by MiniLM: a long way round
that loses what the objects say plainly. On the batting-cage clip the objects read "baseball player (34%),
racket (26%)" and the activity "playing tennis"; the reader, asked "What sport is being played?", repeats the
activity. ImageNet names the gear of about twenty sports (balls, rackets, bars, a puck, a ski, a punching bag):
here the sport whose gear the objects name with most confidence (summed over its gear, over the overall and the
segment lines) answers, said as a guess with the gear it rests on. Without gear seen (at `MIN_GEAR` or more) the
question stays with the reader and the activity line.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START, with_article

# ImageNet classes (as the context names them) -> the sport they are the gear of.
SPORT_GEAR = {
    "baseball": "baseball", "baseball player": "baseball", "basketball": "basketball",
    "volleyball ball": "volleyball", "rugby ball": "rugby", "soccer ball": "football (soccer)",
    "football helmet": "American football", "tennis ball": "tennis", "racket": "tennis", "golf ball": "golf",
    "golf cart": "golf", "ping-pong ball": "table tennis", "hockey puck": "ice hockey", "croquet ball": "croquet",
    "ski": "skiing", "bobsleigh": "bobsleigh", "parallel bars": "gymnastics", "balance beam": "gymnastics",
    "gymnastic horizontal bar": "gymnastics", "punching bag": "boxing", "dumbbell": "weightlifting",
    "barbell": "weightlifting", "pool table": "billiards", "hunting bow": "archery", "kayak": "kayaking",
    "snorkel": "snorkelling", "scuba diver": "scuba diving", "mountain bike": "cycling", "unicycle": "unicycling",
}
MIN_GEAR = 0.1   # a sport's summed gear confidence needed to answer: below it the objects barely say anything

WHAT_SPORT = re.compile(QUESTION_START + r"(?:what|which)\s+(?:(?:kind|type|sort)\s+of\s+)?(?:sport|sports|(?:ball\s+)?game)\b"
                        r"(?!\s+(?:console|controller|show|board|of\s+cards))", re.I)


def sport_scores(objects: dict[str, float]) -> dict[str, float]:
    """{sport: summed confidence of its gear among the objects}, likeliest first."""
    out: dict[str, float] = {}
    for name, p in objects.items():
        if name in SPORT_GEAR:
            out[SPORT_GEAR[name]] = out.get(SPORT_GEAR[name], 0.0) + p
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


# "Is this tennis or baseball?", "Are they playing basketball or volleyball?" (the reader said it could not tell)
SPORT_CHOICE = re.compile(QUESTION_START + r"(?:is|are|was|were)\s+(?:this|it|that|they|he|she|the\s+\w+)\s+"
                          r"(?:playing\s+|doing\s+)?(?P<a>[a-z]+(?:\s+[a-z]+)?)\s+or\s+(?P<b>[a-z]+(?:\s+[a-z]+)?)\W*$",
                          re.I)


def _named_sport(words: str) -> str | None:
    """The sport of SPORT_GEAR the words name: its name, or the one in brackets ("soccer")."""
    words = words.lower()
    return next((s for s in sorted(set(SPORT_GEAR.values()))
                 if words in {x.strip() for x in re.split(r"[()]", s.lower()) if x.strip()}), None)


def answer_sport(question: str, context) -> str | None:
    """'It looks like baseball (the objects seen include a baseball player).' for "What sport is this?" where
    the objects name a sport's gear, and for a choice of two sports ("Is this tennis or baseball?") the one of
    them the gear names; None otherwise."""
    choice = SPORT_CHOICE.search(question)
    options = [_named_sport(choice["a"]), _named_sport(choice["b"])] if choice else []
    if WHAT_SPORT.search(question) is None and not (options and all(options)):
        return None
    from vlm.perception.which import context_objects

    objects = context_objects(context)
    scores = sport_scores(objects)
    if not scores or next(iter(scores.values())) < MIN_GEAR:
        return None
    sport = next(iter(scores))
    gear = sorted((n for n in objects if SPORT_GEAR.get(n) == sport), key=lambda n: -objects[n])
    said = " and ".join(with_article(n, capital=False) for n in gear[:2])
    if options and sport not in options:
        return f"I can't tell: the objects seen point to {sport} instead (they include {said})."
    if options:
        return f"{sport[0].upper() + sport[1:]}, it looks like (the objects seen include {said})."
    return f"It looks like {sport} (the objects seen include {said})."


# "What kind of dance is this?": a dance among the likely activities, or that none is one (the reader gave the
# first guess whatever it was: "It looks like boxing punching bag.")
WHAT_DANCE = re.compile(QUESTION_START + r"(?:what|which)\s+(?:(?:kind|type|sort|style)\s+of\s+)?(?:dance|dancing)\b",
                        re.I)
DANCES = re.compile(r"danc|ballet|zumba|krump|tango|salsa|capoeira|cheerlead|waltz|twerk", re.I)


def answer_dance(question: str, context) -> str | None:
    """'It looks like salsa dancing (a guess from the objects and poses, not certain).' for "What dance is
    this?" where a likely activity is a dance, else that none of them is; None for other questions and without
    an activity line."""
    if WHAT_DANCE.search(question) is None or not context.activity:
        return None
    from vlm.english import listed
    from vlm.perception.activity import display_name

    guesses = [display_name(name) for name, _ in context.activity]
    dance = next((g for g in guesses if DANCES.search(g)), None)
    if dance == guesses[0]:
        return f"It looks like {dance} (a guess from the objects and poses, not certain)."
    if dance is not None:
        return f"Possibly {dance}, the likeliest dance among the likely activities ({listed(guesses)}; a guess)."
    return f"I can't tell: none of the likely activities ({listed(guesses)}) is a dance."
