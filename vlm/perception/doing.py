""""Is she drinking?", "Is the man getting a haircut?": yes/no questions about an activity, answered from the
likely-activity line (extractive, no LLM).

The likely activity is a guess (`vlm.perception.activity`), right for about a third of the real clips. Asked
whether someone does a thing, the reader said yes to an activity the line ranks second at 4% ("Is the man
getting a haircut?" -> "Yes, a haircut is seen.") and "I can't tell" to the line's own first guess. Here the
question is matched with the sentence model to the line's activities (as "Is someone <activity>?"): the likeliest
that matches says where it stands, as a guess; a question that names another activity of the vocabulary gets
"I can't tell" and the line's guesses (the reader said "Yes, someone plays the piano." over "playing guitar"). Postures,
what is worn or held, and speech are other routes' and the reader's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from vlm.english import QUESTION_START, listed
from vlm.perception.howmany import PEOPLE

SUBJECT = r"(?:he|she|they|someone|somebody|anyone|anybody|(?:the|this|that|these|those)\s+(?:\w+\s+)?" + PEOPLE + r")"
DOING = re.compile(QUESTION_START + r"(?:is|are|was|were)\s+" + SUBJECT + r"\s+(?:\w+ly\s+|also\s+|still\s+)?"
                   r"(?P<what>(?P<verb>[a-z]+ing)\b[^?.!]*)", re.I)
# -ing words that name a posture, what is worn or held, or speech: the people line, the objects, the transcript.
NOT_ACTIVITIES = frozenset("""standing sitting lying kneeling crouching leaning bending wearing holding carrying
looking watching facing smiling talking speaking saying telling asking shouting calling going coming moving being
having using doing trying""".split())
MIN_SIMILARITY = 0.65   # question to "Is someone <activity>?": getting a haircut / haircut 0.82, riding a horse /
#                         horse riding 0.80, doing parkour 0.77, playing guitar 0.84, dancing / salsa dancing 0.65;
#                         "Is she cutting vegetables?" / making a sandwich 0.39, "Is the man signing?" / sign language
#                         interpreting 0.47 (left to the reader)
NAMED = 0.1             # a question this much closer to an activity of the vocabulary names one ("playing the piano")
SURE = 0.10             # the line's first guess at least this confident is "probably"
GUESS = "a guess from the objects and poses, not certain"


@lru_cache(maxsize=1)
def _vocabulary():
    from vlm.perception.activity import display_name, load_vocabulary
    from vlm.text import text_encoder

    names = list(dict.fromkeys(display_name(v) for v in load_vocabulary()))
    return names, text_encoder().encode([f"Is someone {n}?" for n in names])          # (V, D) unit vectors


def answer_doing(question: str, context) -> str | None:
    """'Yes, probably: playing guitar is the likeliest activity (...).' / 'Possibly: haircut is among the likely
    activities, after braiding hair (...).'; "I can't tell: the likely activities are ..." for an activity of the
    vocabulary the line does not have (not "it is not among them": near-synonyms such as "jumping" and "high
    jump" make that unsafe); None for other questions, a weak match and without the line."""
    m = DOING.search(question)
    if m is None or not context.activity or m.group("verb").lower() in NOT_ACTIVITIES:
        return None
    from vlm.text import text_encoder

    line = [name for name, _ in context.activity]
    emb = text_encoder().encode([question] + [f"Is someone {n}?" for n in line])          # (1 + K, D) unit vectors
    sims = (emb[1:] @ emb[0]).tolist()
    k = next((i for i, sim in enumerate(sims) if sim >= MIN_SIMILARITY), None)      # the likeliest that matches
    if k is None:   # an activity of the vocabulary the line does not have: the reader said "Yes, someone plays the
        #             piano." over "playing guitar, playing flute, playing harp"
        names, vocab = _vocabulary()
        if float((vocab @ emb[0]).max()) < MIN_SIMILARITY + NAMED:
            return None
        return f"I can't tell: the likely activities are {listed(line)} ({GUESS})."
    if k == 0:
        sure = "Yes, probably" if context.activity[0][1] >= SURE else "Possibly"
        return f"{sure}: {line[0]} is the likeliest activity ({GUESS})."
    return f"Possibly: {line[k]} is among the likely activities, after {' and '.join(line[:k])} ({GUESS})."
