"""Checking a plan, or the video rendered from it, against the rules its prompt implies (vlm.generation.prompt).

Both are reduced to the same thing, one `Track` per drawn copy of each thing the prompt names (centre, area and
colour per frame) and the scene's background, and `judge` applies each rule to the tracks. From a plan the tracks
are its interpolated boxes; from a video (vlm.generation.verify) they are what a detector found in the pixels.
Things are matched to drawn entities by noun, never by the planner's own bookkeeping, so a plan that drew a
house for "a cat" has no cat.
"""
from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from vlm.generation.plan import Plan, interpolate
from vlm.generation.prompt import PromptSpec, Rule

TRAVEL = 0.15      # a centre that moves at least this fraction of the canvas travels
STILL = 0.05       # and one that moves less than this stays still
GROWTH = 1.3       # an area that changes by this factor grows or shrinks
RELATION_FRAMES = 0.8  # a relation must hold in this fraction of the frames


@dataclass
class Track:
    """One drawn copy of a thing: per frame its centre (x, y) in canvas fractions (NaN: not found), its area
    (fraction of the canvas), the component it was found in (copies in one component are one blob), and its
    colour name (None: the sprite's own colours, or not measured)."""
    centres: np.ndarray   # (F, 2)
    areas: np.ndarray     # (F,)
    labels: np.ndarray    # (F,) int, -1 where not found
    colour: str | None

    @property
    def found(self) -> np.ndarray:
        return ~np.isnan(self.centres[:, 0])

    def ends(self) -> tuple[np.ndarray, np.ndarray, float] | None:
        """(first centre, last centre, last area / first area) over the frames it was found, or None."""
        f = np.flatnonzero(self.found)
        if len(f) < 2:
            return None
        return self.centres[f[0]], self.centres[f[-1]], float(self.areas[f[-1]] / max(self.areas[f[0]], 1e-9))


@dataclass
class RuleResult:
    rule: str      # the rule in words
    kind: str
    ok: bool
    seen: str      # what was found instead (or too)

    def to_dict(self) -> dict:
        return asdict(self)


def adherence(results: list[RuleResult]) -> float:
    return float(np.mean([r.ok for r in results])) if results else 1.0


def match_things(spec: PromptSpec, groups: dict[int, list], nouns: dict[int, str], colours: dict[int, str]) -> dict:
    """{thing index: group key}: each thing of the prompt to a drawn group with its noun (the one with its colour
    first, when two things share a noun), each group used once."""
    used, out = set(), {}
    for i, t in enumerate(spec.things):
        same = [g for g in groups if g not in used and nouns[g] == t.noun]
        same.sort(key=lambda g: (colours[g] != t.colour,))
        if same:
            out[i] = same[0]
            used.add(same[0])
    return out


def plan_groups(plan: Plan) -> dict[int, list[int]]:
    """{group: entity indices}: the layout compiler's groups, else entities with the same shape and colour."""
    groups: dict[int, list[int]] = {}
    keys: dict[tuple, int] = {}
    for k, e in enumerate(plan.entities):
        g = e.group if e.group is not None else keys.setdefault((e.shape, e.colour), len(keys) + 1000)
        groups.setdefault(g, []).append(k)
    return groups


def plan_tracks(plan: Plan, frames: int = 12) -> list[Track]:
    """One Track per entity from its interpolated boxes; entities whose boxes cover a quarter of each other in a
    frame share a label there (drawn as one blob, they cannot be counted apart)."""
    boxes = np.stack([interpolate(e.boxes, frames) / 100 for e in plan.entities])        # (E, F, 4)
    x0, y0 = boxes[..., 0], boxes[..., 1]
    x1, y1 = x0 + boxes[..., 2], y0 + boxes[..., 3]
    area = boxes[..., 2] * boxes[..., 3]
    labels = np.tile(np.arange(len(plan.entities))[:, None], (1, frames))               # (E, F)
    for f in range(frames):
        root = list(range(len(plan.entities)))

        def find(i):
            while root[i] != i:
                i = root[i]
            return i

        for i in range(len(plan.entities)):
            for j in range(i + 1, len(plan.entities)):
                ix = max(0.0, min(x1[i, f], x1[j, f]) - max(x0[i, f], x0[j, f]))
                iy = max(0.0, min(y1[i, f], y1[j, f]) - max(y0[i, f], y0[j, f]))
                if ix * iy > 0.25 * min(area[i, f], area[j, f]):
                    root[find(j)] = find(i)
        labels[:, f] = [find(i) for i in range(len(plan.entities))]
    return [Track(boxes[k, :, :2] + boxes[k, :, 2:] / 2, area[k], labels[k], None if e.colour == "natural" else e.colour)
            for k, e in enumerate(plan.entities)]


