""""Are you sure?", "How do you know?": where the previous answer came from, and how far to trust it (extractive).

The reader answered "Are you sure?" after "It looks like a beach." with "I can't tell from the video.", which
takes nothing back and says nothing of why. Here the previous answer is traced to the fact it repeats: a guess
line (the likely activity or place, with its stated confidence), a quote of the speech or of the screen, the
people count, an object of the image classifier, or a "can't tell"; the answer says which, and what that source
gets wrong.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START

SURE = re.compile(
    QUESTION_START + r"(?:(?:are|r)\s+(?:you|u)\s+(?:really\s+)?(?:sure|certain|confident)(?:\s+about\s+(?:that|it|this))?|"
    r"really|(?:is|was)\s+(?:that|it)\s+(?:really\s+)?(?:right|correct|true|so)|how\s+(?:do|can|would)\s+you\s+"
    r"(?:know|tell)(?:\s+(?:that|this))?|how\s+(?:sure|certain|confident)\s+are\s+you|"
    r"(?:why|what\s+makes\s+you)\s+(?:do\s+you\s+)?(?:say|think)\s+(?:that|so))\W*$", re.I)
GUESS = re.compile(r"^\W*(?:it looks like (?:an? |the )?(?P<name>.+?)\s*(?:[.(,;]|$)|(?:yes, probably|possibly)\W+"
                   r"(?:an? )?(?P<named>.+?) is (?:the likeliest|among the likely) (?:activit|place))", re.I)
IN_OR_OUT = re.compile(r"\bmore likely (?:indoors|outdoors) than not\b", re.I)
QUOTE = re.compile(r"[\"\u201c]([^\"\u201d]{2,})[\"\u201d]")
COUNT = re.compile(r"\b(?:no one|nobody|one person|\w+ people)\b", re.I)
CANT = re.compile(r"^\W*I can'?t (?:tell|see)\b", re.I)


def _strength(p: float) -> str:
    """A stated confidence in words (a number the facts give as a percentage reads as a new number)."""
    return "a weak guess" if p < 0.2 else "a guess" if p < 0.5 else "a fairly confident guess"


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def answer_basis(question: str, context, history=()) -> str | None:
    """Where the last answer came from and how far it holds, for "Are you sure?"; None for other questions and
    at the start of a conversation."""
    answers = [t["content"] for t in history if t.get("role") == "assistant"]
    if not SURE.search(question) or not answers:
        return None
    last = answers[-1]
    if (g := GUESS.match(last)) is not None:
        name = (g.group("name") or g.group("named")).lower()
        for kind, guesses in (("activity", context.activity), ("place", context.place)):
            p = next((p for n, p in guesses if n.lower() == name), None)
            if p is not None:
                return (f"Not sure: {name} is {_strength(p)}, the likeliest {kind} worked out from what the image "
                        "classifier sees (it knows objects, not actions or places).")
        return "Not sure: it is a guess from what the image classifier sees (it knows objects, not actions or places)."
    if IN_OR_OUT.search(last):
        return ("Not sure: indoors or outdoors is a guess from what the image classifier sees (it knows objects, not "
                "places).")
    quotes = [_plain(q) for q in QUOTE.findall(last)]
    if quotes:
        speech, text = context.part("speech"), context.part("text")
        if speech is not None and any(q and q in _plain(" ".join(s.text for s in speech.segments)) for q in quotes):
            return "It is what speech recognition heard; a word can be misheard."
        if text is not None and any(q and q in _plain(" ".join(i.text for i in text.items)) for q in quotes):
            return "It is what the text reader (OCR) read on screen; a letter can be misread."
    if CANT.match(last):
        return ("Yes: none of the facts (objects, motion, people, speech, on-screen text) answers it, so I would "
                "only be guessing.")
    if COUNT.search(last) and (people := context.part("people")) is not None:
        return ("Fairly: it comes from pose and face detection in the analysed frames; someone small, hidden or "
                "turned away can be missed.")
    named = [(n, p) for n, p in context.labels if re.search(rf"\b{re.escape(n.lower())}\b", last.lower())]
    if named:
        n, p = named[0]
        return (f"Not sure: {n} is the image classifier's reading, {_strength(p)}; it knows everyday kinds of "
                "object and can mistake one for a look-alike.")
    return ("Not entirely: the answer comes from automatic detectors (objects, motion, people, speech, on-screen "
            "text), shown as the facts the model reads, and they can be wrong.")
