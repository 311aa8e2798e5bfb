"""The scene plan the LLM writes: a pydantic schema, its repair, and keyframe interpolation with easing.

Coordinates are percent of the canvas on a 5-point grid (0, 5, ..., 100): small integers are few tokens and easy
for a small LLM, and the grid bounds every value. A box is [x, y, w, h] with (x, y) its top-left corner.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

GRID = tuple(range(0, 101, 5))
Coord = Literal[GRID]  # type: ignore[valid-type]
SHAPES = ("circle", "square", "triangle", "star", "ball", "car", "tree", "house", "person", "sun", "cloud", "fish")
COLOURS = {  # RGB
    "red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 80, 220), "yellow": (240, 210, 40),
    "orange": (245, 140, 30), "purple": (150, 60, 190), "pink": (240, 120, 180), "brown": (130, 80, 40),
    "white": (245, 245, 245), "black": (25, 25, 25), "grey": (128, 128, 128), "cyan": (40, 200, 220),
}
BACKGROUNDS = ("sky", "grass", "night", "sand", "sea", "indoor", "white", "dark", "road", "snow")
KEYFRAMES = 3


class Entity(BaseModel):
    id: int = Field(ge=1, le=12)
    name: str = Field(min_length=1, max_length=14)
    colour: Literal[(*COLOURS, "natural")]  # type: ignore[valid-type]  # natural: the sprite as drawn
    shape: str = Field(min_length=1, max_length=24, pattern=r"^[a-z][a-z -]*$")  # a procedural shape or any noun
    boxes: list[list[Coord]] = Field(min_length=KEYFRAMES, max_length=KEYFRAMES)  # one [x, y, w, h] per keyframe
    group: int | None = None   # which thing of the prompt this is a copy of (set by the layout compiler)
    mirror: bool = False       # draw the sprite facing right (it travels right)

    @field_validator("boxes")
    @classmethod
    def _four_numbers(cls, boxes):
        for b in boxes:
            if len(b) != 4:
                raise ValueError(f"a box is [x, y, w, h]; got {b}")
            if b[2] == 0 or b[3] == 0:
                raise ValueError(f"a box needs a positive width and height; got {b}")
        return boxes


class Plan(BaseModel):
    canvas: int = Field(default=256, ge=16, le=2048, multiple_of=2)  # frame side in pixels; boxes are % of it
    background: Literal[BACKGROUNDS]  # type: ignore[valid-type]
    entities: list[Entity] = Field(min_length=1, max_length=12)
    captions: list[str] = Field(min_length=KEYFRAMES, max_length=KEYFRAMES)

    @field_validator("entities")
    @classmethod
    def _unique_ids(cls, entities):
        ids = [e.id for e in entities]
        if len(set(ids)) != len(ids):
            raise ValueError(f"entity ids must be unique; got {ids}")
        return entities


def llm_schema() -> dict:
    """The JSON schema the constrained decoder enforces: the Plan with each box exactly four grid values."""
    schema = Plan.model_json_schema()
    del schema["properties"]["canvas"]  # the caller's choice (--size), not the LLM's
    entity = schema["$defs"]["Entity"]["properties"]
    entity["id"] = {"enum": list(range(1, 10)), "type": "integer"}  # bounded
    entity["shape"] = {"enum": list(SHAPES), "type": "string"}
    for field in ("group", "mirror"):  # the layout compiler's, not the LLM's
        entity.pop(field)
    box = schema["$defs"]["Entity"]["properties"]["boxes"]
    box["items"].update({"minItems": 4, "maxItems": 4})
    for caption in (schema["properties"]["captions"],):
        caption["items"]["maxLength"] = 40
    return schema


class PlanError(ValueError):
    pass


def validate_json(text: str, model: type[BaseModel], what: str = "plan"):
    """JSON text -> a validated pydantic model, or a PlanError naming the first few problems."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PlanError(f"the {what} is not valid JSON ({e.msg} at character {e.pos})") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()[:6])
        raise PlanError(f"the {what} does not fit the schema: {problems}") from None


def parse_plan(text: str) -> Plan:
    """Validate JSON text as a Plan, repairing what can be repaired (boxes pushed inside the canvas)."""
    return repair(validate_json(text, Plan))


def iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


MIN_CONTRAST = 120  # sum of absolute RGB differences between an entity and the background behind it


def contrast(plan: Plan, keyword: str) -> float:
    """The least colour difference between an entity and the mean background under its box, at any keyframe."""
    from vlm.generation.render import background  # render imports this module

    bg = background(keyword, 100, seed=0).astype(np.float64)                       # 1 px per percent
    return min((float(np.abs(bg[y:y + h, x:x + w].reshape(-1, 3).mean(0) - COLOURS[e.colour]).sum())
                for e in plan.entities if e.colour in COLOURS for x, y, w, h in e.boxes), default=np.inf)


def repair(plan: Plan, *, keep_background: bool = False) -> Plan:
    """Keep every box inside the canvas (shift it back) without changing its size, move apart entities that
    a small LLM stacked on top of each other (hidden at every keyframe, so the video could not show them), and
    change a background that hides an entity (a black ball at night) for the one that shows every entity best."""
    placed: list[Entity] = []
    for e in plan.entities:
        for _ in range(len(placed)):
            clash = next((o for o in placed if all(iou(a, b) > 0.5 for a, b in zip(e.boxes, o.boxes))), None)
            if clash is None:
                break
            step = max(b[2] for b in e.boxes) + 5
            e.boxes = [[x + step if x + step + w <= 100 else max(0, x - step), y, w, h] for x, y, w, h in e.boxes]
            if any(iou(a, b) > 0.5 for a, b in zip(e.boxes, clash.boxes)):  # no room sideways: go down
                e.boxes = [[x, min(100 - h, y + h + 5), w, h] for x, y, w, h in e.boxes]
        placed.append(e)
    for e in plan.entities:
        e.boxes = [[to_grid(min(x, 100 - w)), to_grid(min(y, 100 - h)), w, h] for x, y, w, h in e.boxes]
    if not keep_background and contrast(plan, plan.background) < MIN_CONTRAST:
        plan.background = max(BACKGROUNDS, key=lambda k: contrast(plan, k))
    return plan


def to_grid(v: float) -> int:
    """The nearest value of the 5-point percent grid, inside the canvas."""
    return int(max(0, min(100, round(v / 5) * 5)))


def ease(t: np.ndarray) -> np.ndarray:
    """Smoothstep: starts and stops gently, as objects do."""
    return t * t * (3 - 2 * t)


def interpolate(boxes: list[list[int]], num_frames: int, *, easing: bool = True) -> np.ndarray:
    """Keyframe boxes (K, 4) spread evenly over the clip -> per-frame boxes (num_frames, 4), percent units."""
    keys = np.asarray(boxes, dtype=np.float64)
    if len(keys) == 1 or num_frames == 1:
        return np.repeat(keys[:1], num_frames, axis=0)
    pos = np.linspace(0, len(keys) - 1, num_frames)
    seg = np.minimum(pos.astype(int), len(keys) - 2)
    t = pos - seg
    t = ease(t) if easing else t
    return keys[seg] + (keys[seg + 1] - keys[seg]) * t[:, None]
