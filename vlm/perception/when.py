"""Answering "when" questions by matching them to the context's timed facts (extractive, no LLM).

The reader answers "when" questions about speech and on-screen text well (it copies the quoted time), but the
people line's timed facts ("both arms raised at 0:02-0:04", "a hand near the face at 0:05-0:08") and the segment
lines' objects reach it in too few training examples and too few phrasings: asked "When does she touch her
mouth?" it says it cannot tell while the fact is in front of it; asked "When does someone appear?" where the
people line counts nobody, then one person ("0 at 0:04-0:19, 1 at 0:24-0:29"), the same. Here each timed fact gets a few plain
descriptions, the question is matched against them with the embedded sentence model (MiniLM), and a match above
`MIN_SIMILARITY` is answered with the fact's times and the fact as the context says it. A question about speech
gets the time of the segment that holds its words, or of the first one when it names none ("When does someone
start speaking?": the reader says it cannot tell when nobody is seen). A question about on-screen text gets the
times of the item it names, or of the first (the reader wrote "From 0:04 to 0:02." for an item read at 0:04), and a
bare follow-up ("And when?", "When is it shown?") after an answer that quotes the speech or the screen gets that
quote's time (the reader said it cannot tell). Questions no fact matches are left to the reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vlm.english import with_article
from vlm.perception.base import fmt_span, fmt_time
from vlm.perception.speech import SPEECH_QUESTION

MIN_SIMILARITY = 0.65   # above the development half's one wrong match (0.62: "When does a hand first appear?" to
#                         "upside down") and every generic unanswerable "when" question on its clips (<= 0.60)
WHEN = re.compile(r"^\W*(?:and\s+)?(?:when\b|at what (?:time|point|moment|second)\b|what time\b|at which "
                  r"(?:time|point|moment|second)\b|how (?:soon|early|late)\b)", re.I)
ABOUT_WORDS = re.compile(r"[\"“”]|\b(?:say|says|said|saying|hear|heard|speak|speaks|spoke|talk|talks|word|words|"
                         r"text|caption|title|written|write|writes|read|label|logo|watermark|music|song|sound)\b",
                         re.I)
# An object's "when" is when it is in view: "When does the dog appear?", not "When did the dog get its name?".
IN_VIEW = re.compile(r"\b(?:seen|see|appear|appears|appeared|visible|show|shows|shown|showing|come|comes|enter|"
                     r"enters|pass|passes|drive|drives|arrive|arrives|there|on screen|in (?:the )?(?:frame|picture|"
                     r"shot|view))\b", re.I)

# What each timed fact of the people line is, in plain words (matched against the question, never shown).
PEOPLE_PHRASES = {
    "an arm raised": ("raise one arm", "raise a hand", "put one hand up", "lift one arm up"),
    "both arms raised": ("raise both arms", "put both arms up above the head", "lift both arms up",
                         "lift both hands up high", "raise the arms", "put the hands up"),
    "a hand near the face": ("have a hand near the face", "touch the face", "put a hand to the mouth",
                             "cover the face with a hand", "cover the mouth with a hand"),
    "upside down": ("go upside down", "be upside down", "do a handstand"),
    "lying down": ("lie down", "lie on the ground"),
    "hands moving (gesturing)": ("move the hands", "gesture with the hands", "sign with the hands"),
}
# What pose detection did not find, said where a question asks for it ("I can't tell: pose detection finds no raised
# arm in the analysed frames.").
NONE_SEEN = {"an arm raised": "no raised arm", "both arms raised": "no one with both arms raised",
             "a hand near the face": "no hand near the face", "hands moving (gesturing)": "no gesturing hands",
             "upside down": "no one upside down", "lying down": "no one lying down"}
ARMS = ("an arm raised", "both arms raised")
# ... said only where the question names it: "When does a hand first appear?" comes close to "raise a hand" (0.75).
_RAISE = r"\b(?:rais\w*|lift\w*|up|above)\b"
NAMES_EVENT = {"an arm raised": _RAISE, "both arms raised": _RAISE,
               "a hand near the face": r"\b(?:face|mouth|nose|chin|cheeks?|eyes?|forehead|lips?)\b",
               "hands moving (gesturing)": r"\b(?:gestur\w*|sign|signs|signing|mov\w*)\b",
               "upside down": r"\b(?:upside|handstand)\b", "lying down": r"\b(?:lie|lies|lying|lay|lays)\b"}
# Someone coming into view: the analysed frames the people line counts someone in (in view questions only).
IN_VIEW_PHRASES = ("When does someone appear?", "When is a person visible?", "When do we see someone?",
                   "When does a person come into view?", "When is someone in the frame?")


@dataclass
class TimedFact:
    what: str                              # as the context says it
    spans: list[tuple[float, float]]       # (start, end) seconds, in order
    questions: tuple[str, ...]             # the fact asked as a "when" question, to match against
    in_view: bool = False                  # an object seen: only questions about its being in view match


def label_spans(segments) -> dict[str, list[tuple[float, float]]]:
    """Each label the segment lines name, with the runs of neighbouring segments that name it."""
    spans: dict[str, list[list[float]]] = {}
    for s in segments:
        for name, _ in s.labels:
            runs = spans.setdefault(name, [])
            if runs and abs(runs[-1][1] - s.start) < 1e-6:
                runs[-1][1] = s.end
            else:
                runs.append([s.start, s.end])
    return {name: [(a, b) for a, b in runs] for name, runs in spans.items()}


def people_events(people, *, absent_in: str = "", form: str = "When does someone {}?") -> list[TimedFact]:
    """The people line's timed events and postures as facts (`form` words their descriptions); also those it
    does not see that the question `absent_in` names (`NAMES_EVENT`), with no spans, where it sees someone (the
    pose model looked and found none)."""
    postures = people.posture_times()
    found = {**people.event_times(), "upside down": postures.get("upside down", []),
             "lying down": postures.get("lying down", [])}
    absent = {w for w in found if absent_in and people.max_people > 0 and re.search(NAMES_EVENT[w], absent_in, re.I)}
    return [TimedFact(what, people.spans(ts) if ts else [],       # the spans the people line gives
                      tuple(form.format(p) for p in PEOPLE_PHRASES[what]))
            for what, ts in found.items() if ts or what in absent]


def timed_facts(context, *, absent_in: str = "") -> list[TimedFact]:
    """The context's facts that carry times: the people line's (and the events it does not see that the question
    `absent_in` names, with no spans) and the objects the segment lines name."""
    facts: list[TimedFact] = []
    people = context.part("people")
    if people is not None and people.frames:
        facts += people_events(people, absent_in=absent_in)
        if seen := people.in_view_times():
            facts.append(TimedFact("someone in view", people.spans(seen), IN_VIEW_PHRASES, in_view=True))
        elif people.always_in_view():      # "When does someone appear?" -> from the first analysed frame on
            facts.append(TimedFact("someone in view in every analysed frame",
                                   [(people.frames[0].t, people.frames[-1].t)], IN_VIEW_PHRASES, in_view=True))
    whole = len(context.segments) > 1
    for name, runs in label_spans(context.segments).items():
        if whole and len(runs) == 1 and runs[0][0] <= context.segments[0].start and \
                runs[0][1] >= context.segments[-1].end:
            continue  # seen all along: "when" has no answer a time could give
        facts.append(TimedFact(f"{name} seen", runs,
                               (f"When is the {name} seen?", f"When does a {name} appear?"), in_view=True))
    return facts


def is_when_question(question: str) -> bool:
    return WHEN.search(question) is not None


def best_fact(question: str, facts: list[TimedFact]) -> tuple[TimedFact | None, float]:
    """The fact whose descriptions come closest to the question (cosine of MiniLM embeddings)."""
    if not facts:
        return None, 0.0
    from vlm.text import text_encoder

    texts = [q for f in facts for q in f.questions]
    emb = text_encoder().encode([question] + texts)                  # (1 + K, D) unit vectors
    sims = (emb[1:] @ emb[0]).tolist()
    owner = [i for i, f in enumerate(facts) for _ in f.questions]
    best = max(range(len(texts)), key=lambda k: sims[k])
    return facts[owner[best]], float(sims[best])


TEXT_WORDS = re.compile(r"\b(?:text|caption|title|written|write|writes|read|label|logo|watermark|sign|screen|appears?|"
                        r"shown|visible|displayed)\b", re.I)   # "When do the words appear?" is about text
# Words of a speech "when" question that name no part of what is said: "When does the man start talking?"
GENERIC = set("""when what time point moment second which at does do did is are was were the a an he she they it
someone somebody anyone anybody person man woman boy girl child people narrator speaker voice first start starts begin
begins then again video clip this in on something anything word words say says said saying speak speaks spoke speaking
talk talks talking hear heard we you mention mentions mentioned there any""".split())


def answer_when_said(question: str, context) -> str | None:
    """'At 0:04.' for a "when" question about speech (as the reader was trained to answer): the segment holding
    the quoted or named words, or the first one for "When does someone start speaking?". The reader gets quoted
    words right but says it cannot tell for the generic question where nobody is seen (a narrator over a
    landscape). None for speech questions whose words nothing said holds, and without a transcript."""
    transcript = context.part("speech")
    if transcript is None or not transcript.segments or TEXT_WORDS.search(question) or \
            not (SPEECH_QUESTION.search(question) or re.search(r"\bwords?\b", question, re.I)):
        return None
    quoted = re.findall(r'["“]([^"”]+)["”]', question)
    words = _words(" ".join(quoted)) if quoted else [w for w in _words(question) if w not in GENERIC]
    if not words:
        return f"At {fmt_time(transcript.segments[0].start)}."
    overlap = [len(set(words) & set(_words(s.text))) for s in transcript.segments]
    best = max(range(len(overlap)), key=lambda k: overlap[k])
    return f"At {fmt_time(transcript.segments[best].start)}." if overlap[best] else None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _text_time(item) -> str:
    """'From 0:02 to 0:04' / 'At 0:04' / 'Throughout the video (an overlay)' for an item read on screen (the
    reader's trained form)."""
    if item.kind == "overlay":
        return "Throughout the video (an overlay)"
    return f"At {fmt_time(item.start)}" if fmt_time(item.start) == fmt_time(item.end) else \
        f"From {fmt_time(item.start)} to {fmt_time(item.end)}"


# The question's own words for text, beside GENERIC's: what is left names the text ("When is 'SALE' shown?").
TEXT_GENERIC = GENERIC | set("""text texts caption captions title titles subtitle subtitles written writing write
writes printed letters lettering logo screen onscreen on appear appears appeared shown show shows showing visible
displayed display come comes up pop pops get gets we see seen read can could you exactly overlay overlays""".split())


SHOWN = re.compile(r"\b(?:shown|appears?|visible|displayed|written)\b", re.I)


def answer_when_written(question: str, context) -> str | None:
    """'From 0:02 to 0:04.' for "When does the caption appear?": the item the question's words name, else the
    first one read (with the others quoted after it); that it cannot tell where OCR read none. None for questions
    about speech or a watermark."""
    from vlm.perception.ocr import TEXT_QUESTION, WATERMARK

    text = context.part("text")
    quoted = re.findall(r'["“]([^"”]+)["”]', question)
    about_text = TEXT_QUESTION.search(question) or quoted and SHOWN.search(question)    # 'When is "SALE" shown?'
    if text is None or not about_text or SPEECH_QUESTION.search(question) or WATERMARK.search(question):
        return None
    items = [i for i in text.items if i.kind != "watermark"]
    if not items:       # the reader said "I can't tell from the video."
        marks = [i.text for i in text.items if i.kind == "watermark"]
        return "I can't tell: no text appears on screen" + (f' but a "{marks[0]}" watermark.' if marks else ".")
    words = set(_words(" ".join(quoted))) if quoted else {w for w in _words(question) if w not in TEXT_GENERIC}
    if words:
        overlap = [len(words & set(_words(i.text))) for i in items]
        best = max(range(len(items)), key=lambda k: overlap[k])
        return f"{_text_time(items[best])}." if overlap[best] else None
    if len(items) == 1:
        return f"{_text_time(items[0])}."
    shown = [f'{_text_time(i)} ("{i.text}")' for i in items[:3]]
    return shown[0] + "; then " + ", ".join(x[0].lower() + x[1:] for x in shown[1:]) + "."


# A follow-up whose only words point back: "And when?", "When is that said?", "When does it show up?".
POINTING = TEXT_GENERIC | set("""and so then that this it those these them its exactly happen happens happened
was were heard""".split())


def answer_when_again(question: str, history, context) -> str | None:
    """'At 0:03.' for "And when?" right after an answer that quotes what is said or written: the quote's own
    time in the transcript or among the items read (only the items for a question about text, only the
    transcript for one about speech). None when the question names something, or the last answer quotes
    nothing the context holds."""
    answers = [t["content"] for t in history if t.get("role") == "assistant"]
    if not answers or any(w not in POINTING for w in _words(WHEN.sub("", question))):
        return None
    from vlm.perception.ocr import TEXT_QUESTION

    quotes = [_words(q) for q in re.findall(r'["“]([^"”]+)["”]', answers[-1])]
    said, text = context.part("speech"), context.part("text")
    if TEXT_QUESTION.search(question):      # "When does the text appear?" after a quote of the speech: not it
        said = None
    elif SPEECH_QUESTION.search(question):
        text = None
    for quote in filter(None, quotes):
        for seg in (said.segments if said is not None else []):
            if quote == _words(seg.text)[:len(quote)]:
                return f"At {fmt_time(seg.start)}."
        for item in (text.items if text is not None else []):
            if quote == _words(item.text)[:len(quote)]:
                return f"{_text_time(item)}."
    return None


# A follow-up that points back at a thing: "When does it appear?" after "A bell pepper." matched "someone in view"
# (the people line's times) and, after "A common sorrel horse.", "dog seen".
THING_PRONOUN = re.compile(r"\b(?:it|this|that)\b", re.I)   # "they" are mostly people


def pointed_object(question: str, history, context) -> tuple[bool, str | None]:
    """(whether the question points back with a pronoun, the object the last answer named or None): (True,
    'bell pepper') for "When does it appear?" after "A bell pepper."; (True, None) after a quote or an answer that
    names no object the context has; (False, None) for a question that names its thing or opens a conversation."""
    answers = [t["content"] for t in history if t.get("role") == "assistant"]
    if not THING_PRONOUN.search(question) or not answers:
        return False, None
    from vlm.perception.which import context_objects

    last = answers[-1].lower()
    if '"' in last or "\u201c" in last:
        return True, None     # a quote of the speech or the screen: the reader, which sees it, answers
    named = [n for n in context_objects(context) if re.search(rf"\b{re.escape(n.lower())}\b", last)]
    return True, max(named, key=len) if named else None     # "common sorrel horse", not "horse"


def object_times(name: str, context) -> str | None:
    """'At 0:02-0:05 and 0:07-0:09 (bell pepper seen).', or that it is seen all along; None when no segment line
    names it."""
    runs = label_spans(context.segments).get(name)
    if not runs:
        return None
    segs = context.segments
    if len(runs) == 1 and runs[0][0] <= segs[0].start and runs[0][1] >= segs[-1].end:
        return f"Throughout: {with_article(name, capital=False)} is seen in every stretch ({fmt_span(*runs[0])})."
    return "At " + " and ".join(fmt_span(a, b) for a, b in runs[:3]) + f" ({name} seen)."


def answer_when(question: str, context, *, history=(), min_similarity: float = MIN_SIMILARITY) -> str | None:
    """'At 0:05-0:08 (a hand near the face).' for a "when" question a timed fact answers, 'At 0:04.' for one
    about speech (`answer_when_said`), else None (the reader answers: text, follow-ups whose pronoun is not an
    object the context names, and questions no fact matches)."""
    if not is_when_question(question):
        return None
    if (again := answer_when_again(question, history, context)) is not None:
        return again
    if (written := answer_when_written(question, context)) is not None:
        return written
    if ABOUT_WORDS.search(question) or SPEECH_QUESTION.search(question):
        return answer_when_said(question, context)
    points_back, name = pointed_object(question, history, context)
    if points_back:                       # "When does it appear?" after "A bell pepper.": that object's runs
        return object_times(name, context) if name and IN_VIEW.search(question) else None
    facts = [f for f in timed_facts(context, absent_in=question) if not f.in_view or IN_VIEW.search(question)]
    fact, sim = best_fact(question, facts)
    if fact is None or sim < min_similarity:
        return None
    fact = arm_fact(fact, facts, question)
    if not fact.spans:       # "When does he raise his arm?" where the pose model sees no raised arm
        return f"I can't tell: pose detection finds {NONE_SEEN[fact.what]} in the analysed frames."
    return "At " + " and ".join(fmt_span(a, b) for a, b in fact.spans[:3]) + f" ({fact.what})."


def arm_fact(fact: TimedFact, facts: list[TimedFact], question: str) -> TimedFact:
    """One raised arm or both, as the question asks ("both") and the facts have: "When does he raise his arm?"
    comes closest to "raise the arms", which both arms raised answers only if one arm raised is not seen."""
    if fact.what not in ARMS or re.search(r"\bboth\b", question, re.I):
        return fact
    arms = {f.what: f for f in facts if f.what in ARMS}
    seen = [arms[w] for w in ARMS if w in arms and arms[w].spans]
    return seen[0] if seen else arms.get("an arm raised", fact)      # none: "no raised arm"
