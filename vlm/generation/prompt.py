"""What a prompt asks for, read without the LLM: the things it names (count, colour, size, noun), how each moves
or changes, how they stand to each other, and the place; and the checkable rules that follow from it.

The rules are derived from the prompt alone, so a plan (and the video rendered from it) can be checked against
what was asked rather than against itself. Nouns are open: any word the sprite lexicon knows (emoji names, the
procedural shapes, common synonyms), in the singular.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from vlm.english import singular

COLOUR_WORDS = {"red": "red", "green": "green", "blue": "blue", "yellow": "yellow", "orange": "orange",
                "purple": "purple", "violet": "purple", "pink": "pink", "brown": "brown", "white": "white",
                "black": "black", "grey": "grey", "gray": "grey", "cyan": "cyan", "turquoise": "cyan",
                "golden": "yellow", "gold": "yellow", "silver": "grey", "crimson": "red", "navy": "blue"}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "single": 1, "the": 1, "two": 2, "pair": 2, "couple": 2, "three": 3,
                "four": 4, "five": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "several": 3, "many": 3,
                "some": 3, "few": 3, "multiple": 3}
GROUPS = {"flock", "herd", "group", "pack", "bunch", "school", "crowd", "swarm", "team", "row", "line", "lot",
          "lots", "pile", "fleet", "family", "set", "several", "many", "some", "few"}  # "a flock of": three
SIZE_WORDS = {"small": "small", "little": "small", "tiny": "small", "big": "large", "large": "large",
              "huge": "large", "giant": "large"}
BACKGROUND_WORDS = {  # place words -> background keyword (vlm.generation.plan.BACKGROUNDS)
    "grass": "grass", "field": "grass", "meadow": "grass", "lawn": "grass", "park": "grass", "garden": "grass",
    "hill": "grass", "grassy": "grass", "farm": "grass", "city": "road", "town": "road", "starry": "night",
    "sandy": "sand", "ice": "snow", "farmyard": "grass", "forest": "grass", "woods": "grass", "sky": "sky", "air": "sky", "clouds": "sky", "night": "night",
    "stars": "night", "space": "night", "beach": "sand", "sand": "sand", "desert": "sand", "dunes": "sand",
    "sea": "sea", "ocean": "sea", "water": "sea", "lake": "sea", "river": "sea", "underwater": "sea",
    "pond": "sea", "room": "indoor", "kitchen": "indoor", "indoors": "indoor", "house": "indoor",
    "office": "indoor", "hall": "indoor", "road": "road", "street": "road", "highway": "road", "snow": "snow",
    "snowy": "snow", "winter": "snow", "white": "white", "dark": "dark", "black": "dark"}
PLACE_ONLY = {"grass", "field", "meadow", "lawn", "park", "garden", "hill", "sky", "air", "night", "space", "beach",
              "sand", "desert", "dunes", "sea", "ocean", "water", "lake", "river", "underwater", "pond", "room",
              "kitchen", "indoors", "office", "hall", "road", "street", "highway", "snow", "background", "ground", "farm",
              "farmyard", "forest", "woods", "city", "town", "snowy", "sandy", "grassy", "starry", "sunny", "rainy",
              "wall", "table", "sofa", "bed", "shelf", "desk", "floor", "air", "ice", "row", "line",
              "floor", "scene", "picture", "frame", "screen", "camera", "viewer", "middle", "center", "centre",
              "top", "bottom", "side", "left", "right", "distance", "way", "edge", "corner", "winter", "dunes", "backdrop",
              "setting", "surface"}
MOTION_PHRASES = [  # (regex, motion), the first match in a thing's clause wins; "from X to Y" before single words
    (r"from (?:the )?left (?:side )?to (?:the )?right", "right"), (r"from (?:the )?right (?:side )?to (?:the )?left", "left"),
    (r"from (?:the )?(?:top|sky) to (?:the )?(?:bottom|ground)", "down"), (r"from (?:the )?bottom to (?:the )?top", "up"),
    (r"toward[s]? (?:the )?(?:camera|viewer|us|you)|come[s]? (?:closer|near)|approach|\bcloser\b|\bnearer\b",
     "towards"),
    (r"away from (?:the )?(?:camera|viewer|us|you)|into the distance|recede|move[s]? away|drives? away|"
     r"walks? away|goes away|flies away|runs away", "away"),
    (r"stays? still|stands? still|sits? still|do(?:es)?(?:n'?t| not) move|not moving|motionless|stationary|"
     r"stays? (?:put|in place|where)|remains?(?: still)?|keeps? still|hold[s]? still|rests?\b|is still\b|\bwaits?\b|waiting|\bsleeps?\b|"
     r"sleeping|parked", "still"),
    (r"\bleftwards?\b|to the left\b(?! of)|\bleft\b(?! of| side of)|westwards?", "left"),
    (r"\brightwards?\b|to the right\b(?! of)|\bright\b(?! of| side of)|eastwards?", "right"),
    (r"\bupwards?\b|\bup\b|\brises?\b|\brising\b|\bascends?\b|\bclimbs?\b|\bsoars?\b|\blifts? off\b|\bgoes up\b|"
     r"\blaunch(?:es)?\b|\btakes? off\b", "up"),
    (r"\bdownwards?\b|\bdown\b|\bfalls?\b|\bfalling\b|\bdrops?\b|\bsinks?\b|\bdescends?\b|\bdives?\b|"
     r"\blands?\b", "down"),
]
CHANGE_PHRASES = [
    (r"\bgrows?\b|\bgrowing\b|gets? (?:bigger|larger)|becomes? (?:bigger|larger)|\bexpands?\b|\bswells?\b|"
     r"\benlarges?\b|\binflates?\b|\bbigger\b|\blarger\b", "bigger"),
    (r"\bshrinks?\b|\bshrinking\b|gets? smaller|becomes? smaller|\bcontracts?\b|\bdwindles?\b|\bdeflates?\b|"
     r"\bsmaller\b", "smaller"),
]
MOVING = (r"\b(?:runs?|running|walks?|walking|drives?|driving|fl(?:y|ies)|flying|swims?|swimming|moves?|moving|"
          r"rolls?|rolling|travel(?:s|l?ing)?|races?|racing|hops?|hopping|jumps?|crawls?|crawling|slides?|glides?|"
          r"sails?|sailing|gallops?|rides?|riding|wanders?|zooms?|speeds?|dashes|rushes|skates?|marches?|"
          r"trots?|paddles?|drifts?|passes|crosses|goes|chases?|chasing|follows?|across|hurr(?:y|ies))\b")  # a thing that moves, in a direction the prompt leaves open
RELATIONS = [  # (regex between two things, kind): "A above B" -> (kind, A, B)
    (r"\b(?:above|over|on top of|higher than)\b", "above"), (r"\b(?:below|under|beneath|underneath|lower than)\b", "below"),
    (r"\b(?:to the left of|left of|on the left of|(?:on|to) the left side of)\b", "left_of"),
    (r"\b(?:to the right of|right of|on the right of|(?:on|to) the right side of)\b", "right_of"),
    (r"\b(?:next to|beside|besides|alongside|near|by the side of|close to)\b", "next_to"),
]
HEADING = {"left", "right", "up", "down", "upward", "upwards", "downward", "downwards", "leftward", "leftwards",
           "rightward", "rightwards", "toward", "towards", "away", "off", "north", "south", "east", "west", "for",
           "into", "across", "back", "home", "out", "over"}
@dataclass
class Thing:
    noun: str                 # singular lemma
    count: int = 1
    colour: str | None = None
    size: str | None = None
    motion: str | None = None  # left, right, up, down, towards, away, still (None: the prompt does not say)
    change: str | None = None  # bigger, smaller
    moves: bool = False        # a motion verb without a direction ("a dog runs"): some motion, the planner's choice
    start: int = 0             # character span of the thing's words in the prompt
    end: int = 0


@dataclass
class PromptSpec:
    text: str
    things: list[Thing] = field(default_factory=list)
    relations: list[tuple[str, int, int]] = field(default_factory=list)   # (kind, a, b): "a kind b"
    background: str | None = None


@dataclass(frozen=True)
class Rule:
    kind: str       # count, colour, motion, still, moves, change, relation, background
    thing: int      # index into PromptSpec.things (-1: the scene)
    value: object   # 3, "red", "left", "bigger", ("above", 1), "grass"

    def describe(self, spec: PromptSpec) -> str:
        if self.kind == "background":
            return f"background {self.value}"
        noun = spec.things[self.thing].noun
        if self.kind == "relation":
            return f"{noun} {self.value[0].replace('_', ' ')} {spec.things[self.value[1]].noun}"
        return {"count": f"{self.value} {noun}", "colour": f"{noun} is {self.value}",
                "motion": f"{noun} moves {self.value}", "still": f"{noun} stays still", "moves": f"{noun} moves",
                "change": f"{noun} gets {self.value}"}[self.kind]


_WORD = re.compile(r"[a-zA-Z]+(?:'[a-z]+)?|\d+")


def parse_prompt(text: str, is_noun) -> PromptSpec:
    """The things, relations and place of a prompt. is_noun(word, after_modifier) says whether a word can name a
    thing (vlm.generation.sprites.is_noun_word: the sprite lexicon, or any plain word right after a number, size or
    colour); a noun phrase is [number] [size] [colour ...] NOUN, with two-word nouns ("fire truck")."""
    spec = PromptSpec(text)
    low = text.lower()
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(low)]
    i = 0
    while i < len(words):
        w, s, e = words[i]
        count, size, colour, j = None, None, None, i
        if w in NUMBER_WORDS and not (w == "the" and i + 1 < len(words) and words[i + 1][0] in PLACE_ONLY):
            count, j = NUMBER_WORDS[w], j + 1
            if w in ("pair", "couple") and j < len(words) and words[j][0] == "of":
                j += 1
        elif w in GROUPS and i + 1 < len(words) and words[i + 1][0] == "of":  # "a flock of birds": three
            count, j = 3, j + 2
        if j < len(words) and words[j][0] in GROUPS and j + 1 < len(words) and words[j + 1][0] == "of":
            count, j = 3, j + 2
        while j < len(words):
            wj = words[j][0]
            if wj in SIZE_WORDS:
                size = SIZE_WORDS[wj]
            elif wj in COLOUR_WORDS:
                colour = COLOUR_WORDS[wj]
            elif not (j > i and _adjective(words, j, is_noun)):
                break
            j += 1
        noun, k = _noun_at(words, j, is_noun, j > i)
        if noun and (count or colour or size or (i > 0 and words[i - 1][0] in ("and", "while", "with", "of"))):
            last = words[k - 1][0]
            plural = last != noun.split()[-1]  # "dogs" with no number: more than one (two)
            spec.things.append(Thing(noun, count or (2 if plural else 1), colour, size, start=s, end=words[k - 1][2]))
            i = k
            continue
        i += 1
    _clauses(spec, low)
    inside = lambda a: any(t.start <= a < t.end for t in spec.things)  # noqa: E731  (a thing's own words)
    spec.background = next((BACKGROUND_WORDS[w] for w, a, _ in words if w in BACKGROUND_WORDS and not inside(a)
                            and not _is_colour_of_thing(w, spec, low)), None)
    return spec


def _adjective(words, j: int, is_noun) -> bool:
    """An unknown word between a determiner and what follows it ("a tall tree", "a fluffy white cat")."""
    w = words[j][0]
    if j + 1 >= len(words) or w in NUMBER_WORDS or w in PLACE_ONLY or not w.isalpha() or is_noun(singular(w), False):
        return False
    nxt = words[j + 1][0]
    if singular(nxt) == "head" and j + 2 < len(words) and words[j + 2][0] in HEADING:
        return False  # "squirrels head right": the noun, then the verb
    if is_noun(f"{w} {singular(nxt)}", False):
        return False  # the first word of a two-word noun ("fire truck")
    return nxt in COLOUR_WORDS or nxt in SIZE_WORDS or is_noun(singular(nxt), False)


def _noun_at(words, j: int, is_noun, after_modifier: bool) -> tuple[str | None, int]:
    """The noun starting at word j (two words first: "fire truck"); is_noun(word, after_modifier)."""
    if j >= len(words):
        return None, j
    if j + 1 < len(words):
        two = f"{words[j][0]} {singular(words[j + 1][0])}"
        if is_noun(two, False):
            return two, j + 2
    w = words[j][0]
    lemma = singular(w)
    if w in PLACE_ONLY or lemma in PLACE_ONLY or w in COLOUR_WORDS or w in NUMBER_WORDS:
        return None, j
    if lemma == "head" and j + 1 < len(words) and words[j + 1][0] in HEADING:
        return None, j  # "three squirrels head right": the verb
    crude = w[:-1] if w.endswith("s") and len(w) > 3 else None  # "taxis", which the suffix rules leave alone
    for cand in (lemma, crude, w):  # a known noun first, then any plain word after a modifier
        if cand and is_noun(cand, False):
            return cand, j + 1
    for cand in (lemma, w):
        if is_noun(cand, after_modifier):
            return cand, j + 1
    return None, j


def _is_colour_of_thing(word: str, spec: PromptSpec, low: str) -> bool:
    """'white'/'black' as a background only when not a thing's colour ('a white cloud')."""
    return word in COLOUR_WORDS and any(t.colour == COLOUR_WORDS[word] for t in spec.things) and \
        not re.search(rf"\b{word} (?:background|backdrop|screen)", low)


