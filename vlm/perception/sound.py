"""Answering questions about the sound as a whole ("Tell me about the audio.", "Is there any music?", "Is the
video silent?") from the speech part's finding (extractive, no LLM).

The speech part knows whether there is an audio track, whether it is silent, and whether speech is heard in it,
but nothing of what a sound that is not speech is: music, applause and a dog's bark all read "an audio track, but
no speech heard". The reader, trained on questions about what is said, answered "Tell me about the audio." with
"No audio is given." where the track holds sound, and "Is there any music?" with "No. No music is played.", a
claim no fact makes. Here such questions get what the part found and, for music or any other named sound, that
the facts cannot tell it from other sound. Questions about what is said stay with the reader, but for a request
for the transcript (`answer_transcript`) and for what is said first, last or at a time (`answer_said_at`: the
reader quotes the first two segments whatever the question points at).
"""
from __future__ import annotations

import re

from vlm.english import END_POINT, QUESTION_START, YES_NO_QUESTION, listed, points_to_start
from vlm.perception.base import fmt_span, fmt_time

SOUND_WORDS = r"(?:sound|sounds|audio|soundtrack|noise|noises)"
ABOUT_SOUND = re.compile(
    QUESTION_START + r"(?:(?:tell\s+me|what\s+can\s+you\s+(?:tell|say))\s+about\s+the\s+" + SOUND_WORDS + r"|"
    r"(?:describe|summari[sz]e)\s+the\s+" + SOUND_WORDS + r"|"
    r"what\s+(?:can|do)\s+(?:you|we|i)\s+hear|what\s+(?:is|are)\s+(?:heard|audible)|"
    r"what\s+(?:kind\s+of\s+|sort\s+of\s+)?" + SOUND_WORDS + r"\s+(?:is|are|can|do|does)|"
    r"what(?:'s|\s+is)\s+the\s+(?:audio|sound|soundtrack)(?:\s+like)?\s*\??$|"
    r"(?:is|are)\s+there\s+(?:any\s+|a\s+)?(?:" + SOUND_WORDS + r"|audio\s+track)\b|"
    r"(?:does|do)\s+(?:(?:the\s+|this\s+)?(?:video|clip)|it)\s+(?:have|contain|make)\s+(?:any\s+|a\s+)?(?:"
    + SOUND_WORDS + r"|audio\s+track)\b|"
    r"(?:is|was)\s+(?:the\s+|this\s+|it\s+)?(?:video|clip\s+)?(?:silent|quiet|muted|mute)\b|"
    r"(?:is|was)\s+(?:the\s+|this\s+)?(?:video|clip)\s+(?:silent|quiet|muted|mute)\b|"
    r"(?:what\s+does|how\s+does)\s+(?:it|this|that|the\s+(?:video|clip)|this\s+(?:video|clip))\s+sound\b|"
    r"can\s+(?:you|we|i)\s+hear\s+anything)", re.I)
# A named kind of sound the speech part cannot tell from any other sound.
NAMED_SOUND = re.compile(r"\b(?:music|musical|song|songs|singing|melody|instrument|instruments|applause|clapping|"
                         r"cheering|laughter|laughing|barking|bark|engine|traffic|birds?\s+sing\w*|wind|rain|"
                         r"background\s+music|beat|drumming|claps?|clapped|cheers?|cheered|laughs?|laughed|barks|"
                         r"barked)\b", re.I)
SOUND_NOUNS = {"clap": "clapping", "claps": "clapping", "clapped": "clapping", "cheer": "cheering",
               "cheers": "cheering", "cheered": "cheering", "laugh": "laughter", "laughs": "laughter",
               "laughed": "laughter", "bark": "barking", "barks": "barking", "barked": "barking"}
