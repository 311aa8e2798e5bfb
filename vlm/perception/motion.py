"""How much moves: "Is there a lot of movement?", "Is the video static?", "Does anything move?" answered from the
segment lines' motion words (extractive, no LLM).

The reader was trained to answer movement questions with the motion line's direction, so asked how much moves it
said "Mostly to the left." (a direction to a question about an amount). The segment lines say how fast the
fastest-moving tenth of the picture moves ("motion none / slight / moderate / strong"); here a question about the
amount gets those words with their times, after a yes or no where it asks one. Whether a named thing moves
("Does the boat move?") gets what those words can say: no where nothing moves, else that something moves but not
what. Which way things move stays with the reader. A question about the camera ("Is the camera moving?", "Is it shot on a
tripod?": the reader gave the motion line's direction) gets the camera line (`vlm.perception.vision.camera_line`:
how fast the picture as a whole shifts, which a person crossing a still background does not change).
"""
from __future__ import annotations

import re

from vlm.english import QUESTION_START, YES_NO_QUESTION
from vlm.perception.base import fmt_span
from vlm.perception.vision import camera_runs, motion_word, word_runs

LEVELS = ("none", "slight", "moderate", "strong")
MOVE = r"(?:movement|movements|motion|moving|move|moves|action|activity)"
THINGS = r"(?:anything|something|everything|things|stuff)"
SCENE = r"(?:the|this)\s+(?:video|scene|picture|shot|footage|clip|image|view)"   # not "it": a follow-up's thing
AMOUNT_QUESTION = re.compile(
    QUESTION_START + r"(?:"
    r"how\s+much\s+" + MOVE + r"|"
    r"(?:is|was|are|were)\s+there\s+(?:a\s+lot\s+of|lots\s+of|much|any|little|no|some)\s+" + MOVE + r"|"
    r"(?:does|did|do)\s+" + THINGS + r"\s+move\b|"
    r"(?:is|was|are|were)\s+" + THINGS + r"\s+(?:moving|still|static)\b|"
    r"(?:is|was)\s+" + SCENE + r"\s+(?:static|still|stationary|calm|busy|moving|fast|slow|"
    r"full\s+of\s+" + MOVE + r")\b|"
    r"(?:does|did)\s+" + SCENE + r"\s+(?:have|show|contain)\s+(?:a\s+lot\s+of|lots\s+of|much|any)\s+" + MOVE + r"|"
    r"how\s+(?:fast|quickly)\s+(?:do|does)\s+" + THINGS + r"\s+move)", re.I)
# Which way, the camera, and the playback speed ("Is this slow motion?") are other questions.
OTHER_QUESTION = re.compile(r"\b(?:left|right|up|down|upward|downward|towards?|away|closer|further|farther|apart|"
                            r"direction|which\s+way|across|camera|slow[\s-]*(?:motion|mo)|time[\s-]*lapse|"
                            r"sped\s+up|speeded\s+up)\b", re.I)
STILL_ASKED = re.compile(r"\b(?:static|still|stationary|calm|slow|little|no)\b", re.I)
LOT_ASKED = re.compile(r"\b(?:a\s+lot|lots|much|busy|fast|full)\b", re.I)


def motion_runs(segments) -> list[tuple[float, float, str]]:
    """(start, end, motion word) of each run of neighbouring segments that move alike."""
    return word_runs(segments, lambda s: motion_word(s.motion))


def motion_levels(segments) -> list[int]:
    """Each segment's motion word as its index in LEVELS (0 none ... 3 strong)."""
    return [LEVELS.index(motion_word(s.motion)) for s in segments]


def motion_text(segments) -> str:
    """'Strong motion at 0:02-0:05, slight at 0:00-0:02', the larger amounts first; 'Slight motion throughout'."""
    runs = motion_runs(segments)
    if len(runs) == 1:
        return "No motion throughout" if runs[0][2] == "none" else f"{runs[0][2].capitalize()} motion throughout"
    words = sorted({w for _, _, w in runs}, key=lambda w: -LEVELS.index(w))
    parts = [f"{w} at " + " and ".join(fmt_span(a, b) for a, b, x in runs if x == w) for w in words]
    return parts[0][0].upper() + parts[0][1:].replace(" at ", " motion at ", 1) + "".join(f", {p}" for p in parts[1:])


def answer_motion(question: str, context) -> str | None:
    """"Yes: strong motion at 0:02-0:05, slight at 0:00-0:02." for a question about how much moves; None for
    other questions, and where the context has no segment lines."""
    if not context.segments or AMOUNT_QUESTION.search(question) is None or OTHER_QUESTION.search(question):
        return None
    levels = motion_levels(context.segments)
    spans = [s.end - s.start for s in context.segments]
    text = motion_text(context.segments) + " (how fast the fastest-moving part of the picture moves)."
    if YES_NO_QUESTION.search(question) is None:
        return text
    if STILL_ASKED.search(question):        # "Is the video static?", "Is there little movement?"
        yes = max(levels) <= 1
    elif LOT_ASKED.search(question):        # "Is there a lot of movement?": strong anywhere, or moderate mostly
        busy = sum(d for d, k in zip(spans, levels) if k >= 2)
        yes = max(levels) == 3 or busy >= 0.5 * sum(spans)
    else:                                   # "Does anything move?", "Is there any movement?"
        yes = max(levels) >= 1
    return ("Yes: " if yes else "No: ") + text[0].lower() + text[1:]