def _count(tracks: list[Track]) -> int:
    """Distinct blobs the copies were found in, in most frames (copies merged into one blob count once)."""
    if not tracks:
        return 0
    labels = np.stack([t.labels for t in tracks])                                   # (copies, F)
    per_frame = [len({int(v) for v in col if v >= 0}) for col in labels.T]
    return int(np.bincount(per_frame).argmax())


def _present(tracks: list[Track]) -> list[Track]:
    return [t for t in tracks if t.found.mean() >= 0.5]


def _mean_centre(tracks: list[Track]) -> np.ndarray:
    with warnings.catch_warnings():  # frames where no copy was found stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.stack([t.centres for t in tracks]), axis=0)            # (F, 2)


def _motion_of(track: Track) -> str:
    ends = track.ends()
    if ends is None:
        return "unseen"
    (x0, y0), (x1, y1), growth = ends
    dx, dy = x1 - x0, y1 - y0
    if max(abs(dx), abs(dy)) >= TRAVEL:
        return ("right" if dx > 0 else "left") if abs(dx) >= abs(dy) else ("down" if dy > 0 else "up")
    if growth >= GROWTH:
        return "towards"
    if growth <= 1 / GROWTH:
        return "away"
    return "still" if max(abs(dx), abs(dy)) < STILL else "drifts"


def _change_of(track: Track) -> str:
    ends = track.ends()
    if ends is None:
        return "unseen"
    growth = ends[2]
    return "bigger" if growth >= GROWTH else "smaller" if growth <= 1 / GROWTH else "none"


def judge(spec: PromptSpec, rules: list[Rule], groups: dict, tracks: list[Track], nouns: dict, colours: dict,
          background: str) -> list[RuleResult]:
    """Each rule against the tracks: groups {key: track indices}, nouns/colours {key: the group's noun/colour}."""
    match = match_things(spec, groups, nouns, colours)
    of = lambda i: [tracks[k] for k in groups[match[i]]] if i in match else []  # noqa: E731
    out = []
    for rule in rules:
        words = rule.describe(spec)
        if rule.kind == "background":
            out.append(RuleResult(words, rule.kind, background == rule.value, background))
            continue
        copies = of(rule.thing)
        if not copies:
            out.append(RuleResult(words, rule.kind, False, f"no {spec.things[rule.thing].noun} drawn"))
            continue
        present = _present(copies)
        if rule.kind == "count":
            n = _count(present)
            out.append(RuleResult(words, rule.kind, n == rule.value, f"{n}"))
        elif not present:
            out.append(RuleResult(words, rule.kind, False, "not found"))
        elif rule.kind == "colour":
            seen = sorted({t.colour or "its own colours" for t in present})
            out.append(RuleResult(words, rule.kind, seen == [rule.value], ", ".join(seen)))
        elif rule.kind in ("motion", "still", "moves"):
            seen = sorted({_motion_of(t) for t in present})
            want = {"motion": [rule.value], "still": ["still"]}.get(rule.kind)
            ok = seen == want if want else all(s not in ("still", "unseen") for s in seen)
            out.append(RuleResult(words, rule.kind, ok, ", ".join(seen)))
        elif rule.kind == "change":
            seen = sorted({_change_of(t) for t in present})
            out.append(RuleResult(words, rule.kind, seen == [rule.value], ", ".join(seen)))
        elif rule.kind == "relation":
            kind, other = rule.value
            others = _present(of(other))
            if not others:
                out.append(RuleResult(words, rule.kind, False, f"no {spec.things[other].noun} found"))
                continue
            a, b = _mean_centre(present), _mean_centre(others)                    # (F, 2) each
            both = ~np.isnan(a[:, 0]) & ~np.isnan(b[:, 0])
            d = (a - b)[both]
            holds = {"above": d[:, 1] < -0.05, "below": d[:, 1] > 0.05, "left_of": d[:, 0] < -0.05,
                     "right_of": d[:, 0] > 0.05,
                     "next_to": (np.abs(d[:, 1]) < 0.25) & (np.abs(d[:, 0]) > 0.05)}[kind]
            frac = float(holds.mean()) if len(holds) else 0.0
            out.append(RuleResult(words, rule.kind, frac >= RELATION_FRAMES, f"holds in {frac:.0%} of frames"))
        else:
            raise AssertionError(f"unhandled rule kind {rule.kind}")
    return out


def check_plan(plan: Plan, spec: PromptSpec, rules: list[Rule]) -> list[RuleResult]:
    """The prompt's rules on the plan itself (before rendering)."""
    groups = plan_groups(plan)
    nouns = {g: plan.entities[ks[0]].shape for g, ks in groups.items()}
    colours = {g: plan.entities[ks[0]].colour for g, ks in groups.items()}
    return judge(spec, rules, groups, plan_tracks(plan), nouns, colours, plan.background)