SILENT_ASKED = re.compile(r"\b(?:silent|quiet|muted|mute)\b", re.I)
# Whether anything is said at all ("Is there any speech?": the reader said it could not tell while the speech
# line said "no speech heard").
WHO = r"(?:anyone|anybody|someone|somebody|the\s+[a-z]+|he|she|they|people|the\s+[a-z]+\s+[a-z]+)"
SPEECH_ASKED = re.compile(
    QUESTION_START + r"(?:(?:is|are)\s+there\s+(?:any\s+|a\s+)?(?:speech|talking|dialogue|dialog|narration|voices?|"
    r"narrator|spoken\s+words?|conversation)|(?:does|do|did)\s+" + WHO + r"\s+(?:speak|talk|say\s+anything)|"
    r"(?:is|are|was|were)\s+" + WHO + r"\s+(?:speaking|talking|saying\s+anything)|"
    r"(?:can|do)\s+(?:you|we|i)\s+hear\s+(?:anyone|anybody|someone|somebody|a\s+voice|voices|speech|talking))"
    r"(?:\s+(?:in|during)\s+(?:the|this)\s+(?:video|clip))?\W*$", re.I)


# "Transcribe the speech.", "Give me the transcript.": the reader, trained on questions about what is said, said it
# could not tell.
TRANSCRIPT_ASKED = re.compile(
    QUESTION_START + r"(?:(?:please|can\s+you|could\s+you|would\s+you)\s+)?(?:(?:transcribe|write\s+down|write\s+out|"
    r"type\s+out)\b|(?:give|show|get)\s+(?:me\s+)?(?:the\s+|a\s+)?(?:full\s+)?(?:transcript|transcription)\b|"
    r"what(?:'s|\s+is)\s+the\s+(?:full\s+)?(?:transcript|transcription)\b|"
    r"quote\s+(?:her|him|them|the\s+(?:speech|words|speaker|narrator|man|woman|person)|what\s+(?:is|was|they|he|she)\s+"
    r"(?:said|says|say))\b|"
    # "What is she explaining?", "What is he talking about?" (the reader gave the likely activity)
    r"what\s+(?:is|was|are|were|does|did)\s+(?:he|she|they|someone|the\s+(?:speaker|narrator|man|woman|person|voice))\s+"
    r"(?:explaining|explain|describing|teaching|talking\s+about|speaking\s+about|talk\s+about|discussing|discuss|"
    r"saying\s+about)\W*$)", re.I)
# ... but "Transcribe the text on screen." asks for the on-screen text (the reader and `answer_written`).
WRITING_ASKED = re.compile(r"\b(?:text|texts|screen|sign|signs|captions?|subtitles?|written|writing|label|labels|title|"
                           r"titles|words\s+on|letters)\b", re.I)
MAX_TRANSCRIPT_SEGMENTS = 20


def answer_transcript(question: str, context) -> str | None:
    """The transcript with its times for "Transcribe the speech."; None for other questions and while the speech
    part runs."""
    if not TRANSCRIPT_ASKED.search(question) or WRITING_ASKED.search(question):
        return None
    heard = answer_speech_heard(context)        # None while the part runs
    t = context.part("speech")
    if heard is None or t is None or not t.segments:
        none = heard and heard.removeprefix("No, ")     # "nothing is said: the audio track is silent."
        return none and none[:1].upper() + none[1:]
    segs = t.segments[:MAX_TRANSCRIPT_SEGMENTS]
    more = f" (and {len(t.segments) - len(segs)} more)" if len(t.segments) > len(segs) else ""
    return "; ".join(f'{fmt_span(s.start, s.end)} "{s.text}"' for s in segs) + more + "."


# "What is the first thing she says?", "What does he say at the end?", "What's the last word?": the reader quotes the
# first two segments whatever the question points at.
SAID_AT = re.compile(
    QUESTION_START + r"(?:what|which|tell\s+me|quote)\b(?=.*\b(?:say|says|said|saying|speak|speaks|spoke|spoken|"
    r"utter\w*|shout\w*|words?|sentence|line|lines)\b)", re.I)
