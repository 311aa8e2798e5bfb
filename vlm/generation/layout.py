"""A scene layout: what a small LLM can get right, compiled into a keyframe plan it cannot.

Asked for raw box coordinates, SmolLM2-135M copies its nearest worked example's numbers: a square that should
fall grows instead (25% of the benchmark's rules right). Asked to choose among words — where each thing is
(`left`, `top`, ...), which way it moves, whether it grows — it answers the prompt, and `compile_layout` turns the
words into boxes, the same way every time (VideoDirectorGPT and LVD plan in boxes because GPT-4 can).

The schema is also grounded in the prompt (`layout_schema(prompt)`): the shapes, colours and numbers the LLM may
write are those the prompt mentions (all of them when it mentions none), and there is one entity per thing named.
Decoding then copies the prompt's words and spends its choices on relations, motion and size.
"""
from __future__ import annotations

import re
from typing import Literal

import numpy as np

from pydantic import BaseModel, Field

from vlm.generation.plan import BACKGROUNDS, COLOURS, KEYFRAMES, SHAPES, Entity, Plan, repair, to_grid

PLACES = {  # centre (x, y) in percent of the canvas
    "left": (20, 55), "center": (50, 50), "right": (80, 55), "top": (50, 18), "bottom": (50, 78),
    "top-left": (20, 18), "top-right": (80, 18), "bottom-left": (20, 78), "bottom-right": (80, 78),
}
MOTIONS = ("none", "right", "left", "down", "up", "towards", "away")
CHANGES = ("none", "bigger", "smaller")  # words whose first token carries the meaning ("grows" is g+rows)
SIZES = {"small": 0.7, "medium": 1.0, "large": 1.5}
BASE_SIZE = {  # (w, h) in percent at size "medium": the procedural sprites' natural proportions
    "circle": (20, 20), "square": (20, 20), "triangle": (20, 20), "star": (18, 18), "ball": (16, 16),
    "car": (30, 20), "tree": (26, 45), "house": (32, 38), "person": (14, 38), "sun": (24, 24),
    "cloud": (30, 18), "fish": (22, 14),
}
NATURAL_COLOUR = {  # offered beside the prompt's colours, for things the prompt gives no colour
    "circle": "blue", "square": "blue", "triangle": "orange", "star": "yellow", "ball": "red", "car": "grey",
    "tree": "green", "house": "brown", "person": "black", "sun": "yellow", "cloud": "white", "fish": "orange",
}
COLOUR_CHOICES = (*COLOURS, "natural")  # natural: the sprite as drawn (an emoji's own colours)
MAX_COUNT = 5
_TRAVEL = (12, 88)  # a travelling entity's centre goes from one of these to the other
_DEPTH = {"towards": ("bigger", 8), "away": ("smaller", -8)}  # along the camera axis: size, and a drift down/up

NUMBERS = {"one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "pair": 2, "both": 2, "three": 3, "four": 4, "five": 5,
           **{str(n): n for n in range(1, MAX_COUNT + 1)}}


class EntitySpec(BaseModel):
    shape: str = Field(min_length=1, max_length=24)  # the thing's noun: a procedural shape or a sprite found by name
    colour: Literal[COLOUR_CHOICES]  # type: ignore[valid-type]
    count: int = Field(ge=1, le=MAX_COUNT)
    motion: Literal[MOTIONS]  # type: ignore[valid-type]
    change: Literal[CHANGES]  # type: ignore[valid-type]
    place: Literal[tuple(PLACES)]  # type: ignore[valid-type]  # after motion: a mover's place follows its motion
    size: Literal[tuple(SIZES)] = "medium"  # type: ignore[valid-type]


class Layout(BaseModel):
    background: Literal[BACKGROUNDS]  # type: ignore[valid-type]
    entities: list[EntitySpec] = Field(min_length=1, max_length=4)


def parse(prompt: str):
    """The prompt read by vlm.generation.prompt, with the sprite lexicon telling nouns apart."""
    from vlm.generation.prompt import parse_prompt
    from vlm.generation.sprites import is_noun_word

    return parse_prompt(prompt, is_noun_word)


def prompt_vocabulary(prompt: str) -> dict:
    """The nouns (in order, one per thing named), colours and counts a prompt mentions."""
    spec = parse(prompt)
    return {"shapes": [t.noun for t in spec.things], "colours": sorted({t.colour for t in spec.things if t.colour}),
            "counts": sorted({1} | {t.count for t in spec.things})}