CAMERA_QUESTION = re.compile(
    QUESTION_START + r"(?:(?:is|was|does|did)\s+(?:the\s+)?camera\s+(?:moving|move|moves|still|static|steady|stable|"
    r"fixed|stationary|pan|panning|pans|shaking|shaky|shake|follow|following|track|tracking|zoom|zooming|handheld|"
    r"hand-held)\b|(?:how|which\s+way)\s+does\s+the\s+camera\s+move|(?:is|was)\s+(?:it|this|the\s+(?:video|clip|"
    r"footage|shot))\s+(?:shot|filmed|recorded|taken)\s+(?:on|with|from)\s+a\s+tripod|(?:is|was)\s+(?:it|this|the\s+"
    r"(?:video|clip|footage|shot))\s+(?:handheld|hand-held)|(?:does|did)\s+the\s+camera\s+stay\s+still|what\s+does"
    r"\s+the\s+camera\s+do)", re.I)
CAMERA_STILL_ASKED = re.compile(r"\b(?:still|static|steady|stable|fixed|stationary|tripod|stay)\b", re.I)


def answer_camera(question: str, context) -> str | None:
    """"Yes: the camera moves at 0:00-0:05 (the whole picture shifts), and is still at 0:05-0:10." for a question
    about the camera; None for other questions and where the segments do not say (no flow measured)."""
    runs = camera_runs(context.segments)
    if not runs or CAMERA_QUESTION.search(question) is None:
        return None
    moving = [r for r in runs if r[2] != "still"]
    if len(runs) == 1:
        text = {"still": "the camera looks still (the background does not shift)",
                "moving": "the camera moves (the whole picture shifts)",
                "slightly moving": "the camera moves a little (the picture shifts slightly)"}[runs[0][2]]
    else:
        text = "the camera is " + ", ".join(f"{w} at {fmt_span(a, b)}" for a, b, w in runs) + \
               " (from how the whole picture shifts)"
    if YES_NO_QUESTION.search(question) is None:
        return text[0].upper() + text[1:] + "."
    still_asked = CAMERA_STILL_ASKED.search(question) is not None
    if 0 < len(moving) < len(runs):
        yes = "Partly"
    else:
        yes = "Yes" if bool(moving) != still_asked else "No"
    return f"{yes}: {text}."


# Whether a named thing moves, and what moves: the motion words measure the picture, not one thing in it. The
# reader answered "Does the boat move?" with "No, no boat moves." over slight motion with the camera still, and
# "What moves?" with a direction ("Mostly to the right.").
THING_MOVES = re.compile(
    QUESTION_START + r"(?:(?:does|did|do)\s+(?:the|a|an|this|that|any)\s+(?P<a>[a-z]+(?:\s+[a-z]+)?)\s+move\b|"
    r"(?:is|are|was|were)\s+(?:the|a|an|this|that)\s+(?P<b>[a-z]+(?:\s+[a-z]+)?)\s+(?:moving|still|static|"
    r"stationary|in\s+motion)\b)", re.I)
WHAT_MOVES = re.compile(QUESTION_START + r"(?:what|which\s+[a-z]+)\s+(?:is\s+|are\s+)?(?:moving|moves|move)\b", re.I)
NOT_A_MOVER = re.compile(r"\b(?:camera|video|scene|picture|shot|footage|clip|image|view|he|she|they|it)$", re.I)


def answer_thing_moves(question: str, context) -> str | None:
    """'Possibly: something moves while the camera stays still (slight motion throughout), but the facts do not
    say what.' for "Does the boat move?"; a no where nothing in the picture moves; the same without a guess for
    "What is moving?". None for people (the people line answers), the camera, amounts and directions."""
    from vlm.perception.howmany import PEOPLE

    if not context.segments or OTHER_QUESTION.search(question):
        return None
    m = THING_MOVES.search(question)
    thing = (m["a"] or m["b"]).lower() if m else None
    if m is None and WHAT_MOVES.search(question) is None or \
            thing and (NOT_A_MOVER.search(thing) or re.search(rf"\b{PEOPLE}$", thing, re.I)):
        return None
    levels = motion_levels(context.segments)
    amount = motion_text(context.segments)
    amount = amount[0].lower() + amount[1:]
    still_asked = thing is not None and re.search(r"\b(?:still|static|stationary)\b", question, re.I)
    if max(levels) == 0:
        return ("Yes" if still_asked else "No") + ": nothing in the picture moves (" + amount + ")." if thing else \
            "Nothing: no motion is measured in the analysed frames."
    runs = camera_runs(context.segments)
    camera = " while the camera stays still" if runs and all(r[2] == "still" for r in runs) else \
        ", but the camera moves too" if runs else ""
    if thing is None:
        return f"The facts do not say what moves: something does{camera} ({amount})."
    lead = "Possibly not" if still_asked else "Possibly"      # "Is the boat still?"
    return f"{lead}: something moves{camera} ({amount}), but the facts do not say whether it is the {thing}."