SAID_POSITION = re.compile(END_POINT + r"|\b(?:at|around)\s+(?P<m>\d{1,2}):(?P<s>\d{2})\b", re.I)
DOING = re.compile(r"\b(?:do|doing|done|happens?|happened|happening)\b", re.I)   # "What does he do after ..."
SAID_WORD = re.compile(r"\b(?:first|last|final)\s+word\b", re.I)
_WORD = re.compile(r"[A-Za-z0-9']+")


def answer_said_at(question: str, context) -> str | None:
    """The segment a question about what is said first, last or at 0:05 points at ('First, someone says "Start
    at the outer corner." (0:00).'), or the first or last word; None for other questions, where nothing is heard
    (the speech routes say so) and while the speech part runs."""
    if not SAID_AT.search(question) or WRITING_ASKED.search(question) or DOING.search(question) or \
            (where := SAID_POSITION.search(question)) is None:
        return None
    t = context.part("speech")
    if t is None or not t.segments:
        return None
    segs = t.segments
    if where.group("m"):
        at = 60 * int(where.group("m")) + int(where.group("s"))
        seg = min(segs, key=lambda s: 0.0 if s.start <= at <= s.end else min(abs(s.start - at), abs(s.end - at)))
        return f'At {fmt_time(at)}, someone says "{seg.text}" ({fmt_span(seg.start, seg.end)}).'
    first = points_to_start(where)
    seg = segs[0] if first else segs[-1]
    if SAID_WORD.search(question) and (words := _WORD.findall(seg.text)):
        return (f'The {"first" if first else "last"} word heard is "{words[0] if first else words[-1]}", in '
                f'"{seg.text}" ({fmt_time(seg.start)}).')
    if len(segs) == 1:
        return f'Someone says only "{seg.text}" ({fmt_time(seg.start)}).'
    return f'{"First" if first else "Last"}, someone says "{seg.text}" ({fmt_time(seg.start)}).'


_QUOTED = re.compile(r'"([^"]+)"')
SEEING = re.compile(r"\b(?:happens?|happened|shown|see|seen)\b", re.I)   # "What happens next?": the moment route


def answer_said_next(question: str, context, history=()) -> str | None:
    """"And then?" after an answer that quotes what is said: the segment after the last one it quotes ('Then,
    someone says "..." (0:06).'), or that nothing more is said; None otherwise ("What happens next?" is
    `answer_moment`'s)."""
    from vlm.perception.moment import NEXT

    answers = [t["content"] for t in history if t.get("role") == "assistant"]
    t = context.part("speech")
    if not NEXT.search(question) or SEEING.search(question) or not answers or t is None:
        return None
    quoted = {q.strip() for q in _QUOTED.findall(answers[-1])}
    index = max((i for i, s in enumerate(t.segments) if s.text.strip() in quoted), default=None)
    if index is None:
        return None
    if index + 1 == len(t.segments):
        return "Nothing more is said after that."
    seg = t.segments[index + 1]
    return f'Then, someone says "{seg.text}" ({fmt_time(seg.start)}).'


def _heard(transcript) -> str:
    quotes = " and then ".join(f'"{s.text}" ({fmt_time(s.start)})' for s in transcript.segments[:2])
    more = f", and {len(transcript.segments) - 2} more" if len(transcript.segments) > 2 else ""
    return f"someone speaks: {quotes}{more}"