def structure(prompt: str) -> str:
    """The prompt with its things, colours and numbers blanked ("two red balls fall" -> "several thing fall"):
    what is left is the request's structure (motion, relations, size), by which worked examples are matched."""
    spec = parse(prompt)
    out, last = [], 0
    for t in spec.things:
        out += [prompt[last:t.start].lower(), "several thing" if t.count > 1 else "thing"]
        last = t.end
    out.append(prompt[last:].lower())
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _const(v) -> dict:
    return {"const": v}


def spec_schema(spec) -> dict:
    """The Layout's JSON schema built from a parsed prompt: one entity per thing it names, in its order, each
    with that thing's noun, colour, count and (when the prompt says) motion and size change fixed; the LLM
    chooses where things are, what the prompt leaves open, and the background if the prompt names no place."""
    schema = Layout.model_json_schema()
    item = schema["$defs"]["EntitySpec"]
    item["properties"].pop("size")  # from the prompt's size word, else medium: set after decoding
    item["required"] = list(item["properties"])
    item["properties"]["count"] = {"enum": list(range(1, MAX_COUNT + 1)), "type": "integer"}
    item["properties"]["shape"] = {"enum": list(SHAPES), "type": "string"}
    if spec.background:
        schema["properties"]["background"] = _const(spec.background)
    things = spec.things[:4]
    if not things:
        return schema

    def entity(t) -> dict:
        props = {**item["properties"], "shape": _const(t.noun), "count": _const(min(t.count, MAX_COUNT)),
                 "colour": _const(t.colour or ("natural" if t.noun not in NATURAL_COLOUR else NATURAL_COLOUR[t.noun]))}
        if t.motion:
            props["motion"] = _const("none" if t.motion == "still" else t.motion)
        elif t.moves:  # "a dog runs": which way is the planner's choice
            props["motion"] = {"enum": ["right", "left", "down", "up"], "type": "string"}
        else:          # the prompt gives it no motion: it stays
            props["motion"] = _const("none")
        props["change"] = _const(t.change or "none")
        return {**item, "properties": props}

    entities = schema["properties"]["entities"]
    entities.pop("items")
    entities.update({"minItems": len(things), "maxItems": len(things), "items": False,
                     "prefixItems": [entity(t) for t in things]})
    del schema["$defs"]
    return schema


def layout_schema(prompt: str | None = None) -> dict:
    """spec_schema of the prompt (without one: every shape of the procedural set, every colour)."""
    from vlm.generation.prompt import PromptSpec

    return spec_schema(parse(prompt) if prompt else PromptSpec(""))


def apply_prompt(layout: Layout, spec) -> Layout:
    """What the prompt says that places decide: relations ("above", "to the left of", "next to") set the two
    things' places, a size word the size; the LLM's other choices stand."""
    ents = layout.entities
    for t, e in zip(spec.things, ents):
        if t.size:
            e.size = t.size
    for kind, a, b in spec.relations:
        if a >= len(ents) or b >= len(ents):
            continue
        first, second = {"above": ("top", "bottom"), "below": ("bottom", "top"), "left_of": ("left", "right"),
                         "right_of": ("right", "left"), "next_to": ("left", "right")}[kind]
        for e, place in ((ents[a], first), (ents[b], second)):
            if e.motion in ("left", "right") and place in ("left", "right"):
                continue  # a horizontal mover's place is where it starts: keep the LLM's
            e.place = place
    return layout


def _box(cx: float, cy: float, w: float, h: float) -> list[float]:
    return [cx - w / 2, cy - h / 2, w, h]


def _centres(spec: EntitySpec) -> list[tuple[float, float]]:
    """Start, middle and end centre of the group."""
    cx, cy = PLACES[spec.place]
    if spec.motion in _DEPTH:  # along the camera axis: a little lower (nearer) or higher (further) as it goes
        drift = _DEPTH[spec.motion][1]
        return [(cx, cy + drift * (k / (KEYFRAMES - 1) - 0.5)) for k in range(KEYFRAMES)]
    if spec.motion == "none":
        return [(cx, cy)] * KEYFRAMES
    lo, hi = _TRAVEL
    start, end = {"right": ((lo, cy), (hi, cy)), "left": ((hi, cy), (lo, cy)),
                  "down": ((cx, lo), (cx, hi)), "up": ((cx, hi), (cx, lo))}[spec.motion]
    return [(start[0] + (end[0] - start[0]) * k / (KEYFRAMES - 1), start[1] + (end[1] - start[1]) * k / (KEYFRAMES - 1))
            for k in range(KEYFRAMES)]


