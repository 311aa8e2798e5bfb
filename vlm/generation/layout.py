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
MOTIONS = ("none", "right", "left", "down", "up")
CHANGES = ("none", "bigger", "smaller")  # words whose first token carries the meaning ("grows" is g+rows)
SIZES = {"small": 0.7, "medium": 1.0, "large": 1.5}
BASE_SIZE = {  # (w, h) in percent at size "medium": each sprite's natural proportions
    "circle": (20, 20), "square": (20, 20), "triangle": (20, 20), "star": (18, 18), "ball": (16, 16),
    "car": (30, 20), "tree": (26, 45), "house": (32, 38), "person": (14, 38), "sun": (24, 24),
    "cloud": (30, 18), "fish": (22, 14),
}
NATURAL_COLOUR = {  # offered beside the prompt's colours, for things the prompt gives no colour
    "circle": "blue", "square": "blue", "triangle": "orange", "star": "yellow", "ball": "red", "car": "grey",
    "tree": "green", "house": "brown", "person": "black", "sun": "yellow", "cloud": "white", "fish": "orange",
}
MAX_COUNT = 5
_TRAVEL = (12, 88)  # a travelling entity's centre goes from one of these to the other

SYNONYMS = {  # prompt word -> shape or colour
    "balls": "ball", "cars": "car", "automobile": "car", "trees": "tree", "houses": "house", "home": "house",
    "people": "person", "man": "person", "woman": "person", "boy": "person", "girl": "person", "child": "person",
    "persons": "person", "suns": "sun", "clouds": "cloud", "fishes": "fish", "stars": "star", "circles": "circle",
    "squares": "square", "triangles": "triangle", "box": "square", "boxes": "square", "gray": "grey",
    "violet": "purple",
}
NUMBERS = {"one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "pair": 2, "both": 2, "three": 3, "four": 4, "five": 5,
           **{str(n): n for n in range(1, MAX_COUNT + 1)}}


class EntitySpec(BaseModel):
    shape: Literal[SHAPES]  # type: ignore[valid-type]
    colour: Literal[tuple(COLOURS)]  # type: ignore[valid-type]
    count: int = Field(ge=1, le=MAX_COUNT)
    motion: Literal[MOTIONS]  # type: ignore[valid-type]
    change: Literal[CHANGES]  # type: ignore[valid-type]
    place: Literal[tuple(PLACES)]  # type: ignore[valid-type]  # after motion: a mover's place follows its motion
    size: Literal[tuple(SIZES)] = "medium"  # type: ignore[valid-type]


class Layout(BaseModel):
    background: Literal[BACKGROUNDS]  # type: ignore[valid-type]
    entities: list[EntitySpec] = Field(min_length=1, max_length=4)


def _words(prompt: str) -> list[str]:
    return [SYNONYMS.get(w, w) for w in re.findall(r"[a-z0-9]+", prompt.lower())]


def prompt_vocabulary(prompt: str) -> dict:
    """The shapes (in order, repeats kept: one per thing named), colours and counts a prompt mentions."""
    words = _words(prompt)
    counts = {1} | {NUMBERS[w] for w in words if w in NUMBERS}
    return {"shapes": [w for w in words if w in SHAPES], "colours": sorted({w for w in words if w in COLOURS}),
            "counts": sorted(counts)}


def structure(prompt: str) -> str:
    """The prompt with its things, colours and numbers blanked ("two red balls fall" -> "several thing fall"):
    what is left is the request's structure (motion, relations, size), by which worked examples are matched."""
    words = ["thing" if w in SHAPES else "several" if NUMBERS.get(w, 1) > 1 else w for w in _words(prompt)]
    return " ".join(w for w in words if w not in COLOURS)