def answer_sound(question: str, context) -> str | None:
    """The sound as the speech part found it, for a question about the sound as a whole or a named kind of it
    ("Is there any music?"); None for other questions and while the part is running."""
    if SPEECH_ASKED.search(question):
        return answer_speech_heard(context)
    named = NAMED_SOUND.search(question)
    asks_named = named is not None and YES_NO_QUESTION.search(question) is not None and \
        not re.search(r"\b(?:play|plays|playing|played)\b", question, re.I)   # "Is he playing an instrument?"
    if not (ABOUT_SOUND.search(question) or asks_named):
        return None
    state = context.parts.get("speech")
    if state is None or state.pending:
        return None
    t = context.part("speech")
    if t is None:   # unavailable or failed: the note says why
        return f"I can't tell: {state.note or 'the sound was not analysed'}."
    note = t.note
    silent = not t.segments and _silent(note)
    if asks_named:
        what = SOUND_NOUNS.get(named.group(0).lower(), named.group(0).lower())   # "Do people clap?": clapping
        if silent:
            return f"No {what} can be heard: {_no_sound(note)}."
        return (f"I can't tell whether there is {what}. " +
                ("There is sound, but no speech, and the facts do not say what the sound is."
                 if not t.segments else _heard(t)[:1].upper() + _heard(t)[1:] + "; the facts say nothing of other "
                 "sounds."))
    if t.segments:
        fact = _heard(t) + (f" ({note})" if note else "")
    elif silent:
        fact = _no_sound(note)
    elif "decoded" in note:
        return f"I can't tell: {note}."
    else:
        fact = "there is sound, but no speech is heard; the facts do not say what the sound is"
    if YES_NO_QUESTION.search(question):
        sound = not silent
        yes = (not sound) if SILENT_ASKED.search(question) else sound
        return ("Yes, " if yes else "No, ") + fact + "."
    return fact[:1].upper() + fact[1:] + "."


def answer_speech_heard(context) -> str | None:
    """"Is there any speech?" / "Does anyone talk?": yes with the first words, or no and why; None while the
    speech part runs or when it did not run."""
    state = context.parts.get("speech")
    if state is None or state.pending:
        return None
    t = context.part("speech")
    if t is None:
        return f"I can't tell: {state.note or 'the sound was not analysed'}."
    if t.segments:
        return "Yes, " + _heard(t) + "."
    if _silent(t.note):
        return f"No, nothing is said: {_no_sound(t.note)}."
    if "decoded" in t.note:
        return f"I can't tell: {t.note}."
    return "No, no speech is heard; there is sound, but the facts do not say what it is."


def _silent(note: str) -> bool:
    """Whether the speech part's note says there is nothing to hear (no track, or a silent one)."""
    return "no audio" in note or "silent" in note or "no samples" in note


def _why_nothing_said(note: str) -> str:
    return _no_sound(note) if _silent(note) else "there is sound, but no speech is heard"


def _no_sound(note: str) -> str:
    return "the video has no audio track" if "no audio" in note else "the audio track is silent"


# "How long does she talk?", "For how long is there speech?": the reader said "I can't tell from the video." with
# the transcript's times in front of it.
SPEECH_LENGTH = re.compile(r"^\W*(?:and\s+)?(?:for\s+)?how\s+(?:long|many\s+seconds|much\s+time)\s+(?:(?:does|did|do|is|was|"
                           r"are|were)\s+)?(?:(?:he|she|they|someone|anyone|the\s+\w+|there)\s+)?(?:\w+\s+)?"
                           r"(?:talk|talks|talking|speak|speaks|speaking|speech|spoken|narrat\w*|voice\w*)\b", re.I)


def answer_speech_length(question: str, context) -> str | None:
    """'About 6 seconds in all: 0:00-0:05 and 0:06-0:07.' for "How long does she talk?"; the no-speech answer
    where nothing is said; None for other questions and while the speech part runs."""
    if not SPEECH_LENGTH.search(question):
        return None
    t = context.part("speech")
    if t is None:
        return answer_speech_heard(context)       # running, or why it did not run
    if not t.segments:
        return "No one speaks: " + _why_nothing_said(t.note) + "."
    total = sum(max(s.end - s.start, 0.0) for s in t.segments)
    spans = [fmt_span(s.start, s.end) for s in t.segments]
    stretches = listed(spans) if len(spans) <= 4 else \
        f"{len(spans)} stretches from {fmt_time(t.segments[0].start)} to {fmt_time(t.segments[-1].end)}"
    return f"About {max(round(total), 1)} second{'s' if round(total) != 1 else ''} in all: {stretches}."