def _group(spec: EntitySpec, shrink: float = 1.0) -> list[list[list[float]]]:
    """Keyframe boxes (copies, K, 4) of `count` copies side by side across the motion (a row; a column for
    horizontal travel), a third of a size apart, scaled down until the group fits the canvas at its largest
    (copies must not touch: the verifier tracks each one), and shifted inside it."""
    change = _DEPTH[spec.motion][0] if spec.motion in _DEPTH else spec.change
    scale = {"none": (1, 1, 1), "bigger": (0.6, 1.0, 1.6), "smaller": (1.6, 1.0, 0.6)}[change]
    w, h = (v * SIZES[spec.size] * shrink for v in base_size(spec.shape))
    across_x = spec.motion not in ("right", "left")
    along = (w if across_x else h) * max(scale)
    fit = min(1.0, 90 / (along * (1.35 * (spec.count - 1) + 1)))
    w, h = w * fit, h * fit

    def spacing(w, h):  # centre to centre, still apart after boxes snap to the 5-point grid
        gap = (w if across_x else h) * max(scale) * 1.35
        return 5 * np.ceil((gap + 5) / 5) if gap < 40 else gap

    gap = spacing(w, h)
    while spec.count > 1 and gap * (spec.count - 1) + (w if across_x else h) * max(scale) > 98 and min(w, h) > 4:
        w, h = w * 0.9, h * 0.9
        gap = spacing(w, h)
    offsets = [gap * (i - (spec.count - 1) / 2) for i in range(spec.count)]
    group = np.array([[_box(cx + (o if across_x else 0), cy + (0 if across_x else o), w * s, h * s)
                       for (cx, cy), s in zip(_centres(spec), scale)] for o in offsets])   # (copies, K, 4)
    for axis in (0, 1):                                                                  # shift inside the canvas
        lo, hi = group[..., axis].min(), (group[..., axis] + group[..., axis + 2]).max()
        group[..., axis] += max(0.0, -lo) - max(0.0, hi - 100)
    return group.tolist()


def base_size(noun: str) -> tuple[float, float]:
    """(w, h) percent at medium size: the procedural sprite's, else the emoji glyph's proportions (24 on the long side)."""
    if noun in BASE_SIZE:
        from vlm.generation.sprites import resolve

        if noun in ("circle", "square", "triangle", "star", "ball") or resolve(noun).kind != "emoji":
            return BASE_SIZE[noun]
    from vlm.generation.sprites import glyph, resolve

    sprite = resolve(noun)
    g = glyph(sprite.char) if sprite.kind == "emoji" else None
    if g is None:
        return BASE_SIZE.get(noun, (22, 22))
    h, w = g.shape[:2]
    return (24.0, 24.0 * h / w) if w >= h else (24.0 * w / h, 24.0)


def _caption(spec: EntitySpec, k: int) -> str:
    thing = f"{spec.count if spec.count > 1 else 'a'} {spec.colour} {spec.shape}{'s' if spec.count > 1 else ''}"
    if k == 0:
        return f"{thing} at the {spec.place}" if spec.motion == "none" else thing
    verb = {"right": "moving right", "left": "moving left", "down": "falling", "up": "rising",
            "towards": "coming closer", "away": "moving away"}.get(spec.motion)
    grow = {"bigger": "growing", "smaller": "shrinking"}.get(spec.change)
    return " and ".join(p for p in (verb, grow) if p) or f"{thing} at the {spec.place}"


def crowding(a: list, b: list, steps: int = 7) -> float:
    """The fraction of moments (steps over the clip) at which some copy of group a touches some copy of group b
    (boxes grown by MARGIN): things a viewer, or a detector, cannot tell apart."""
    from vlm.generation.plan import interpolate

    ta = np.stack([interpolate(c, steps) for c in a])[:, None]                     # (A, 1, steps, 4)
    tb = np.stack([interpolate(c, steps) for c in b])[None]                        # (1, B, steps, 4)
    ix = np.minimum(ta[..., 0] + ta[..., 2], tb[..., 0] + tb[..., 2]) - np.maximum(ta[..., 0], tb[..., 0])
    iy = np.minimum(ta[..., 1] + ta[..., 3], tb[..., 1] + tb[..., 3]) - np.maximum(ta[..., 1], tb[..., 1])
    return float(((ix > -MARGIN) & (iy > -MARGIN)).any(axis=(0, 1)).mean())


