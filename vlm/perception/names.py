"""'What is the dog called?' answered from what is said and written (extractive, no LLM).

Only words can give a person's or an animal's name: a name said ("This is Bruno") or written (a caption, a
title). The reader says it cannot tell to "What is the dog's name?" but answered "What is the dog called?" with
"A dog.". Here a question about the name of someone or some animal in the video, where nothing is said and no
text is read, gets that it cannot tell and why; with speech or text it stays with the reader, which quotes them.
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START
from vlm.perception.howmany import PEOPLE

BEINGS = (PEOPLE + r"|dogs?|puppy|puppies|cats?|kittens?|horses?|pony|ponies|animals?|pets?|birds?|he|she|they|him|"
          r"her|them|it|this\s+(?:guy|person)|that\s+(?:guy|person)")
_THE = r"(?:(?:the|this|that|these|those|his|her|their|its)\s+)?(?:[a-z]+\s+)?"   # "the little dog"
NAME_QUESTION = re.compile(
    QUESTION_START + r"(?:"
    r"what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+" + _THE + r"(?:" + BEINGS + r")(?:'s|s')?\s+(?:called|named|names?)\b|"
    r"what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:his|her|their|its|your)\s+names?\b|"
    r"what(?:'s|\s+is|\s+was|\s+are|\s+were)\s+the\s+names?\s+of\s+" + _THE + r"(?:" + BEINGS + r")\b|"
    r"what\s+(?:do|does|did)\s+(?:they|people|you|we|the\s+\w+)\s+call\s+" + _THE + r"(?:" + BEINGS + r")\b|"
    r"(?:does|do|did)\s+" + _THE + r"(?:" + BEINGS + r")\s+have\s+a\s+name\b)", re.I)


def answer_name(question: str, context) -> str | None:
    """"I can't tell: nothing is said or written in the video, and only words could tell that." for a name question where
    the speech part heard nothing and the text part read nothing; None otherwise (the reader reads the words), and
    while either part runs."""
    if NAME_QUESTION.search(question) is None:
        return None
    speech, text = context.parts.get("speech"), context.parts.get("text")
    if any(s is not None and s.pending for s in (speech, text)):
        return None
    said = context.part("speech")
    read = context.part("text")
    if said is not None and said.segments or read is not None and any(i.kind != "watermark" for i in read.items):
        return None
    return "I can't tell: nothing is said or written in the video, and only words could tell that."
