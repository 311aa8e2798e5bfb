"""Yes/no questions about what is said or written ("Does anyone mention a lake?", "Is the word SALE shown?"),
answered by looking the question's own words up in the transcript or in the text read on screen (extractive).

The reader was trained on "Does anyone speak?" and "Is there any text?", not on questions about what the words
are: asked "Does anyone mention a lake?" over "The ferry crosses the lake every hour." it answered "Yes, at 6%."
(a confidence off the objects line). Here the question's content words (quoted ones if it quotes, else what is
left after the question's own words) are looked up, plurals folded; at least half of them in one segment or
text item is a yes, quoted with its time, else a no that quotes what was heard or read, so a misheard word can
be seen for what it is. Questions that name no content ("Does anyone speak?") are left to the reader.
"""
from __future__ import annotations

import re

from vlm.english import YES_NO_QUESTION, singular
from vlm.perception.base import fmt_span, fmt_time
from vlm.perception.ocr import TEXT_QUESTION, WORD_QUESTION
from vlm.perception.speech import SPEECH_QUESTION
from vlm.perception.when import GENERIC

# Saying, not hearing: "Can you hear a dog barking?" asks about a sound, not about the words of the transcript.
SAY_QUESTION = re.compile(r"\b(?:say|says|said|saying|speak|speaks|spoke|speaking|talk|talks|talked|talking|mention|"
                          r"mentions|mentioned|tell|tells|told|ask|asks|asked|call|calls|called|shout|shouts|shouted|"
                          r"sing|sings|sang|narrator|words?)\b", re.I)
# Things that carry words: "Does the sign say STOP?" is about text ("Is the book open?" is not: it needs a verb of
# reading or writing).
WRITTEN_ON = re.compile(r"\b(?:sign|signs|label|poster|banner|board|shirt|t-shirt|sweatshirt|jersey|screen|page|"
                        r"book|card|cover|menu|plate|box|bottle|package)\b(?! language)", re.I)
# The question's own words, beside when.GENERIC's: what is left names what is said or written.
QUESTION_WORDS = set("""about anything something any mention mentions mentioned name names named talk talks talking
tell tells told speak speaks spoken hear heard hearing shout shouts shouted sing sings sung call calls called ask
asks asked discuss discusses read reads written write writes writing text texts caption captions title titles
subtitle subtitles shown show shows screen onscreen on letters lettering logo printed appear appears displayed
visible see seen word words of to for with his her their its him them me us any there here voice narrator narrates
sign signs label also ever how much many why who whom whose where anyone someone have has had it and or but if so
than watermark watermarks can could would will you your speech narration dialogue conversation audible
loud nothing everyone everybody people persons""".split())
READ_VERB = re.compile(r"\b(?:say|says|said|read|reads|written|write|writes|print|printed|spell|spells)\b", re.I)
# Verbs only speech has: "Does she mention the book?" is about speech though a book can carry words.
SPOKEN = re.compile(r"\b(?:speak|speaks|spoke|talk|talks|talked|talking|mention|mentions|mentioned|tell|tells|told|"
                    r"ask|asks|asked|shout|shouts|shouted|sing|sings|sang|narrator|voice)\b", re.I)


# Who the words are for, not what they are: "Is she talking to the camera?" (it got 'No, not in what is heard').
ADDRESSEE = re.compile(r"\b(?:speak|speaks|speaking|spoke|talk|talks|talking|talked)\s+(?:to|with|at)\b"
                       r"(?!.*\babout\b)", re.I)


def _fold(word: str) -> str:
    """Plurals, third persons and -ing/-ed folded, the same on both sides: 'boats' -> 'boat', 'ferries' ->
    'ferry', 'watches' -> 'watch', 'repairing' and 'repaired' -> 'repair'."""
    w = word.lower().strip("'")
    if len(w) >= 6 and w.endswith(("ing", "ed")):
        return w[:-3] if w.endswith("ing") else w[:-2]
    return singular(w)


def _words(text: str) -> set[str]:
    return {_fold(w) for w in re.findall(r"[A-Za-z0-9']+", text)}


_STOP = {_fold(w) for w in GENERIC | QUESTION_WORDS}


def content_words(question: str, *, about_text: bool = False) -> set[str]:
    """What the question asks to find: its quoted words, else its words that are not the question's own (nor,
    for text, the thing the words are on: "Does the sign say STOP?")."""
    quoted = re.findall(r'["“]([^"”]+)["”]', question)
    if quoted:
        return _words(" ".join(quoted))
    return {w for w in _words(question) if w not in _STOP and len(w) > 1 and
            not (about_text and WRITTEN_ON.fullmatch(w))}


def _same(a: str, b: str) -> bool:
    """One word; from five letters on, also one the start of the other ("skateboard" in Whisper's "skateboardy");
    from six, also one misread by a letter ("misfit" in OCR's "MISFIS"; "house" and "horse" stay apart)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    return a.startswith(b) or b.startswith(a) or min(len(a), len(b)) >= 6 and _one_edit(a, b)


def _one_edit(a: str, b: str) -> bool:
    """Whether one letter changed, added or dropped turns a into b."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i + (len(a) > len(b)):] == b[i + (len(b) > len(a)):]


def _found(words: set[str], text: str) -> bool:
    heard = _words(text)
    return sum(any(_same(w, h) for h in heard) for w in words) * 2 >= len(words)


def answer_mentioned(question: str, context) -> str | None:
    """'Yes: "The ferry crosses the lake every hour." (0:03).' for "Does anyone mention a lake?"; a no that
    quotes what was heard or read; None for questions of another kind, ones that name nothing to look for, and
    while the part that would answer is still running."""
    if not YES_NO_QUESTION.search(question):
        return None
    about_text = bool(TEXT_QUESTION.search(question)) or \
        bool(WRITTEN_ON.search(question) and READ_VERB.search(question) and not SPOKEN.search(question)) or \
        bool(WORD_QUESTION.search(question) and not SPEECH_QUESTION.search(question))
    if not about_text and (not SAY_QUESTION.search(question) or ADDRESSEE.search(question)):
        return None
    words = content_words(question, about_text=about_text)
    if not words:
        return None
    return _in_text(words, context.part("text")) if about_text else _in_speech(words, context.part("speech"))


def _in_speech(words: set[str], transcript) -> str | None:
    if transcript is None:
        return None
    if not transcript.segments:
        return f"No, nothing is said ({transcript.note})." if transcript.note else "No, nothing is said."
    for s in transcript.segments:
        if _found(words, s.text):
            return f'Yes: "{s.text}" ({fmt_time(s.start)}).'
    heard = " ".join(s.text for s in transcript.segments[:3]) + (" ..." if len(transcript.segments) > 3 else "")
    return f'No, not in what is heard: "{heard}"' + ("" if heard[-1] in ".!?" else ".")


def _in_text(words: set[str], text) -> str | None:
    if text is None:
        return None
    for i in text.items:
        if _found(words, i.text):
            where = "throughout the video" if i.kind == "overlay" else f"at {fmt_span(i.start, i.end)}"
            return f'Yes: "{i.text}" {"(a watermark) " if i.kind == "watermark" else ""}{where}.'
    read = [i for i in text.items if i.kind != "watermark"]
    if not read:
        return "No, no text is seen on screen."
    return "No; the text on screen reads " + "; ".join(f'"{i.text}"' for i in read[:3]) + "."
