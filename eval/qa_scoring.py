"""Scoring free-text answers about a video: accept/reject patterns, times, and an automatic hallucination check.

A question (`eval/qa/questions.jsonl`) has an `accept` regex (case-insensitive), optionally a `reject` regex for
tempting wrong answers, or `accept_time` [lo, hi] seconds for "when" questions (the first time the answer names
must fall inside). An answer hallucinates when it names a number, a time, a quotation, a capitalised name, a
thing (a word from a lexicon of concrete nouns: ImageNet class names, the action vocabulary and common nouns) or
a pose ("upside down") that is neither in the facts the system was given nor in the questions asked.
"""
from __future__ import annotations

import re
from functools import lru_cache

TIME = re.compile(r"\b(\d{1,2}):([0-5]\d)\b|\b(\d+(?:\.\d+)?)\s*(?:s\b|sec\b|secs\b|seconds?\b)")
NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                           "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
PERSON_WORDS = {"man", "men", "woman", "women", "boy", "boys", "girl", "girls", "child", "children", "kid", "kids",
                "baby", "babies", "person", "people", "someone", "guy", "lady", "adult", "toddler", "player",
                "players", "human", "humans"}
COMMON_NOUNS = """animal ball balloon bed bench bike bicycle bird board boat book bottle bowl box bread bridge building bus
cake camera candle car cat chair child city cloud coat computer cup desk dog door dress drink drum field fire fish floor
flower food football fork forest game garden glass grass guitar gun hair hand hat head helmet hill horse house ice jacket
kitchen knife lake laptop light man mirror money moon mountain movie music newspaper ocean office painting paper park phone
piano picture plane plant plate pool rain river road rock room school sea ship shirt shoe shop sign sky snow sofa song
spoon stage star street sun table tea television tree truck umbrella wall water whale window woman world documentary
history composer soccer tennis golf baseball basketball volleyball hockey cricket rugby boxing wrestling swimming
dancing singing cooking painting reading writing running walking jumping skating surfing skiing fishing birthday
wedding party concert festival parade church beach desert island village farm zoo museum library hospital airport
station restaurant hotel market stadium gym court rink studio theater theatre classroom bedroom bathroom garage
breakfast lunch dinner pizza pasta sandwich coffee beer wine juice milk egg apple banana orange lemon tomato potato
carrot pepper onion rice meat chicken cheese chocolate cookie candy tiger lion bear elephant monkey rabbit mouse cow
pig sheep goat duck chicken snake frog spider butterfly bee insect shark dolphin name brand city country teacher
doctor police soldier chef driver singer dancer actor student""".split()
STOP = set("""a an the and or but of to in on at by for with from into onto over under up down out off about as is are was
were be been being it its this that these those there here he she they them his her their we you i me my your our
not no yes do does did doing done have has had having can could would should will shall may might must very so too
just also only than then when where what which who whom whose why how all any some each every both few more most
other such own same one two three video clip scene shows show seen see looks look like appears appear seems""".split())


# Pose facts an answer can claim only where the context (or the question) says them; a sentence that negates the
# claim ("no one is seen upside down") is not one.
POSE_CLAIMS = {"upside down": ("upside down",), "handstand": ("upside down", "handstand"),
               "lying down": ("lying down",), "arms raised": ("arms raised", "raise"), "arm raised": ("arm raised", "arms raised", "raise")}
NEGATION = re.compile(r"\b(?:no|not|nobody|never|none)\b|n't\b", re.I)


def times_in(text: str) -> list[float]:
    """Times an answer names, in seconds: '0:12', '1:05', '12 s', '4.5 seconds'."""
    out = []
    for m in TIME.finditer(text):
        out.append(int(m.group(1)) * 60 + int(m.group(2)) if m.group(1) else float(m.group(3)))
    return out


def correct(answer: str, question: dict) -> bool:
    if "accept_time" in question:
        lo, hi = question["accept_time"]
        found = times_in(answer)
        return bool(found) and lo - 0.5 <= found[0] <= hi + 0.5
    ok = re.search(question["accept"], answer, re.I | re.S) is not None
    if ok and question.get("reject"):
        ok = re.search(question["reject"], answer, re.I | re.S) is None
    return ok


