"""Questions typed as a word or two ("Boat?", "Speech?", "Who?", "People count?") and as orders ("Identify the
sport.", "Name the vegetable."), written out as the questions the routes and the reader know.

The reader answered "Boat?" with "A lakeshore.", "Speech?" and "Length?" with "I can't tell from the video.",
"vegetable?" with "A hot dog." (the bell pepper was further down the objects) and "Name the vegetable." with "I
can't see a vegetable in the video.". A follow-up that refers back ("When?", "Why?", "How many?", "Where is it?", "And the dog?") is
left as it is: the conversation gives it its meaning (a bare "How many?" after "Is there a boat?" is about boats).
"""
from __future__ import annotations

import re

from vlm.perception.howmany import PEOPLE, names_a_thing

WORDS = {  # the few words -> the question
    "Who is in the video?": "who|anyone|anybody|people in it",
    "Is anything said?": "speech|talking|talk|dialogue|dialog|voice|voices|narration|narrator|speaking|any speech|"
                         "spoken words",
    "What is said?": "transcript|transcription|quote|quotes|lyrics",
    "Is there any sound?": "sound|sounds|audio|noise|any sound|any audio",
    "Is there any music?": "music|any music|song|soundtrack",
    "How many people are there?": "people|persons|people count|number of people|how many people|headcount|"
                                  "head count",
    "How long is the video?": "length|duration|how long|video length|runtime|run time|clip length",
    "What is written on the screen?": "text|caption|captions|writing|on-screen text|onscreen text|subtitles|"
                                      "written text|words on screen",
    "What is happening in the video?": "activity|action|happening",
    "What sport is this?": "sport|game",
    "Where is this?": "place|location|setting|scene",
    "What language is spoken?": "language",
}
_WORDS = {w: q for q, ws in WORDS.items() for w in ws.split("|")}
_TERSE = re.compile(r"^\W*(?P<words>[a-z][a-z' -]{0,30}?)\s*[?.!]*\s*$", re.I)
# "Identify the sport.", "Name the vegetable in the video." (not "Name the man.": who someone is)
_ORDER = re.compile(r"^\W*(?:please\s+)?(?:identify|name)\s+the\s+(?P<what>[a-z]+(?:\s+[a-z]+)?)(?:\s+(?:in|of)\s+"
                    r"(?:the|this)\s+(?:video|clip|scene))?(?:\s+please)?\W*$", re.I)
_KIND_QUESTIONS = {"sport": "What sport is this?", "game": "What sport is this?", "place": "Where is this?",
                   "location": "Where is this?", "setting": "Where is this?", "activity": "What is happening?",
                   "action": "What is happening?", "language": "What language is spoken?"}


def expanded(question: str) -> str:
    """The question the few words or the order stand for, or the question unchanged."""
    m = _ORDER.match(question)
    if m is not None:
        what = m.group("what").lower()
        if re.fullmatch(PEOPLE, what.split()[-1]) or what.split()[-1] in ("person", "people", "speaker"):
            return question
        return _KIND_QUESTIONS.get(what, f"What {what} is in the video?")
    m = _TERSE.match(question)
    if m is None or len(m.group("words").split()) > 3:
        return question
    words = m.group("words").lower().strip()
    if words in _WORDS:
        return _WORDS[words]
    if " " not in words and not words.startswith("and") and words not in ("when", "why", "how", "what", "where",
                                                                          "which", "really", "yes", "no", "ok"):
        from vlm.perception.which import KIND_WORDS

        if words in KIND_WORDS:                       # "vegetable?" -> "What vegetable is in the video?"
            return f"What {words} {'are' if words.endswith('s') else 'is'} in the video?"
        if names_a_thing(words):                      # "Boat?" -> "Is there a boat?"
            return f"Are there any {words}?" if words.endswith("s") and not words.endswith("ss") else \
                f"Is there a{'n' if words[0] in 'aeiou' else ''} {words}?"
    return question