MARGIN = 2.0       # percent of the canvas between things
ROW = {p: xy[1] for p, xy in PLACES.items()}
COLUMN = {p: xy[0] for p, xy in PLACES.items()}


def _snap(boxes: list) -> list:
    """Keyframe boxes on the 5-point grid (sizes at least 5), as the plan stores them."""
    return [[to_grid(max(v, 5.0)) if i >= 2 else to_grid(v) for i, v in enumerate(b)] for b in boxes]


def arrange(layout: Layout, locks: dict[int, set] | None = None) -> list[list]:
    """Each thing's copies' keyframe boxes, with things kept apart: the places (the LLM's where they work) that
    crowd least (a mover crossing another briefly is fine), moving as few things as possible and as little,
    keeping the row or column a relation fixed (locks: {thing: {"row", "column"}}); everything smaller when no
    choice of places is free."""
    import itertools

    locks = locks or {}
    ents = layout.entities
    copies = sum(e.count for e in ents)
    base = 1.0 if copies <= 4 else max(0.6, (4 / copies) ** 0.5)   # many things: each smaller
    options = []
    for k, spec in enumerate(ents):
        home = PLACES[spec.place]
        opts = [p for p in PLACES if ("row" not in locks.get(k, ()) or ROW[p] == ROW[spec.place])
                and ("column" not in locks.get(k, ()) or COLUMN[p] == COLUMN[spec.place])]
        options.append(sorted(opts, key=lambda p: (p != spec.place, np.hypot(PLACES[p][0] - home[0],
                                                                            PLACES[p][1] - home[1]))))
    best = None
    for shrink in (base, base * 0.8, base * 0.65, base * 0.5):     # everything smaller until everything fits
        boxes = [{p: [_snap(c) for c in _group(spec.model_copy(update={"place": p}), shrink)] for p in opts}
                 for spec, opts in zip(ents, options)]
        pair = {}
        for i, j in itertools.combinations(range(len(ents)), 2):
            pair[i, j] = {(p, q): crowding(boxes[i][p], boxes[j][q]) for p in options[i] for q in options[j]}
        for combo in itertools.product(*options):
            worst = max((pair[i, j][combo[i], combo[j]] for i, j in pair), default=0.0)
            moved = sum(p != e.place for p, e in zip(combo, ents))
            cost = (max(worst - 0.3, 0.0), moved, sum(options[k].index(p) for k, p in enumerate(combo)))
            if best is None or cost < best[0]:
                best = (cost, [boxes[k][p] for k, p in enumerate(combo)], combo)
            if cost == (0.0, 0, 0):
                break
        if best[0][0] == 0.0:
            break
    for spec, place in zip(ents, best[2]):
        spec.place = place
    return best[1]


def relation_locks(relations) -> dict[int, set]:
    """Which axis each related thing must keep: above/below its row, left/right of its column, next to both."""
    locks: dict[int, set] = {}
    for kind, a, b in relations:
        axes = {"above": {"row"}, "below": {"row"}, "left_of": {"column"}, "right_of": {"column"},
                "next_to": {"row", "column"}}[kind]
        for i in (a, b):
            locks.setdefault(i, set()).update(axes)
    return locks


def compile_layout(layout: Layout, *, keep_background: bool = False, relations=()) -> Plan:
    """Layout words -> a Plan with three keyframe boxes per entity (one entity per copy), things kept apart
    (arrange), repaired (keep_background: the prompt named the place, so repair may not swap it for one with
    more contrast)."""
    entities = []
    for group, (spec, copies) in enumerate(zip(layout.entities, arrange(layout, relation_locks(relations)))):
        for boxes in copies:
            entities.append(Entity(id=len(entities) + 1, name=spec.shape[:14], colour=spec.colour, shape=spec.shape,
                                   boxes=boxes, group=group, mirror=spec.motion == "right"))
    captions = ["; ".join(_caption(s, k) for s in layout.entities)[:80] for k in range(KEYFRAMES)]
    return repair(Plan(background=layout.background, entities=entities[:12], captions=captions),
                  keep_background=keep_background)