def layout_schema(prompt: str | None = None) -> dict:
    """The Layout's JSON schema, narrowed to the prompt's vocabulary when a prompt is given: one entity per thing
    the prompt names, in its order, each with that thing's shape."""
    schema = Layout.model_json_schema()
    spec = schema["$defs"]["EntitySpec"]
    spec["properties"].pop("size")  # left to its default: one choice fewer for the LLM
    spec["required"] = list(spec["properties"])
    spec["properties"]["count"] = {"enum": list(range(1, MAX_COUNT + 1)), "type": "integer"}
    if not prompt:
        return schema
    vocab = prompt_vocabulary(prompt)
    spec["properties"]["count"]["enum"] = vocab["counts"]
    if vocab["colours"]:
        spec["properties"]["colour"] = {"enum": vocab["colours"], "type": "string"}
    shapes = vocab["shapes"][:4]
    if shapes:
        def item(shape: str) -> dict:
            props = {**spec["properties"], "shape": {"const": shape}}
            if vocab["colours"]:  # the prompt's colours, or this thing's natural one if the prompt gave it none
                props["colour"] = {"enum": sorted({*vocab["colours"], NATURAL_COLOUR[shape]}), "type": "string"}
            return {**spec, "properties": props}

        entities = schema["properties"]["entities"]
        entities.pop("items")
        entities.update({"minItems": len(shapes), "maxItems": len(shapes), "items": False,
                         "prefixItems": [item(s) for s in shapes]})
        del schema["$defs"]
    return schema


def _box(cx: float, cy: float, w: float, h: float) -> list[float]:
    return [cx - w / 2, cy - h / 2, w, h]


def _centres(spec: EntitySpec) -> list[tuple[float, float]]:
    """Start, middle and end centre of the group."""
    cx, cy = PLACES[spec.place]
    if spec.motion == "none":
        return [(cx, cy)] * KEYFRAMES
    lo, hi = _TRAVEL
    start, end = {"right": ((lo, cy), (hi, cy)), "left": ((hi, cy), (lo, cy)),
                  "down": ((cx, lo), (cx, hi)), "up": ((cx, hi), (cx, lo))}[spec.motion]
    return [(start[0] + (end[0] - start[0]) * k / (KEYFRAMES - 1), start[1] + (end[1] - start[1]) * k / (KEYFRAMES - 1))
            for k in range(KEYFRAMES)]


def _group(spec: EntitySpec) -> list[list[list[float]]]:
    """Keyframe boxes (copies, K, 4) of `count` copies side by side across the motion (a row; a column for
    horizontal travel), a third of a size apart, scaled down until the group fits the canvas at its largest
    (copies must not touch: the verifier tracks each one), and shifted inside it."""
    scale = {"none": (1, 1, 1), "bigger": (0.6, 1.0, 1.6), "smaller": (1.6, 1.0, 0.6)}[spec.change]
    w, h = (v * SIZES[spec.size] for v in BASE_SIZE[spec.shape])
    across_x = spec.motion not in ("right", "left")
    along = (w if across_x else h) * max(scale)
    fit = min(1.0, 90 / (along * (1.35 * (spec.count - 1) + 1)))
    w, h = w * fit, h * fit
    gap = (w if across_x else h) * max(scale) * 1.35
    offsets = [gap * (i - (spec.count - 1) / 2) for i in range(spec.count)]
    group = np.array([[_box(cx + (o if across_x else 0), cy + (0 if across_x else o), w * s, h * s)
                       for (cx, cy), s in zip(_centres(spec), scale)] for o in offsets])   # (copies, K, 4)
    for axis in (0, 1):                                                                  # shift inside the canvas
        lo, hi = group[..., axis].min(), (group[..., axis] + group[..., axis + 2]).max()
        group[..., axis] += max(0.0, -lo) - max(0.0, hi - 100)
    return group.tolist()


def _caption(spec: EntitySpec, k: int) -> str:
    thing = f"{spec.count if spec.count > 1 else 'a'} {spec.colour} {spec.shape}{'s' if spec.count > 1 else ''}"
    if k == 0:
        return f"{thing} at the {spec.place}" if spec.motion == "none" else thing
    verb = {"right": "moving right", "left": "moving left", "down": "falling", "up": "rising"}.get(spec.motion)
    grow = {"bigger": "growing", "smaller": "shrinking"}.get(spec.change)
    return " and ".join(p for p in (verb, grow) if p) or f"{thing} at the {spec.place}"


def compile_layout(layout: Layout) -> Plan:
    """Layout words -> a Plan with three keyframe boxes per entity (one entity per copy, at most 5), repaired."""
    entities = []
    for spec in layout.entities:
        for boxes in _group(spec):
            boxes = [[to_grid(max(v, 5.0)) if i >= 2 else to_grid(v) for i, v in enumerate(b)] for b in boxes]
            entities.append(Entity(id=len(entities) + 1, name=spec.shape, colour=spec.colour, shape=spec.shape,
                                   boxes=boxes))
    captions = ["; ".join(_caption(s, k) for s in layout.entities)[:80] for k in range(KEYFRAMES)]
    return repair(Plan(background=layout.background, entities=entities[:5], captions=captions))
