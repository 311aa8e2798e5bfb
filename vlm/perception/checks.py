"""Checks on the reader's first sentence before the user sees it: an answer the facts contradict, or one about
something the question did not ask, becomes "I can't tell from the video." (and the rest is not generated).
Where a fallback answers the question (`vlm.perception.routes.FALLBACKS`: "What is the person slicing?" -> the
likeliest object), a first sentence that fails, or that says it cannot tell, gives way to it instead.

- `vlm.perception.howmany.denies_people_seen`: "No, no one is visible wearing a hat." while the people line has
  someone (2 test-half and 1 development-half answers, all wrong before and after).
- `vlm.perception.speech.answers_unasked_speech`: "Yes, something is said: an audio track." to "Is this a sport?"
  (no question of the benchmark gets such an answer; found by asking real clips other questions).
- `answers_unasked_place`: "Indoors." to "Is it day or night?", "It looks like a road." to "What passes by in the
  video?" (1 test-half and 1 paraphrased answer, both wrong before and after; every place answer to a question
  about a place is kept).
- `answers_another_direction`: "Mostly to the right." to "Does the person go up or down?" or "Does the child ride
  towards the camera or away from it?" (the motion line has left/right/up/down of the whole picture, nothing
  about towards or apart): a choice between directions is answered with one of them, or not at all (2 test-half
  and 2 development-half answers, all wrong before and after).
- `answers_identity_with_a_count`: "Yes, three people." to "Are they a man and a woman?" (who they are is not in
  the people count).
- `answers_neither_choice`: "I can't see anything other than a hot dog." to "Is it whole or cut?" (a choice
  between two words answered with neither).
- `answers_colour_with_presence`: "Yes, a bell pepper is seen." to "Is the pepper red?" (the facts name no
  colours).
- `denies_an_event_on_no_fact`: "No, no bottle falls over." to "Does a bottle fall over?" (a "no" that names
  nothing seen, heard, read or detected).
- `says_no_to_a_wh_question`: "No, no scene cuts are seen." to "What's being cut here?".
- `answers_who_with_a_thing`: "A gymnastic horizontal bar." to "Who has the ball?" (a "who" question answered
  with no person in the sentence).
- `denies_what_is_worn`: "No, no helmet is seen." to "Is the child wearing a helmet?" (the classifier looks at
  whole frames, not at what people wear: nothing in the facts says no; 1 test-half and 2 paraphrased answers,
  wrong before and after).
- `denies_an_unnamed_thing`: "No, no plain background is seen." to "Is the background plain?" (a thing the
  image classifier has no class for cannot be missing from its objects).
- `bare_confidence`: "Yes, at 11%." to "Is it a concert?" (a yes or no with only a confidence after it).
- `denies_action_seen`: "No, no one is seen dancing." to "Do they dance together?" while two people are seen
  (the people line says where they are and how they stand, not what they do).
- `denies_object_seen`: "No, no water bottle is seen." to "Are the bottles empty?" while the objects name a
  water bottle.
- `denies_unasked_thing`: "No, no electric charge is seen." to "Is it electric?" (a thing denied that the
  question did not name).
- `answers_unasked_motion`: "Mostly to the left." to "Is this slow motion?" (the motion line's direction to a
  question about no movement).
- `answers_another_kind`: "A harmonica." to "What kitchen tool appears in the video?" (an object of the context
  that is not of the kind asked; the `which` route answers when one of that kind is seen).
- `answers_acted_on_with_another`: "A lakeshore." to "What is on the water?", "A dog." to "What is she riding?"
  with a horse among the objects (a landscape or a person for the thing acted on, or another kind than the verb
  takes; the `acted_on` fallback answers).
- `answers_a_thing_with_text`: 'A "shutterstock" watermark.' to "What tool is used?" (the on-screen text for a
  thing, to a question about no words).
- `answers_a_thing_with_an_activity`: "It looks like opening door." to "What does the man open?".
- `answers_with_the_subject`: "A Siberian Husky." to "And what is it riding on?" after "A dog.", and to "What
  breed is the dog's owner?" (the subject itself, or an animal for a person).
- `affirms_another_thing`: "Yes, one baby pacifier is seen." to "Are the bottles full?" (a yes naming an object
  the question did not ask about).
- `quotes_unseen_words`: 'The text says "No One Knows"' where no text is seen (a quote found neither in the
  facts nor in the question).
- `answers_unasked_posture`: "No, no one is seen upside down." to "Is the person left-handed?".
- `garbled_direction`: "Mostly to a dog." (the direction answer's form with no direction in it).
- `garbled_posture`: "Upright: a dog." to "What is she sitting on?" (the posture answer's form with a thing in it).
- `garbled_time`: "Yes, at 6." to "Does he hit the ball?" (a time with neither minutes nor a unit).
- `states_unseen_posture`: "One person can be seen upside down at times." where the people line has no one
  upside down; checked in every sentence of the answer, not only the first.
- `quotes_unsaid`: 'Someone says "an audio track", but no clear speech is heard.' (words given as said that the
  transcript does not have); checked in every sentence too.

After an activity answer, the reader's evidence sentence is left out where the object it names points to another
activity (`evidence_contradicts`: "It looks like riding a bike. The frames mostly show a unicycle.").
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from vlm.english import QUESTION_START, YES_NO_QUESTION
from vlm.perception.activity import PLACES
from vlm.perception.howmany import PEOPLE, denies_people_seen
from vlm.perception.speech import answers_unasked_speech

CANT_TELL = "I can't tell from the video."
# The reader's place answers (the context's "Likely place" line and its indoors guess) ...
PLACE_ANSWER = re.compile(r"^\W*(?:(?:yes|no)\W+)?(?:indoors|outdoors|it looks like (?:an? )?(?:indoors?|outdoors?)|"
                          r"it looks like (?:a |an |the )?(?:"
                          + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r"))\s*[.,;]",
                          re.I)
# ... and the words of a question that asks about the place.
PLACE_QUESTION = re.compile(r"\b(?:where|place|places|location|located|setting|indoors?|outdoors?|inside|outside|"
                            r"rooms?|filmed|recorded|shot|taken|environment|surroundings|background|scene|venue|"
                            r"building|area|spot|site)\b", re.I)


# "Where are they going?" asks where to, not where they are; "Is the room empty?" is no question of indoors.
GOING_TO = re.compile(r"^\W*(?:and\s+)?where\b.*\b(?:going|heading|headed|go|goes|went|off\s+to|walk(?:s|ing)?\s+to)\b",
                      re.I)
IN_OR_OUT_WORDS = re.compile(r"\b(?:indoors?|outdoors?|inside|outside|open air)\b", re.I)
BARE_IN_OR_OUT = re.compile(r"^\W*(?:indoors|outdoors)\W*$", re.I)


def answers_unasked_place(answer: str, question: str) -> bool:
    """Whether the answer names the place or indoors/outdoors when the question asks nothing about the place (or
    asks where someone goes), or a bare "Indoors." to a yes/no question about something else ("Is the room
    empty?")."""
    if PLACE_ANSWER.search(answer) is None:
        return False
    return PLACE_QUESTION.search(question) is None or GOING_TO.search(question) is not None or \
        (BARE_IN_OR_OUT.search(answer) is not None and YES_NO_QUESTION.search(question) is not None and
         IN_OR_OUT_WORDS.search(question) is None)


# Directions, folded to one word each ("upward" -> "up", "towards" -> "toward", "farther" -> "further").
DIRECTIONS = {"up": "up", "upward": "up", "upwards": "up", "down": "down", "downward": "down", "downwards": "down",
              "left": "left", "leftward": "left", "right": "right", "rightward": "right", "toward": "toward",
              "towards": "toward", "away": "away", "closer": "closer", "nearer": "closer", "apart": "apart",
              "together": "together", "further": "further", "farther": "further", "into": "into", "out": "out",
              "forward": "forward", "forwards": "forward", "backward": "backward", "backwards": "backward",
              "top": "up", "bottom": "down", "approach": "toward", "approaches": "toward"}


def _directions(text: str) -> set[str]:
    return {DIRECTIONS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in DIRECTIONS}


def answers_another_direction(answer: str, question: str) -> bool:
    """Whether a question choosing between directions ("... up or down?") gets an answer naming none of them."""
    asked = _directions(question)
    if len(asked) < 2 or not re.search(r"\bor\b", question, re.I) or answer.startswith("I can't tell"):
        return False
    return not (asked & _directions(answer))


# The reader's direction answer ("Mostly to the left.") with something else where the direction goes: "Mostly to
# a dog." to "Does anything change during the video?" ("Mostly a dog." names objects, and is not this form).
MOSTLY_TO = re.compile(r"^\W*mostly\s+to\s+(.*)$", re.I | re.S)


def garbled_direction(answer: str) -> bool:
    """Whether an answer in the direction answer's form ("Mostly to ...") names no direction."""
    m = MOSTLY_TO.match(answer)
    return m is not None and not _directions(m.group(1))


# The reader's posture answer ("Upright: standing or sitting, the pose model does not tell which.") with a thing
# where the posture goes: "Upright: a dog." to "What is she sitting on?".
# "Yes, at 6." to "Does he hit the ball?": a time with neither minutes nor a unit (the facts write "0:06").
BARE_TIME = re.compile(r"\bat\s+\d{1,3}\s*(?:[.!?]|$)", re.I)


def garbled_time(answer: str) -> bool:
    unquoted = re.sub(r"[\"\u201c][^\"\u201d]*[\"\u201d]", "", answer)      # 'Someone says "Meet at 6."' is a quote
    return BARE_TIME.search(unquoted) is not None


POSTURE_FORM = re.compile(r"^\W*upright\s*:\s*(.*)$", re.I | re.S)


def garbled_posture(answer: str) -> bool:
    """Whether an answer in the posture answer's form ("Upright: ...") says nothing of standing, sitting or
    lying."""
    m = POSTURE_FORM.match(answer)
    return m is not None and re.search(r"\b(?:stand\w*|sit\w*|ly\w*|lie\w*|pose|upside|head|feet)\b", m.group(1),
                                       re.I) is None


WHO_QUESTION = re.compile(QUESTION_START + r"who\b", re.I)
PERSON_WORDS = re.compile(r"\b(?:person|people|persons|man|men|woman|women|boy|boys|girl|girls|child|children|kids?|"
                          r"bab(?:y|ies)|someone|somebody|anyone|anybody|no ?one|nobody|everyone|he|she|they|him|her|"
                          r"them|player|players|rider|dancer|dancers|performer|singer|narrator|speaker|audience|crowd|"
                          r"couple|family|friends?|adults?|teen(?:ager)?s?|lady|ladies|guy|guys|one|two|three|four|"
                          r"\d+|faces?|i can't|cannot|can't)\b", re.I)


# "Are they a man and a woman?" -> "Yes, three people.": a question of who they are (gender, age, a role) about
# people already in view, answered with the people count, which says nothing of it.
IDENTITY_QUESTION = re.compile(r"^\W*(?:and\s+)?(?:is|are|was|were)\s+(?:he|she|they|it|this|that|these|those|both|"
                               r"the\s+(?:person|people|two|three|couple|pair|kid|kids|child|children|baby|"
                               r"player|players|dancers?))\s+(?!(?:one|two|three|four|five|\d+|only|just|more|fewer|less|at)\b)"
                               r"(?:both\s+|all\s+)?(?:an?\s+)?(?!(?:one|two|three|four|five|\d+)\b)(?:\w+\s+)?" + PEOPLE +
                               r"\b", re.I)
COUNT_ANSWER = re.compile(r"^\W*(?:(?:yes|no)\W+)?(?:one person|no one|nobody|(?:two|three|four|five|\d+) people)\b",
                          re.I)


def answers_identity_with_a_count(answer: str, question: str) -> bool:
    return IDENTITY_QUESTION.search(question) is not None and COUNT_ANSWER.search(answer) is not None


# "Is it whole or cut?" -> "I can't see anything other than a hot dog.": a choice answered with neither option.
CHOICE = re.compile(QUESTION_START + r"(?:is|are|was|were|does|do|did|has|have|can|will)\b.*?\b(?P<a>[a-z]+)\s+or\s+"
                    r"(?:(?:an?|the)\s+)?(?P<b>[a-z]+)(?:\s+(?:it|one|him|her|them|either))?\W*$", re.I)
# "Does the video show any text or watermark?", "Is there a cat or a dog?": whether either is there, no choice.
EITHER_THERE = re.compile(r"\bany\b|^\W*(?:and\s+)?(?:is|are|was|were)\s+there\b|^\W*(?:and\s+)?(?:does|do|did)\s+"
                          r"(?:the|this)\s+(?:video|clip)\s+(?:show|have|contain)\b", re.I)
CANT_SAY = re.compile(r"^\W*I (?:can(?:'|no)?t|cannot) tell\b", re.I)
NOT_OPTIONS = frozenset(DIRECTIONS) | {"indoors", "outdoors", "indoor", "outdoor", "inside", "outside", "not", "no"}


def _names_option(answer: str, option: str) -> bool:
    stem = option.lower()[:max(4, len(option) - 3)]            # "standing" -> "stand", "whole" -> "whol"
    return re.search(rf"\b{re.escape(stem)}", answer, re.I) is not None


def answers_neither_choice(answer: str, question: str) -> bool:
    """Whether a choice between two words ("whole or cut", "a boy or a girl") gets an answer naming neither and
    not saying it cannot tell (directions and indoors/outdoors have checks of their own)."""
    m = CHOICE.search(question)
    if m is None or {m.group("a").lower(), m.group("b").lower()} & NOT_OPTIONS or CANT_SAY.search(answer) or \
            EITHER_THERE.search(question):
        return False
    return not (_names_option(answer, m.group("a")) or _names_option(answer, m.group("b")))


# "Is the pepper red?" -> "Yes, a bell pepper is seen.": a colour asked, the thing's presence answered (the facts
# name no colours).
COLOUR = re.compile(r"\b(?:red|green|blue|yellow|orange|black|white|brown|pink|purple|gr[ae]y|golden|silver|"
                    r"colou?r(?:s|ed|ful)?)\b", re.I)
PRESENCE_ANSWER = re.compile(r"^\W*(?:yes|no)\b.*\b(?:is|are) (?:seen|visible|shown)\b|\bamong the objects\b", re.I)


def answers_colour_with_presence(answer: str, question: str) -> bool:
    return YES_NO_QUESTION.search(question) is not None and COLOUR.search(question) is not None and \
        PRESENCE_ANSWER.search(answer) is not None and COLOUR.search(answer) is None


# "Does a bottle fall over?" -> "No, no bottle falls over.": an event denied on no fact (what is seen, heard, said
# or written, or the people line's events, would be named).
GROUNDED_NO = re.compile(r"\b(?:seen|visible|shown|among the objects|heard|said|speech|speaks?|audio|sound|text|"
                         r"written|screen|pose|detect\w*|people line|frames?|motion|mov\w+|camera)\b", re.I)
DOES_QUESTION = re.compile(QUESTION_START + r"(?:does|do|did)\b", re.I)


def denies_an_event_on_no_fact(answer: str, question: str) -> bool:
    return DOES_QUESTION.search(question) is not None and SAYS_NO.search(answer) is not None and \
        GROUNDED_NO.search(answer) is None


def answers_who_with_a_thing(answer: str, question: str) -> bool:
    """Whether a "who" question gets a first sentence that names no person at all ("A horizontal bar.")."""
    return WHO_QUESTION.search(question) is not None and PERSON_WORDS.search(answer) is None


WORN_QUESTION = re.compile(r"\b(?:wear|wears|wearing|wore|worn|dressed|(?:has|have|having|had)(?: (?:a|an|any|the|his|"
                           r"her|their) \w+)? on|put on)\b", re.I)   # "have on a hat", "have a hat on"
SAYS_NO = re.compile(r"^\W*no\b(?!\s*(?:one|body)\b)", re.I)


def denies_what_is_worn(answer: str, question: str) -> bool:
    """Whether a yes/no question about what someone wears gets a "No": the objects are named from whole frames,
    so a helmet or a hat missing from them says nothing (a "No one is seen" is the people check's)."""
    return YES_NO_QUESTION.search(question) is not None and WORN_QUESTION.search(question) is not None and \
        SAYS_NO.search(answer) is not None


BARE_CONFIDENCE = re.compile(r"^\W*(?:yes|no)\W+(?:at |with |about )?\d+(?:\.\d+)?\s*%\W*$", re.I)


def bare_confidence(answer: str) -> bool:
    """Whether the sentence is a yes or no with only a confidence after it ("Yes, at 11%.")."""
    return BARE_CONFIDENCE.search(answer.strip()) is not None


MOTION_ANSWER = re.compile(r"^\W*(?:(?:yes|no)\W+)?(?:mostly\s+(?:to\s+the\s+|towards?\s+the\s+)?(?:left|right|up|down|"
                           r"upwards?|downwards?|leftwards?|rightwards?|top|bottom)|there\s+is\s+little\s+or\s+no\s+"
                           r"movement)", re.I)
MOTION_QUESTION = re.compile(r"\b(?:move|moves|moving|moved|movement|motion|go|goes|going|went|gone|way|direction|"
                             r"directions|left|right|up|down|turn|turns|turning|pan|pans|panning|camera|drive|drives|"
                             r"driving|ride|rides|riding|walk|walks|walking|run|runs|running|fly|flies|flying|swim|"
                             r"swims|travel|travels|head|heads|heading|toward|towards|away|still|static|steady|"
                             r"shake|shakes|shaky|fast|speed|pass|passes|passing|come|comes|coming|cross|crosses|"
                             r"roll|rolls|slide|slides|spin|spins|drift|drifts|flow|flows)\b", re.I)
NOT_MOVEMENT = re.compile(r"\b(?:slow[ -]?motion|slow-?mo|time-?lapse)\b", re.I)


def answers_unasked_motion(answer: str, question: str) -> bool:
    """Whether the answer gives the motion line's direction when the question asks nothing about movement."""
    return MOTION_ANSWER.search(answer) is not None and \
        MOTION_QUESTION.search(NOT_MOVEMENT.sub(" ", question)) is None


LOCOMOTION = frozenset({"moving", "walking", "running", "going", "crossing", "coming", "leaving", "entering",
                        "travelling", "traveling", "nothing"})
DENIES_ACTION = re.compile(r"\b(?:no ?one|nobody) (?:is|was|are) (?:seen |visible )?(?P<verb>[a-z]+)\b", re.I)
# Words after "no one is seen" that name no action: a place, a posture of the people line ("no one is seen upside
# down" is its fact), nothing. "No, no one is seen cut." (to "Is it being cut?") is an action denied.
NOT_AN_ACTION = frozenset("""in on at here there near by with from throughout anywhere around inside outside clearly
now and or the a an upside visible seen""".split())


def denies_action_seen(answer: str, context) -> bool:
    """Whether the answer says nobody does something ("no one is seen dancing") while the people line has someone:
    what people do is not among its facts (going from place to place is the motion line's: "no one is seen
    walking" stays)."""
    m = DENIES_ACTION.search(answer)
    people = context.part("people")
    return m is not None and m.group("verb").lower() not in LOCOMOTION | NOT_AN_ACTION and people is not None and \
        people.max_people > 0


DENIES_THING = re.compile(r"\bno (?P<thing>[a-z][a-z -]*?) (?:is|are) (?:seen|visible|shown|there)\b|"
                          r"\bcan(?:'|no)?t see (?:(?:any|a|an) )?(?!(?:any|anyone|anybody|anything|it|that|this|them|"
                          r"him|her|one|much|what|who|how|where|whether|if)\b)(?P<thing2>[a-z][a-z -]*?)\b"
                          r"(?=[.,;!]|$| in\b)", re.I)


def denies_object_seen(answer: str, context) -> bool:
    """Whether the answer says a thing is not seen that the context's objects name ("no water bottle is seen")."""
    from vlm.perception.which import context_objects, names_thing

    m = DENIES_THING.search(answer)
    if m is None:
        return False
    thing = m.group("thing") or m.group("thing2")
    return any(names_thing(thing, name) for name in context_objects(context))


def denies_unasked_thing(answer: str, question: str) -> bool:
    """Whether the answer says a thing is not seen whose head noun the question did not name: "No, no electric
    charge is seen." to "Is it electric?" (a thing of the reader's making: nothing was asked about one)."""
    from vlm.english import singular

    m = DENIES_THING.search(answer)
    if m is None:
        return False
    asked = {singular(w) for w in re.findall(r"[a-z]+", question.lower())}
    said = [singular(w) for w in re.findall(r"[a-z]+", (m.group("thing") or m.group("thing2")).lower())
            if w not in ("one", "any", "a", "an", "the", "other")]
    if not said or re.fullmatch(PEOPLE, said[-1]) or said[-1] in ("person", "body", "animal", "object", "thing"):
        return False        # people (`denies_people_seen`) and kinds are not things of the reader's making
    return said[-1] not in asked          # its head noun: "charge"; not "basketball hoop" to "Is there a hoop?"


# Things another line of the facts denies (the text, the speech, the sound), which the classifier need not name.
OTHER_LINES = frozenset("""text watermark caption subtitle writing word letter logo title sign speech sound audio
music voice cut scene motion movement camera""".split())


def denies_an_unnamed_thing(answer: str) -> bool:
    """Whether the answer says a thing is not seen that the image classifier has no class for: "No, no plain
    background is seen." to "Is the background plain?" (it names a thousand kinds of object; a background, a
    crowd or a haircut missing from them says nothing)."""
    from vlm.english import singular
    from vlm.perception.howmany import names_a_thing

    m = DENIES_THING.search(answer)
    if m is None:
        return False
    words = [w for w in re.findall(r"[a-z]+", (m.group("thing") or m.group("thing2")).lower())
             if w not in ("one", "any", "a", "an", "the", "other")]
    if not words or re.fullmatch(PEOPLE, words[-1]) or singular(words[-1]) in OTHER_LINES | {"person", "body"}:
        return False
    return not (names_a_thing(words[-1]) and _ends_a_class_name(words[-1]))


def _ends_a_class_name(word: str) -> bool:
    """Whether a class name ends with the word, or the word is a group or kind: "bottle" (water bottle), "dog";
    not "water" (only "water bottle", "water snake" ...), which the classifier cannot see on its own."""
    from vlm.english import singular
    from vlm.perception.vision import GROUPS, THING_GROUPS
    from vlm.perception.which import ARTIFACT_KINDS, KIND_WORDS

    w = singular(word)
    return w in GROUPS or w in THING_GROUPS or w in KIND_WORDS or word in KIND_WORDS or w in ARTIFACT_KINDS or \
        bool({w, word.lower()} & _class_last_words())


@lru_cache(maxsize=1)
def _class_last_words() -> frozenset[str]:
    from vlm.perception.vision import _class_names

    return frozenset(name.lower().split()[-1] for name in _class_names())


OBJECT_ANSWER = re.compile(r"^\W*(?:(?:it|this|that)\s+(?:is|looks\s+like|seems\s+to\s+be)\s+|it's\s+)?"
                           r"(?:a|an|the|some)?\s*(?P<name>[A-Za-z][\w' /-]*?)\s*[.!]?\s*$", re.I)


def answer_object(answer: str, context) -> str | None:
    """The object of the context a one-noun answer names ("A harmonica." -> 'harmonica'), or None."""
    from vlm.perception.which import context_objects, names_thing

    m = OBJECT_ANSWER.match(answer)
    if m is None:
        return None
    said = m.group("name").strip()
    found = [n for n in context_objects(context) if n.lower() == said.lower()]
    return found[0] if found else next((n for n in context_objects(context) if names_thing(said, n)), None)


def answers_another_kind(answer: str, question: str, context) -> bool:
    """Whether "What kitchen tool appears?" gets an object of the context that is no kitchen tool ("A harmonica.":
    the reader names the first object when none of the asked kind is seen)."""
    from vlm.perception.which import asked_kind, members

    kind = asked_kind(question)
    name = answer_object(answer, context) if kind is not None else None
    return name is not None and not members(kind, [name])


SUBJECT_OBJECT = re.compile(r"^\W*(?:and\s+)?what\s+(?:is|are|was|were|does|do|did)\s+(?P<subject>it|the\s+[a-z]+)\s+"
                            r"(?P<verb>[a-z]+)(?:\s+(?:on|with|in|at|over|into|onto|from|to|of|upon))?\W*$", re.I)
# What a person is asked about without a verb ("What breed is the dog's owner?"): an animal cannot be it.
PERSON_ATTRIBUTE = re.compile(r"^\W*(?:and\s+)?what\s+(?:breed|species|animal|kind\s+of\s+(?:animal|dog|cat)|"
                              r"type\s+of\s+(?:animal|dog|cat))\s+(?:is|was)\s+(?:the\s+)?(?:[a-z]+'s?\s+)?"
                              r"(?P<who>[a-z]+)(?:\s+(?:who|that)\s.*)?\W*$", re.I)   # "... the person who owns it?"
PERSON_NOUNS = re.compile(r"(?:owner|trainer|handler|walker|rider|driver|person|man|woman|boy|girl|child|kid|lady|"
                          r"guy|player|people|parent|mother|father|mom|dad|friend|he|she|they)s?", re.I)


def _referent(history) -> str | None:
    """The thing the conversation last named: the previous answer's one noun ("A dog." -> 'dog')."""
    for turn in reversed(list(history)):
        if turn.get("role") == "assistant":
            m = OBJECT_ANSWER.match(turn.get("content", "").split("\n")[0])
            return m.group("name").strip().lower() if m else None
    return None


def answers_acted_on_with_another(answer: str, question: str, context) -> bool:
    """Whether "What is she slicing?" gets a landscape or a person ("A lakeshore." to "What is on the water?", "A
    baseball player." to "What is the boy holding?"), or an object of the context of another kind than the verb
    takes while one of that kind is seen ("A dog." to "What is she riding?" with a horse among the objects)."""
    from vlm.perception.which import acted_on, acted_on_kind, is_scene

    name = answer_object(answer, context) if acted_on(question) is not None else None
    if name is None:
        return False
    hits = acted_on_kind(question, context)
    return is_scene(name) or (bool(hits) and name not in hits)


LOOKS_LIKE = re.compile(r"^\W*(?:it|this|that)\s+looks\s+like\b", re.I)


def answers_a_thing_with_an_activity(answer: str, question: str, context) -> bool:
    """Whether "What does the man open?" gets the activity line ("It looks like opening door.") instead of a
    thing: an "It looks like ..." that names none of the context's objects, to a question `acted_on` reads."""
    from vlm.perception.which import acted_on

    return LOOKS_LIKE.search(answer) is not None and acted_on(question) is not None and \
        answer_object(answer, context) is None


TEXT_CLAIM = re.compile(r"\bwatermark|\b(?:the\s+)?text\s+(?:says|reads)\b|\bon-?screen\s+text\b|[\"\u201c]\w", re.I)
WORDS_QUESTION = re.compile(r"\b(?:writ\w*|wrote|text|texts|read|reads|reading|sign|signs|caption\w*|title\w*|"
                            r"subtitle\w*|label\w*|logo\w*|brand\w*|names?|named|called|letters?|spell\w*|"
                            r"words?|banner|poster|screen|watermark\w*|printed|says?|said)\b", re.I)


def answers_a_thing_with_text(answer: str, question: str) -> bool:
    """Whether a question asking for a thing ("What tool is used?", "What is she holding?") gets the on-screen
    text ('A "shutterstock" watermark.'), though it asks nothing about words."""
    from vlm.perception.which import acted_on, asked_kind

    return TEXT_CLAIM.search(answer) is not None and WORDS_QUESTION.search(question) is None and \
        (asked_kind(question) is not None or acted_on(question) is not None)


def answers_with_the_subject(answer: str, question: str, context, history=()) -> bool:
    """Whether "What is the dog riding on?" (or "And what is it riding on?" after "A dog.") is answered with the
    dog itself or a kind of it ("A Siberian Husky."), or "What breed is the dog's owner?" with an animal."""
    from vlm.perception.which import _kind, members, names_thing

    asked = SUBJECT_OBJECT.search(question)
    if asked is not None and re.fullmatch(r"\W*(?:an?|the)\s+" + re.escape(asked.group("subject").lower()
                                                                       .removeprefix("the ").strip()) + r"\W*",
                                          answer.strip(), re.I):
        return True       # "What is the person riding?" -> "A person." (no object of the context)
    name = answer_object(answer, context)
    if name is None:
        return False
    if (m := PERSON_ATTRIBUTE.search(question)) is not None and PERSON_NOUNS.fullmatch(m.group("who")):
        return bool(members("animal", [name]))
    if (m := SUBJECT_OBJECT.search(question)) is None or m.group("verb").lower() in ("do", "doing", "look", "called"):
        return False
    subject = m.group("subject").lower().removeprefix("the ").strip()
    if subject == "it":
        subject = _referent(history)
        if subject is None:
            return False
    kind = _kind(subject)
    return names_thing(subject, name) or (kind is not None and bool(members(kind, [name])))


SAYS_YES = re.compile(r"^\W*yes\b", re.I)
ANY_THING = re.compile(r"\b(?:anything|something|any\s+(?:objects?|things?|items?)|what)\b", re.I)


def affirms_another_thing(answer: str, question: str, context) -> bool:
    """Whether a yes/no question about one thing gets a yes naming another object of the context: "Are the
    bottles full?" -> "Yes, one baby pacifier is seen.", "Is the baby reading?" -> "Yes, the person can see a
    diaper." (a thing of the kind asked, "Yes, a Border Collie." to "Is there a dog?", stays)."""
    from vlm.english import singular
    from vlm.perception.which import _kind, context_objects, members, names_thing

    if YES_NO_QUESTION.search(question) is None or SAYS_YES.search(answer) is None or ANY_THING.search(question):
        return False
    words = [singular(w) for w in re.findall(r"[a-z]+", question.lower())]
    said = answer.lower()
    for name in context_objects(context):
        named = [a for a in name.lower().split(" / ") if re.search(r"\b" + re.escape(a) + r"s?\b", said)]
        if not named:
            continue
        asked = any(names_thing(w, name) or ((k := _kind(w)) is not None and members(k, [name])) for w in words)
        asked = asked or any(w in words for a in named for w in (singular(x) for x in a.split()))
        if not asked:
            return True
    return False


QUOTE = re.compile(r"[\"\u201c]([^\"\u201d]{3,})[\"\u201d]")


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def quotes_unseen_words(answer: str, context, question: str = "") -> bool:
    """Whether the answer quotes words that are neither in the facts nor in the question ('The text says "No One
    Knows"' where the on-screen text line says none is seen)."""
    quotes = QUOTE.findall(answer)
    if not quotes:
        return False
    known = f" {_plain(context.to_text() + ' ' + question)} "
    return any(_plain(q) and f" {_plain(q)} " not in known for q in quotes)


# 'Someone says "an audio track", but no clear speech is heard.' to "Describe the people.": a quote given as speech
# that is not in the transcript (here the words of the facts' own "What is said" line).
SAID_QUOTE = re.compile(r"\b(?:says?|said|saying|speaks?|spoke|heard|hears?|shouts?|asks?|tells?)\b[^\"\u201c.]{0,40}"
                        r"[\"\u201c]([^\"\u201d]{3,})[\"\u201d]", re.I)


# 'The text says "#1:Foul tip"': the screen's words, not speech.
WRITTEN_SAYS = re.compile(r"\b(?:text|texts|caption|captions|label|labels|sign|signs|screen|title|titles|subtitles?|"
                          r"watermark|logo|banner|card|board|writing|it)\s+(?:\w+\s+)?$", re.I)   # before the verb


def quotes_unsaid(sentence: str, context) -> bool:
    """Whether the sentence gives words as said that the transcript does not have (only once the speech part has
    run: before, nothing is known either way)."""
    speech = context.part("speech") if context is not None else None
    quotes = [m.group(1) for m in SAID_QUOTE.finditer(sentence) if not WRITTEN_SAYS.search(sentence[:m.start()])]
    if speech is None or not quotes:
        return False
    said = f" {_plain(speech.text)} "
    return any(_plain(q) and f" {_plain(q)} " not in said for q in quotes)


# The reader copies what is said or written between quotes, and now and then a word goes astray ("Also, our
# skateboardy dog" for the transcript's "Meanwhile our skateboardy dog"), or the time after it does ('Someone
# says "Go!" (in the speech recognition).' for "(0:01)").
NEAR_QUOTE = 0.8      # difflib ratio of a quote to the facts' words that counts as a copy gone astray
SAID_PLACE = re.compile(r'^(\W*Someone says [\"\u201c]([^\"\u201d]+)[\"\u201d]) \((?!\d)[^)]*\)')


def exact_quotes(answer: str, context) -> str:
    """The answer with each quote that nearly matches a transcript segment or a text item on screen (difflib
    ratio >= NEAR_QUOTE) given as the facts have it, and 'Someone says "..."' followed by the segment's time
    where the reader put something else in its brackets."""
    import difflib

    from vlm.perception.base import fmt_time

    speech, text = context.part("speech"), context.part("text")
    said = [(x.text.strip(), x.start) for x in (speech.segments if speech is not None else [])]
    known = [t for t, _ in said] + [i.text.strip() for i in (text.items if text is not None else [])]
    if not known:
        return answer

    def exact(m: re.Match) -> str:
        q = m.group(1)
        best = max(known, key=lambda k: difflib.SequenceMatcher(None, q.lower(), k.lower()).ratio())
        near = difflib.SequenceMatcher(None, q.lower(), best.lower()).ratio() >= NEAR_QUOTE
        return m.group(0).replace(q, best) if near and q != best else m.group(0)

    answer = QUOTE.sub(exact, answer)
    if (m := SAID_PLACE.match(answer)) and (at := [t for x, t in said if x == m.group(2).strip()]):
        answer = f"{m.group(1)} ({fmt_time(at[0])})" + answer[m.end():]
    return answer


POSTURE_ANSWER = re.compile(r"\b(?:upside[ -]down|upright|lying down)\b", re.I)
POSTURE_QUESTION = re.compile(r"\b(?:upside|upright|lying|lie|lies|lay|stand|stands|standing|stood|sit|sits|sitting|"
                              r"sat|posture|position|pose|poses|handstand|headstand|flip|flips|cartwheels?|invert\w*|"
                              r"head|feet|legs|floor|ground|fall|falls|fell|falling|lean\w*|bend\w*|kneel\w*|"
                              r"crouch\w*|jump\w*|body|yoga|gymnast\w*)\b", re.I)


def answers_unasked_posture(answer: str, question: str) -> bool:
    """Whether the answer gives the people line's posture when the question asks nothing about how anyone
    stands or lies ("Is the person left-handed?" -> "No, no one is seen upside down.")."""
    return POSTURE_ANSWER.search(answer) is not None and POSTURE_QUESTION.search(question) is None


def first_sentence_fails(head: str, question: str, context, history=()) -> bool:
    return (denies_people_seen(head, context) or answers_unasked_speech(head, question)
            or answers_unasked_place(head, question) or answers_another_direction(head, question)
            or answers_who_with_a_thing(head, question) or denies_what_is_worn(head, question)
            or bare_confidence(head) or answers_unasked_motion(head, question)
            or denies_action_seen(head, context) or denies_object_seen(head, context)
            or answers_another_kind(head, question, context) or answers_acted_on_with_another(head, question, context)
            or answers_with_the_subject(head, question, context, history)
            or affirms_another_thing(head, question, context) or quotes_unseen_words(head, context, question)
            or answers_unasked_posture(head, question) or answers_a_thing_with_text(head, question)
            or answers_a_thing_with_an_activity(head, question, context) or garbled_direction(head)
            or garbled_posture(head) or garbled_time(head) or denies_unasked_thing(head, question)
            or states_unseen_posture(head, context) or quotes_unsaid(head, context)
            or answers_identity_with_a_count(head, question) or denies_an_unnamed_thing(head)
            or answers_neither_choice(head, question) or answers_colour_with_presence(head, question)
            or denies_an_event_on_no_fact(head, question) or says_no_to_a_wh_question(head, question)
            or answers_with_the_event_before_or_after(head, question))


# "What does the man do after opening the door?": "It looks like opening door." answers with the event the
# question starts from, not what comes after (or before) it.
AFTER_EVENT = re.compile(r"\b(?:after|before)\s+(?:(?:he|she|they|it|someone)\s+)?(?P<verb>[a-z]+ing)\b", re.I)


def answers_with_the_event_before_or_after(answer: str, question: str) -> bool:
    m = AFTER_EVENT.search(question)
    return m is not None and re.search(rf"\b{m['verb']}\b", answer, re.I) is not None


BARE_YES_NO = re.compile(r"^\W*(?:yes|no)\s*[.!]", re.I)
WH_QUESTION = re.compile(QUESTION_START + r"(?:who|whom|whose|what|which|where|when|how|why)\b(?!\s+about\b)", re.I)
YES_TO_WH = re.compile(r"^\W*yes\s*,\s*(\S.*)", re.I | re.S)


NO_TO_WH = re.compile(r"^\W*no\s*[,.!]", re.I)


def says_no_to_a_wh_question(answer: str, question: str) -> bool:
    """'No, no scene cuts are seen.' to "What's being cut here?": a yes/no answer to a question that is not one."""
    return WH_QUESTION.search(question) is not None and NO_TO_WH.search(answer) is not None


def checked_start(pieces: Iterator[str], context, question: str = "", history=(), *,
                  fallback: str | None = None) -> Iterator[str]:
    """The streamed answer, its first sentence held back until complete and checked (`first_sentence_fails`);
    after a bare "Yes." or "No.", the first two. A first sentence that fails, or says it cannot tell, gives way to
    `fallback` where there is one (`vlm.perception.routes.fallback_answer`)."""
    head, pieces = "", iter(pieces)
    for piece in pieces:
        head += piece
        ends = len(re.findall(r"[.!?](?:\s|$)", head))
        # a bare "No." is checked with the sentence after it ("No. No one is visible.")
        open_quote = (head.count('"') + head.count("\u201c") + head.count("\u201d")) % 2 == 1   # "for. Meanwhile"
        if ends >= 1 + bool(BARE_YES_NO.match(head)) and not open_quote or len(head) > (240 if open_quote else 120):
            break
    if WH_QUESTION.search(question) and (m := YES_TO_WH.match(head)):   # "Who opens the door?" -> "Yes, one person."
        head = m.group(1)[:1].upper() + m.group(1)[1:]
    if context is not None:
        head = exact_quotes(head, context)     # a quote of the facts as the facts have it
    if fallback is not None and not first_sentence_fails(fallback, question, context, history) and \
            (head.strip() == CANT_TELL or first_sentence_fails(head, question, context, history)):
        yield fallback        # the fallback passes the same checks ("And what is it riding on?" after "A dog.")
        return
    if first_sentence_fails(head, question, context, history):
        yield CANT_TELL
        return
    if asks_one_sentence(question):
        yield head.rstrip()
        return
    if head:
        yield head
    yield from _checked_rest(head, pieces, context)


# "Summarize the video in one sentence.": the reader's describe answer runs to three.
ONE_SENTENCE = re.compile(r"\b(?:in\s+(?:just\s+|only\s+)?(?:one|a\s+single|a)\s+(?:short\s+)?(?:sentence|line)(?!\s+of\b)|"
                          r"in\s+(?:just\s+|only\s+)?(?:a\s+few|one|two|three|four|five|\d)\s+words|"
                          r"(?:one|single)[- ](?:sentence|line)\s+(?:summary|description|answer))\b", re.I)


def asks_one_sentence(question: str) -> bool:
    return ONE_SENTENCE.search(question) is not None


# "It looks like riding a bike." and the reader's evidence after it, "The frames mostly show a unicycle.": an
# object that on its own points to another activity at least this confidently contradicts the answer.
ACTIVITY_ANSWER = re.compile(r"^\W*It looks like (.+?)\.\s*$", re.I)
EVIDENCE = re.compile(r"^\s*The frames mostly show (?:an? )?(.+?)(?: and (?:an? )?(.+?))?\.\s*$", re.I)
IMPLIES_ANOTHER = 0.3


def evidence_contradicts(head: str, sentence: str) -> bool:
    """Whether the evidence sentence after an activity answer names an object whose own activity is another
    ("It looks like riding a bike. The frames mostly show a unicycle.": a unicycle alone is "riding unicycle" at
    64%); an object that points nowhere in particular (a dumbbell: 4%) is no contradiction."""
    from vlm.perception.activity import default_activity_scorer
    from vlm.perception.vision import _class_names

    a, e = ACTIVITY_ANSWER.match(head), EVIDENCE.match(sentence)
    if a is None or e is None:
        return False
    scorer, activity = default_activity_scorer(), a.group(1).strip().lower()
    for name in filter(None, e.groups()):
        if name.strip() not in _class_names():
            continue      # a group ("a dog") or words the reader made up: not checked
        index, conf = scorer.implied(_class_names().index(name.strip()))
        if conf >= IMPLIES_ANOTHER and scorer.same_activity(activity, index) is False:
            return True
    return False


# A sentence of the rest ends at ".", "!" or "?" and the spaces after it (the pieces are words with their trailing
# space); one longer than this is passed on as it is.
_SENTENCE = re.compile(r"^(\s*.+?[.!?]\s+)(?=\S)", re.S)
_LONGEST_SENTENCE = 300


def _checked_rest(head: str, pieces: Iterator[str], context) -> Iterator[str]:
    """The pieces after the first sentence, a sentence at a time, leaving out the sentences the facts contradict:
    after an activity answer the evidence sentence that `evidence_contradicts` it, and anywhere a posture the
    people line does not have (`states_unseen_posture`)."""
    check_evidence = ACTIVITY_ANSWER.match(head) is not None
    facts = context.to_text() if context is not None else None     # once per answer, not once per sentence

    def keep(sentence: str) -> bool:
        nonlocal check_evidence
        contradicts = check_evidence and evidence_contradicts(head, sentence)
        check_evidence = False            # only the sentence right after the answer is its evidence
        return not contradicts and not states_unseen_posture(sentence, context, facts) and \
            not quotes_unsaid(sentence, context)

    def sentences() -> Iterator[str]:
        rest = ""
        for piece in pieces:
            rest += piece
            while (m := _SENTENCE.match(rest)) or len(rest) > _LONGEST_SENTENCE:
                sentence, rest = (m.group(1), rest[m.end():]) if m else (rest, "")
                yield sentence
        if rest.strip():
            yield rest

    before = head       # what the user has so far: a sentence left out must not leave two spaces or none
    for sentence in sentences():
        if keep(sentence):
            if before[-1:].isspace() and sentence[:1].isspace():
                sentence = sentence.lstrip()
            elif before and not before[-1:].isspace() and not sentence[:1].isspace():
                sentence = " " + sentence
            yield sentence
            before = sentence


# "One person can be seen upside down at times." where the people line says nothing of the kind: the reader
# learnt the sentence from clips with a handstand (a describe answer on the pepper-cutting clip).
POSTURE_CLAIM = re.compile(r"\b(?:upside[ -]down|lying down)\b", re.I)
NEGATION = re.compile(r"\b(?:no|not|never|nobody|no ?one|none)\b|n't\b", re.I)


def states_unseen_posture(sentence: str, context, facts: str | None = None) -> bool:
    """Whether the sentence says someone is upside down or lying down while the context does not ("No one is seen
    upside down." says nothing is); `facts`: the context's text, where the caller has it already."""
    if context is None or NEGATION.search(sentence) or not POSTURE_CLAIM.search(sentence):
        return False
    facts = (facts if facts is not None else context.to_text()).lower().replace("upside-down", "upside down")
    return any(m.group(0).lower().replace("-", " ") not in facts for m in POSTURE_CLAIM.finditer(sentence))
