"""Follow-ups that leave out what the last question said ("And the boat?", "What about animals?", "When?", "What
kind?"), written out from that question before the routes and the reader read them.

Asked "Does the camera move?" and then "And the boat?", the reader answered "A lakeshore."; "Does anyone
appear?" then "When?" got "I can't tell from the video." (the people line has the time); "Is there a ball?" then
"What kind?" got "Parallel bars." (a volleyball was among the objects). Here the follow-up becomes "Does the
boat move?", "When does anyone appear?" and "What kind of ball is it?". A follow-up that names its own verb or
question ("And what is it made of?", "And then?") is left as it is.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from vlm.english import fix_articles

DETS = ("the", "a", "an", "any", "some", "this", "that", "these", "those", "his", "her", "their", "its")
DET = "(?:" + "|".join(DETS) + ")"
AUX = r"(?:is|are|was|were|does|do|did|can|could|will|has|have)"
# "And the boat?", "What about animals?", "How about a cat?", "And cars?"
ABOUT = re.compile(rf"^\W*(?:(?:and|but|so)\s+)?(?:(?:what|how)\s+about\s+|and\s+)(?P<what>(?:{DET}\s+)?"
                   r"[a-z]+(?:\s+[a-z]+)?)\s*[?.!]*\s*$", re.I)
BARE_WHEN = re.compile(r"^\W*(?:(?:and|so|ok(?:ay)?)\W+)?(?:when|at what (?:time|point|moment)|what time|at which "
                       r"(?:time|point|moment))\s*(?:exactly|then)?\s*[?.!]*\s*$", re.I)
BARE_KIND = re.compile(r"^\W*(?:and\s+)?(?:what|which)\s+(?P<kind>kind|type|sort|colou?r|brand)(?:\s+(?:is|are)\s+"
                       r"(?:it|they|that|those))?\s*[?.!]*\s*$", re.I)
# A thing of one or two words, up to a preposition or the end: "red car" in "Is there a red car in the yard?".
NOUN_PHRASE = (r"(?P<thing>[a-z]+(?:\s+[a-z]+)?)"
               r"(?P<tail>(?:\s+(?:in|on|at|near|with|of|under|behind|next|by|from|to)\b.*)?\W*)$")
# The thing a question is about, for each form it takes: "Is there a dog?", "How many dogs are there?", "Does the
# camera move?", "Where is the ball?", "What colour is the car?".
THING_FORMS = (
    re.compile(rf"^\W*(?P<head>(?:is|are)\s+there\s+)(?P<det>(?:{DET}\s+)?)" + NOUN_PHRASE, re.I),
    re.compile(r"^\W*(?P<head>how\s+many\s+)(?P<det>)(?P<thing>[a-z]+)(?P<tail>\W*|\s.*)$", re.I),
    re.compile(rf"^\W*(?P<head>(?:what|which)\s+(?:colou?r|kind|type|size)\s+(?:of\s+)?(?:is|are)\s+)"
               rf"(?P<det>(?:{DET}\s+)?)" + NOUN_PHRASE, re.I),
    re.compile(rf"^\W*(?P<head>where\s+(?:is|are)\s+)(?P<det>(?:{DET}\s+)?)" + NOUN_PHRASE, re.I),
    re.compile(rf"^\W*(?P<head>{AUX}\s+)(?P<det>{DET}\s+)(?P<thing>[a-z]+)(?P<tail>\s+[a-z].*)$", re.I),
    # a pronoun subject: "Is he smiling?", "What is she holding?" ("And the woman?": "Is the woman smiling?")
    re.compile(rf"^\W*(?P<head>(?:(?:what|where|why|how)\s+)?{AUX}\s+)(?P<det>)"
               r"(?P<thing>he|she|they|anyone|someone|anybody|somebody)"
               r"(?P<tail>\s+[a-z].*)$", re.I),
)
NOT_A_THING = set("""then now next why how what where who after before else more that this it them one ones there
here again yes no ok okay really sure so""".split())
PLURAL_AUX = {"is": "are", "was": "were", "does": "do", "has": "have"}


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) or word in ("people", "men", "women",
                                                                                   "children", "they")


def _last_question(history: Sequence[dict]) -> str | None:
    asked = [t["content"] for t in history if t.get("role") == "user"]
    return asked[-1] if asked else None


def thing_of(question: str) -> tuple[re.Match, str] | None:
    """(the match, the thing) of the first form that fits: 'dog' for "Is there a dog?"."""
    for form in THING_FORMS:
        m = form.match(question.strip())
        if m is not None and m.group("thing").lower().split()[0] not in NOT_A_THING | {"you"}:
            return m, m.group("thing").split()[-1]
    return None


def resolved(question: str, history: Sequence[dict] = ()) -> str:
    """The follow-up written out from the last question, or the question unchanged."""
    before = _last_question(history)
    if not before:
        return question
    if BARE_WHEN.match(question):   # "When?" after "Does anyone appear?" -> "When does anyone appear?"
        m = re.match(rf"^\W*(?P<aux>{AUX})\s+(?P<rest>(?!there\b)[a-z].*?)\s*[?.!]*\s*$", before, re.I)
        return f"When {m['aux'].lower()} {m['rest']}?" if m else question
    kind = BARE_KIND.match(question)
    if kind is not None:            # "What kind?" after "Is there a ball?" -> "What kind of ball is it?"
        found = thing_of(before)
        if found is None:
            return question
        thing, word = found[1].lower(), kind["kind"].lower()
        verb = "are they" if _plural(thing) else "is it"
        return f"What {word} of {thing} {verb}?" if word in ("kind", "type", "sort", "brand") else \
            f"What {word} {'are' if _plural(thing) else 'is'} the {thing}?"
    about = ABOUT.match(question)
    if about is None:
        return question
    new = about["what"]
    words = new.lower().split()
    if words[-1] in NOT_A_THING or len(words) > 1 and words[0] not in DETS:
        return question             # "And then?", "What about it?", "And after that?"
    found = thing_of(before)
    if found is None:
        return question
    m, plural = found[0], _plural(words[-1])
    head = m["head"]
    if plural != _plural(m["thing"].lower()):      # "Does the camera move?", "And the boats?": "Do the boats ..."
        head = re.sub(rf"\b{AUX}\b", lambda a: _agree(a[0], plural), head, count=1, flags=re.I)
    phrase = _indefinite(words, m["det"].strip().lower()) if re.match(r"\W*(?:is|are)\s+there\b", head, re.I) \
        else words
    out = fix_articles(f"{head}{' '.join(phrase)}{m['tail']}".strip())
    out = out[0].upper() + out[1:]
    return out if out.endswith("?") else out + "?"


def _indefinite(words: list[str], det: str) -> list[str]:
    """The follow-up's thing as "there is/are" takes it, after the question's determiner: "the man" -> "a man",
    "cats" -> "any cats" (after "Is there a dog?"), "speech" -> "any speech" (after "Is there any music?")."""
    if words[0] in ("the", "this", "that", "these", "those", "his", "her", "their", "its"):
        words = words[1:]
    if words[0] in ("a", "an", "any", "some"):
        return words
    if _plural(words[-1]):
        return ["any"] + words if det else words
    return ([det] if det in ("any", "some") else ["a"]) + words


def _agree(aux: str, plural: bool) -> str:
    """The auxiliary for a plural (or singular) subject: is/are, does/do, was/were, has/have."""
    low = aux.lower()
    singular = {v: k for k, v in PLURAL_AUX.items()}
    out = PLURAL_AUX.get(low, low) if plural else singular.get(low, low)
    return out.capitalize() if aux[:1].isupper() else out
