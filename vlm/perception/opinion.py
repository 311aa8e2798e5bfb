"""Judgements and feelings no fact holds ("Is it dangerous?", "Is the baby happy?", "Do you like it?"), said to be
beyond the facts (extractive, no LLM).

The reader answered "Is it dangerous?" over a BASE-jumping clip with "I can't see anyone." (the people line
counted nobody), an answer to another question. The facts say what is seen, heard and read; whether something is
dangerous, funny or staged, and how anyone feels, is not among them.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START

JUDGEMENTS = (r"dangerous|risky|safe|funny|scary|frightening|boring|interesting|exciting|beautiful|pretty|ugly|cute|"
              r"good|bad|legal|illegal|staged|fake|professional|amateur|expensive|cheap|impressive|difficult|easy|"
              r"hard|appropriate|sad|happy|angry|scared|afraid|excited|nervous|tired|bored|upset|calm|relaxed|"
              r"having\s+fun|enjoying\s+(?:it|this|themselves|himself|herself)")
FEELINGS = re.compile(r"\b(?:sad|happy|angry|scared|afraid|excited|nervous|tired|bored|upset|calm|relaxed|having\s+fun|"
                      r"enjoying)\b", re.I)
PERSON = re.compile(r"^(?:he|she|they|(?:the|this|that)\s+(?:man|woman|boy|girl|baby|child|kid|kids|person|people|"
                    r"players?|dancers?|singer|guy|lady|men|women|children|audience|crowd))$", re.I)
OPINION = re.compile(QUESTION_START + r"(?:(?P<verb>is|was|are|were|does|do|did)\s+(?P<subject>it|this|that|he|she|they|"
                     r"(?:the|this|that|his|her|their)\s+[a-z]+)\s+(?:look\s+|looks\s+|seem\s+|seems\s+|feel\s+)?"
                     r"(?:really\s+|very\s+|too\s+|so\s+)?(?P<what>" + JUDGEMENTS + r")\s*(?:\?|$)|"
                     r"(?:do|did)\s+you\s+(?:like|love|enjoy)\b|what\s+do\s+you\s+think\s+(?:of|about)\b|"
                     r"how\s+(?:does|do|did)\s+(?P<who>he|she|they|the\s+[a-z]+)\s+feel\b)", re.I)


def answer_opinion(question: str, context) -> str | None:
    """"I can't tell: the facts say what is seen and heard, not whether it is dangerous." for a judgement or a
    feeling asked about; None for other questions."""
    m = OPINION.search(question)
    if m is None:
        return None
    subject = (m["subject"] or "").lower()
    if m["who"] or FEELINGS.match(m["what"] or "") and PERSON.match(subject):
        return "I can't tell: the facts say where people are and how they hold themselves, not how they feel."
    if not m["what"]:
        return "I can't tell: the facts say what is seen and heard, not what anyone makes of it."
    be = "are" if subject in ("they", "these", "those") or m["verb"].lower() in ("are", "were", "do") else "is"
    return f"I can't tell: the facts say what is seen and heard, not whether {subject} {be} {m['what'].lower()}."
