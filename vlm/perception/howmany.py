"""Yes/no questions about a number of people ("Are there more than two people?", "Is there only one child?"),
answered by comparing the number with the people line's count (extractive, no LLM).

The reader was trained on "Is there more than one person?" and reads any such question as that one: asked "Are
there more than two people?" where up to two are seen, it said "Yes, two people." Here the number and the
comparison are read from the question and checked against the most people seen at once (`People.max_people`,
the number the people line says "up to"). Questions without a number, or about things other than people, are
left to the reader.
"""
from __future__ import annotations

import re

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "a single": 1, "a couple of": 2, "a pair of": 2}
NUMBER = r"(?P<n>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
PEOPLE = (r"(?:people|persons?|humans?|men|women|man|woman|kids?|children|child|boys?|girls?|players?|dancers?|"
          r"adults?|babies|baby|figures?|individuals?|friends?|athletes?|performers?)")
COMPARISONS = {"more than": ">", "over": ">", "at least": ">=", "fewer than": "<", "less than": "<",
               "under": "<", "at most": "<=", "only": "==", "exactly": "==", "just": "==", "": "=="}
# Asking whether they are there: "Are there ...", "Does the video show ...", "Can you see ..." (not "Do the two men
# move closer?", which names a number without asking for it).
THERE = (r"(?:(?:are|is|were|was)\s+there|(?:do|does|did|can|could)\s+(?:you|we|i|the\s+(?:video|clip|scene|"
         r"frames?|shot|footage))\s+(?:see|show|shows|have|contain|count|spot|find))")
QUESTION = re.compile(r"^\W*(?:and\s+)?" + THERE + r"\b\W*(?P<cmp>more than|over|at least|"
                      r"fewer than|less than|under|at most|only|exactly|just)?\s*" + NUMBER + r"\s+(?:\w+\s+)?" +
                      PEOPLE + r"\b", re.I)
ONES = ["no one", "one person", "two people", "three people", "four people", "five people"]


def _said(n: int) -> str:
    return ONES[n] if n < len(ONES) else f"{n} people"


def asked_number(question: str) -> tuple[str, int] | None:
    """('>', 2) for "Are there more than two people?", ('==', 1) for "Is there only one child?", else None."""
    m = QUESTION.search(question)
    if m is None:
        return None
    n = m.group("n").lower()
    return COMPARISONS[(m.group("cmp") or "").lower()], int(n) if n.isdigit() else NUMBER_WORDS[n]


def answer_how_many(question: str, context) -> str | None:
    """'No: up to two people are seen at once.' for "Are there more than two people?"; None for other questions
    and while the people part is running."""
    asked = asked_number(question)
    people = context.part("people")
    if asked is None or people is None:
        return None
    op, n = asked
    seen = people.max_people
    yes = {">": seen > n, ">=": seen >= n, "<": seen < n, "<=": seen <= n, "==": seen == n}[op]
    where = "no one is seen" if seen == 0 else "one person is seen" if seen == 1 else \
        f"up to {_said(seen)} are seen at once"
    return f"{'Yes' if yes else 'No'}: {where}."
