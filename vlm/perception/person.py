""""Describe the man.", "Tell me about the baby.", "What does she look like?": what the facts say of the people
(extractive, no LLM).

The reader answered these with "I can't tell from the video." while the people line had someone, "I can't see a
baby in the video." where one person was seen, and a quote of the facts' own words as speech. Here the answer is
the people line's count and events, their posture, the likely activity as a guess, and what the facts cannot
say: pose and face detection find where people are and how they hold themselves, not what they look like or
wear.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START
from vlm.perception.howmany import PEOPLE, people_said
from vlm.perception.more import people_fact

WHO = r"(?:(?:the|this|that|these|those)\s+(?:\w+\s+)?" + PEOPLE + r"|him|her|them|he|she|they)"
DESCRIBE_PERSON = re.compile(
    QUESTION_START + r"(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?(?:"
    r"describe\s+" + WHO + r"|tell\s+me\s+(?:more\s+)?about\s+" + WHO + r"|what\s+can\s+you\s+(?:tell\s+me|say)\s+"
    r"about\s+" + WHO + r"|what\s+(?:does|do|did)\s+" + WHO + r"\s+look\s+like)"
    r"(?:\s+(?:in|on)\s+(?:the|this)\s+(?:video|clip|scene|frames?))?(?:\s+please)?\W*$", re.I)
MIN_ACTIVITY = 0.1    # a likelier guess than "sit ups (2%)" on the baby clip, or none is given
NOT_IN_FACTS = "What anyone looks like or wears is not in the facts (pose and face detection)."


def answer_describe_person(question: str, context) -> str | None:
    """'One person is seen: an arm raised at 0:01. Upright. The likely activity is ... (a guess). What anyone
    looks like ...' for "Describe the man."; None for other questions or before the people part has run."""
    people = context.part("people")
    if not DESCRIBE_PERSON.search(question) or people is None:
        return None
    out = [people_fact(context)]
    if people.max_people:
        postures = list(people.posture_times())
        if postures:
            out.append(("Seen " + " and ".join(postures) if postures != ["upright"] else
                        "Upright (standing or sitting: the pose model does not tell which)") + ".")
        if context.activity and context.activity[0][1] >= MIN_ACTIVITY:
            out.append(f"The likely activity is {context.activity[0][0]} (a guess).")
    out.append(NOT_IN_FACTS)
    return " ".join(out)


# "Who is in the video?": the reader answers it with the people count ("One person."), but said "I can't tell from
# the video." where the people line has "nobody in most analysed frames, up to 1 (... 1 at 0:24-0:29 ...)". Used
# only where the reader cannot tell (a fallback: `vlm.perception.routes.FALLBACKS`).
WHO_IN = re.compile(QUESTION_START + r"who(?:'s|\s+is|\s+are|\s+was|\s+were)?\s+(?:(?:in|on|there|shown|seen|visible|present|"
                    r"featured|appearing|appears|can\s+be\s+seen)\b)(?:\s+(?:in|on)?\s*(?:the|this)\s+(?:video|clip|scene|"
                    r"frames?|picture|shot|footage|room))?\W*$", re.I)


def answer_who(question: str, context) -> str | None:
    """'One person, seen at 0:24-0:29.' for "Who is in the video?"; None for other questions or before the people
    part has run."""
    people = context.part("people")
    if not WHO_IN.search(question) or people is None or not people.frames:
        return None
    n = people.max_people
    if n == 0:
        return "No one is seen (pose and face detection)."
    if people.always_in_view():
        return f"{people_said(n)[:1].upper()}{people_said(n)[1:]}."
    seen = people.in_view_times()            # the times someone is in view, where some frames have no one
    if not seen:
        return f"Up to {people_said(n)} at once."
    return f"{'One person' if n == 1 else f'Up to {people_said(n)}'}, seen at {people.spans_text(seen)}."



# "Can you see a face?", "Is her face visible?", "Are there any faces?" (not a hand near the face, an expression,
# or make-up: the pose events and the reader answer those)
FACE_SEEN = re.compile(QUESTION_START + r"(?:(?:can|could|do|did)\s+(?:you|we|i)\s+(?:see|spot|make\s+out)\s+.*\bfaces?\b|"
                       r"(?:is|are|was|were)\s+(?:there\s+)?.*\bfaces?\b.*?(?:\b(?:visible|shown|seen|in\s+view|"
                       r"on\s+screen)\b|\?\s*$))", re.I)
NOT_FACE_SEEN = re.compile(r"\b(?:hands?|touch\w*|near|expression|smil\w*|happy|sad|angry|look\s+like|colou?r\w*|"
                           r"paint\w*|make-?up|wash\w*|mask\w*|covered|hidden|towards?|away|turned)\b", re.I)


def answer_face_seen(question: str, context) -> str | None:
    """'No: only hands are seen (a close-up: no face or body in view).' for "Can you see a face?"; a yes with the
    faces close to the camera; a possibly where a body is seen but no face close by (the face detector is short
    range). None for other questions and before the people part has run."""
    people = context.part("people")
    if people is None or not people.frames or not FACE_SEEN.search(question) or NOT_FACE_SEEN.search(question):
        return None
    faces = max(f.faces for f in people.frames)
    if faces:
        return f"Yes: {faces} face{'s' if faces > 1 else ''} close to the camera (face detection)."
    if any(f.persons for f in people.frames):
        return (f"Possibly: {people_said(people.max_people)} {'is' if people.max_people == 1 else 'are'} seen "
                "(pose detection), but no face close to the camera is detected.")
    if any(f.hands for f in people.frames):
        return "No: only hands are seen (a close-up: no face or body in view)."
    return "No: nobody is seen (pose and face detection)."