def facts_hold_answer(facts: str, question: dict) -> bool | None:
    """Whether the facts a system read state an accepted answer anywhere (a time inside the window, or one line
    the accept pattern matches): a loose upper bound on what a reader that only restates the facts could get
    right, which tells a perception miss from a reader miss. None where it does not apply: yes/no and
    unanswerable questions, whose answers the facts hold by what they leave out."""
    if question["kind"] in ("yesno", "unanswerable") or not facts.strip():
        return None
    if "accept_time" in question:
        lo, hi = question["accept_time"]
        return any(lo - 0.5 <= t <= hi + 0.5 for t in times_in(facts))
    return any(re.search(question["accept"], line, re.I) for line in facts.splitlines())


def _stem(w: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


@lru_cache(maxsize=1)
def thing_lexicon() -> frozenset[str]:
    """Stems of concrete nouns: ImageNet class-name words, action-vocabulary words and common nouns."""
    from vlm.perception.activity import load_vocabulary
    from vlm.weights import imagenet_class_names

    words = set(COMMON_NOUNS) | PERSON_WORDS
    for name in imagenet_class_names() + load_vocabulary():
        words |= {w for w in re.findall(r"[a-z]+", name.lower()) if len(w) >= 3}
    return frozenset(_stem(w) for w in words if w not in STOP)


def unsupported(answer: str, allowed: str, duration: float) -> list[str]:
    """What the answer names that the allowed text (facts + questions) does not: numbers, times, quotations,
    things, and pose claims (upside down, lying down, arms raised). Person words pass where the allowed text
    mentions people, a person, a face or a baby."""
    text = allowed.lower()
    words = {_stem(w) for w in re.findall(r"[a-z]+", text)}
    digits = set(re.findall(r"\d+(?!\d*%)", text)) | {str(v) for k, v in NUMBER_WORDS.items() if k in words} | \
        {d for q in re.findall(r"\"([^\"]*)\"", text) for d in re.findall(r"\d+", q)}  # "SALE 50%" read on screen
    found = []
    for q in re.findall(r"\"([^\"]{3,})\"", answer):
        key = re.sub(r"[^a-z0-9 ]", "", q.lower()).strip()
        if key and key not in re.sub(r"[^a-z0-9 ]", "", text):
            found.append(f'"{q}"')
    mentioned = times_in(text)
    for t in times_in(answer):
        if t > duration + 1 or not any(abs(t - m) <= 1.0 for m in mentioned):
            found.append(f"time {t:g}s")
    for n in re.findall(r"(?<![\d:.])\d+(?![\d:.]|\s*(?:s\b|sec|seconds?))", answer):
        if n not in digits:
            found.append(n)
    for name in re.findall(r"(?<![.!?]\s)(?<!^)(?<!\")\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)*)", answer.strip()):
        if name.lower() not in text and name not in ("I", "Question", "Answer"):
            found.append(name)  # a name (a person, a place, a title) the facts never gave
    lexicon = thing_lexicon()
    people_ok = any(w in text for w in ("people", "person", "face", "baby", "nobody"))
    for w in re.findall(r"[a-z]+", answer.lower()):
        s = _stem(w)
        if w in STOP or len(w) < 3 or s not in lexicon or s in words:
            continue
        if w in PERSON_WORDS and people_ok:
            continue
        found.append(w)
    for claim, needs in POSE_CLAIMS.items():  # "One person can be seen upside down" with no posture fact for it
        affirmed = [x for x in re.split(r"(?<=[.!?])\s+", answer) if claim in x.lower() and not NEGATION.search(x)]
        if affirmed and not any(n in text for n in needs) and claim not in text:
            found.append(claim)
    return sorted(set(found))


def sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if re.search(r"[a-z]", s, re.I)])


def first_sentence(text: str) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return parts[0] if parts else ""