# "How many sentences does she say?", "How many times does he speak?", "How many words are spoken?": the reader
# said "No one speaks: there is sound, but no speech." with the transcript in front of it.
SPEECH_COUNT = re.compile(r"^\W*(?:and\s+)?how\s+many\s+(?P<what>times|sentences|lines|things|words|phrases|"
                          r"utterances)\s+(?:(?:does|did|do|is|are|was|were)\s+)?(?:(?:he|she|they|someone|anyone|the"
                          r"\s+\w+)\s+)?(?:say|says|said|speak|speaks|spoke|spoken|talk|talks|talked|heard|utter\w*)\b",
                          re.I)


def answer_speech_count(question: str, context) -> str | None:
    """'Two stretches of speech are heard: 0:00-0:05 and 0:06-0:07.' for "How many sentences does she say?"
    (about the words: 'About 21 words, in ...'); the no-speech answer where nothing is said; None for other
    questions and while the speech part runs."""
    m = SPEECH_COUNT.search(question)
    if m is None:
        return None
    t = context.part("speech")
    if t is None:
        return answer_speech_heard(context)
    if not t.segments:
        return "None: " + _why_nothing_said(t.note) + "."
    from vlm.perception.howmany import NUMBER_WORDS

    n = len(t.segments)
    name = {v: k for k, v in NUMBER_WORDS.items() if " " not in k}.get(n, str(n))
    spans = listed([fmt_span(s.start, s.end) for s in t.segments[:4]]) + (" ..." if n > 4 else "")
    stretches = f"{name} stretch{'es' if n > 1 else ''} of speech"
    if m["what"].lower() == "words":
        words = sum(len(re.findall(r"[A-Za-z0-9']+", s.text)) for s in t.segments)
        return f"About {words} words as speech recognition heard them, in {stretches} ({spans})."
    return f"{stretches[0].upper() + stretches[1:]} {'is' if n == 1 else 'are'} heard: {spans} (speech " \
           "recognition splits speech at pauses, not always at sentences)."



# "What language?" after "Is anyone speaking?", "Which language is spoken?", "Is she speaking English?": the
# transcript's language (the reader said "I can't tell from the video." to the bare follow-up).
LANGUAGE_ASKED = re.compile(r"^\W*(?:and\s+)?(?:in\s+)?(?:what|which)\s+language\b|\blanguage\s+(?:is|was)\s+(?:it|that|"
                            r"this|spoken|used)\b|^\W*(?:and\s+)?(?:is|are|was|were|does|do|did)\s+(?:he|she|they|"
                            r"someone|anyone|the\s+\w+|it)\s+(?:speaking|talking|speak|talk|in)\s+(?:in\s+)?(?P<named>(?-i:[A-Z][a-z]+))\b",
                            re.I)


def answer_language(question: str, context) -> str | None:
    """'English, as speech recognition heard it.' for "What language is spoken?"; yes or no for "Is she speaking
    French?"; the no-speech answer where nothing is said; None for other questions and while the part runs."""
    from vlm.perception.speech import LANGUAGES

    m = LANGUAGE_ASKED.search(question)
    named = m.group("named") if m is not None else None
    if m is None or named and named.lower() not in {v.lower() for v in LANGUAGES.values()}:
        return None      # "Is anyone talking in This video?": no language named
    t = context.part("speech")
    if t is None:
        return answer_speech_heard(context)       # running, or why it did not run
    if not t.segments:
        return "No one speaks, so there is no language to tell: " + _why_nothing_said(t.note) + "."
    lang = LANGUAGES.get(t.language or "", t.language or "")
    if not lang:
        return "I can't tell: speech recognition did not say which language it heard."
    if named:
        yes = named.lower() == lang.lower()
        return f"{'Yes' if yes else 'No'}, the speech is in {lang}, as speech recognition heard it."
    return f"{lang}, as speech recognition heard it."

