"""Yes/no questions about a number of people ("Are there more than two people?", "Is there only one child?"),
answered by comparing the number with the people line's count (extractive, no LLM).

The reader was trained on "Is there more than one person?" and reads any such question as that one: asked "Are
there more than two people?" where up to two are seen, it said "Yes, two people." Here the number and the
comparison are read from the question and checked against the most people seen at once (`People.max_people`,
the number the people line says "up to"). Questions without a number, or about things other than people, are
left to the reader. "How many bottles ...?" (a thing ImageNet names), or "And how many are there?" after a
question about a thing, gets "I can't tell how many ...": the reader gives the people count to every "how
many". The reader's own answers are checked against the same count (`denies_people_seen`, used by
`vlm.perception.checks`): one that says nobody is there while someone is seen is not given.
"""
from __future__ import annotations

import re

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "a single": 1, "a couple of": 2, "a pair of": 2}
NUMBER = r"(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
PEOPLE = (r"(?:people|persons?|humans?|men|women|man|woman|kids?|children|child|boys?|girls?|players?|dancers?|"
          r"adults?|babies|baby|figures?|individuals?|friends?|athletes?|performers?|divers?|swimmers?|riders?|"
          r"skaters?|runners?|fencers?|singers?|musicians?|workers?|students?|teachers?|soldiers?|guests?|"
          r"spectators?|grooms?|brides?|ladies|lady|gentlemen|guys?|teenagers?|toddlers?|coach(?:es)?|"
          r"referees?|trainers?|owners?|parents?|mothers?|fathers?|moms?|dads?|judges?|instructors?|drivers?|"
          r"cyclists?|bikers?|climbers?|gymnasts?|boxers?|wrestlers?|teammates?|officers?|police(?:men)?|"
          r"doctors?|nurses?|chefs?|cooks?|waiters?|waitress(?:es)?|customers?|passengers?|pedestrians?)")
COMPARISONS = {"more than": ">", "over": ">", "at least": ">=", "fewer than": "<", "less than": "<",
               "under": "<", "at most": "<=", "only": "==", "exactly": "==", "just": "==", "": "=="}
# Asking whether they are there: "Are there ...", "Does the video show ...", "Can you see ..." (not "Do the two men
# move closer?", which names a number without asking for it).
THERE = (r"(?:(?:are|is|were|was)\s+there|(?:do|does|did|can|could)\s+(?:you|we|i|the\s+(?:video|clip|scene|"
         r"frames?|shot|footage))\s+(?:see|show|shows|have|contain|count|spot|find))")
QUESTION = re.compile(r"^\W*(?:and\s+)?" + THERE + r"\b\W*(?P<cmp>more than|over|at least|"
                      r"fewer than|less than|under|at most|only|exactly|just)?\s*" + NUMBER + r"\s+(?:\w+\s+)?" +
                      PEOPLE + r"\b", re.I)
# "Is only one person in the video?", "Are more than two people visible?": the number before the verb's subject, with
# a comparison or a "there"-like end (not "Are two people dancing?", which asks what they do). The reader said "No,
# only one person." where one is seen.
INVERTED = re.compile(r"^\W*(?:and\s+)?(?:is|are|was|were)\s+(?P<cmp>more than|over|at least|fewer than|less than|"
                      r"at most|only|exactly|just)?\s*" + NUMBER + r"\s+(?:\w+\s+)?" + PEOPLE +
                      r"\s+(?:(?:in|on)\s+(?:the\s+|this\s+)?(?:video|clip|scene|frames?|shot|footage|picture|room|it)|"
                      r"visible|present|shown|seen|there|in\s+view)\W*$", re.I)
PEOPLE_COUNTS = ["no one", "one person", "two people", "three people", "four people", "five people"]


def people_said(n: int) -> str:
    return PEOPLE_COUNTS[n] if n < len(PEOPLE_COUNTS) else f"{n} people"


def asked_number(question: str) -> tuple[str, int] | None:
    """('>', 2) for "Are there more than two people?", ('==', 1) for "Is there only one child?" and "Is only one
    person in the video?", else None."""
    m = QUESTION.search(question) or INVERTED.search(question)
    if m is None:
        return None
    n = m.group("n").lower()
    return COMPARISONS[(m.group("cmp") or "").lower()], int(n) if n.isdigit() else NUMBER_WORDS[n]


# "Is he alone?": the reader said "No, only one person." where one person is seen.
ALONE = re.compile(r"^\W*(?:and\s+)?(?:is|was)\s+(?:he|she|the\s+[a-z]+|this\s+[a-z]+|that\s+[a-z]+|someone|"
                   r"the\s+person)\s+(?:all\s+)?(?:alone|on\s+(?:his|her|their)\s+own|by\s+(?:himself|herself))"
                   r"(?:\s+in\s+the\s+(?:video|clip|frame|picture|room|scene)|\s+there|\s+here|\s+on\s+(?:the\s+)?stage)?\W*$", re.I)