def _clauses(spec: PromptSpec, low: str) -> None:
    """Motion and size change from the words after each thing (up to the next thing); relations between
    consecutive things from the words between them."""
    for k, t in enumerate(spec.things):
        nxt = spec.things[k + 1].start if k + 1 < len(spec.things) else len(low)
        clause = low[t.end:nxt]
        stop = re.search(r"\b(?:while|as|and|but|whereas)\b", clause)
        own = clause[:stop.start()] if stop and k + 1 < len(spec.things) else clause
        rel = next(((kind, m) for pattern, kind in RELATIONS if (m := re.search(pattern, own))), None)
        if rel and len(_WORD.findall(own[rel[1].end():])) > 1:
            rel = None  # "above a green field while a car...": the relation is to a place, not to the next thing
        motion_text = own[:rel[1].start()] if rel else own
        t.motion = next((m for pattern, m in MOTION_PHRASES if re.search(pattern, motion_text)), None)
        t.change = next((c for pattern, c in CHANGE_PHRASES if re.search(pattern, motion_text)), None)
        t.moves = t.motion is None and bool(re.search(MOVING, motion_text))
        if rel and k + 1 < len(spec.things):
            spec.relations.append((rel[0], k, k + 1))
    # a motion said once for a group of things ("a cat and a dog run to the left") applies to the ones before it
    for k in range(len(spec.things) - 2, -1, -1):
        t, nxt = spec.things[k], spec.things[k + 1]
        between = low[t.end:nxt.start]
        if t.motion is None and t.change is None and re.fullmatch(r"\s*and\s*", between):
            t.motion, t.change, t.moves = nxt.motion, nxt.change, nxt.moves


def rules_for(spec: PromptSpec) -> list[Rule]:
    out = []
    for i, t in enumerate(spec.things):
        out.append(Rule("count", i, t.count))
        if t.colour:
            out.append(Rule("colour", i, t.colour))
        if t.motion == "still":
            out.append(Rule("still", i, True))
        elif t.motion:
            out.append(Rule("motion", i, t.motion))
        elif t.moves:
            out.append(Rule("moves", i, True))
        if t.change:
            out.append(Rule("change", i, t.change))
    for kind, a, b in spec.relations:
        out.append(Rule("relation", a, (kind, b)))
    if spec.background:
        out.append(Rule("background", -1, spec.background))
    return out