def answer_how_many(question: str, context) -> str | None:
    """'No: up to two people are seen at once.' for "Are there more than two people?" (and "Is he alone?" as
    "Is there only one person?"); None for other questions and while the people part is running."""
    asked = ("==", 1) if ALONE.search(question) else asked_number(question)
    people = context.part("people")
    if asked is None or people is None:
        return None
    op, n = asked
    seen = people.max_people
    yes = {">": seen > n, ">=": seen >= n, "<": seen < n, "<=": seen <= n, "==": seen == n}[op]
    where = "no one is seen" if seen == 0 else "one person is seen" if seen == 1 else \
        f"up to {people_said(seen)} are seen at once"
    return f"{'Yes' if yes else 'No'}: {where}."


# "How many bottles ...?": the reader answers every "how many" with the people count ("One person."). The facts
# count people only, so a question about a number of things ImageNet names gets that said instead; so does a
# follow-up "And how many are there?" after a question about a thing.
HOW_MANY = re.compile(r"^\W*(?:and\s+)?how\s+many\b(?:\s+(?P<noun>[a-z][a-z-]*))?", re.I)
NOT_A_NOUN = set("""are is were was do does did can could of there in on at the these those them they you we
appear appears""".split())
# "Is there a boat?", "Do you see any dogs?": a question about a thing, which a bare "How many?" refers back to.
THING_ASKED = re.compile(r"^\W*(?:and\s+)?(?:(?:is|are)\s+there|(?:do|does|can|could)\s+(?:you|we|i|the\s+(?:video|"
                         r"clip))\s+(?:see|show|spot))\s+(?:an?|any|some)\s+(?P<noun>[a-z][a-z-]*)", re.I)
CANT_COUNT = "I can't tell how many{what}: the facts give a number for people only."


def names_a_thing(word: str) -> bool:
    """Whether ImageNet (or the context's coarse groups) names it: 'bottles', 'dogs', 'cars'; not 'fencers'."""
    from vlm.english import singular
    from vlm.perception.vision import GROUPS, THING_GROUPS, _class_names

    from vlm.perception.which import ARTIFACT_KINDS, KIND_WORDS

    w = singular(word)
    if w in ("object", "thing", "item"):
        return True   # "How many objects are there?" (the reader gave the people count)
    if w in GROUPS or w in THING_GROUPS or word.lower() in KIND_WORDS or w in KIND_WORDS or w in ARTIFACT_KINDS:
        return True   # "How many animals ...?" (the reader gave the people count)
    return any(re.search(rf"\b{re.escape(w)}\b", name.lower()) for name in _class_names())


def answer_how_many_things(question: str, history=()) -> str | None:
    """"I can't tell how many bottles ..." for "How many bottles are on the table?", and for "And how many are
    there?" after a question about a thing; None for people ("How many fencers?") and anything else."""
    m = HOW_MANY.search(question)
    if m is None:
        return None
    noun = (m.group("noun") or "").lower()
    if noun and noun not in NOT_A_NOUN:
        if re.fullmatch(PEOPLE, noun, re.I) or not names_a_thing(noun):
            return None
        return CANT_COUNT.format(what=f" {noun} there are")
    asked = [t["content"] for t in history if t.get("role") == "user"]
    if not asked or re.search(r"\b(?:who|people|person|someone|anyone)\b|" + PEOPLE, asked[-1], re.I):
        return None   # a follow-up to a question about people (or none): the people count answers it
    if re.match(r"^\W*(?:and\s+)?(?:what|which)\b", asked[-1], re.I):
        return CANT_COUNT.format(what=" there are")
    if (thing := THING_ASKED.search(asked[-1])) is not None and names_a_thing(thing.group("noun")):
        return CANT_COUNT.format(what=" there are")   # "Is there a boat?" -> "How many?"
    return None


# The reader's ways of saying nobody is there. It says them where the people line has someone: "Is the man wearing
# a hat?" -> "No, no one is visible wearing a hat." ("No one is seen moving" is about motion and is not one.)
DENIES_PEOPLE = re.compile(r"\b(?:no ?one|nobody) is (?:visible|there|in the (?:video|clip|frame|picture))\b|"
                           r"\b(?:no ?one|nobody) is seen(?=[.,!;]|$| (?:wearing|holding|with|in)\b)|"
                           r"\bcan(?:'|no)?t see any ?(?:one|body)\b|"
                           r"\bno (?:" + PEOPLE + r") (?:is|are) (?:seen|visible|there)\b", re.I)   # "No, no baby is seen."


def denies_people_seen(answer: str, context) -> bool:
    """Whether the answer says nobody is there while the people line has someone."""
    people = context.part("people")
    return people is not None and people.max_people > 0 and DENIES_PEOPLE.search(answer) is not None
