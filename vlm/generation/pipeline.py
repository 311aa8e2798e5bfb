"""Prompt -> plan -> video -> verification, closed on the prompt.

The prompt's checkable rules (counts, colours, motions, size changes, relations, place) are read from the prompt
itself (vlm.generation.prompt), not from the plan. A plan that breaks one is re-planned before rendering; a
rendered video that breaks one (or strays from its plan) is re-planned too, and the best round is kept. The
result reports both: prompt adherence (per rule, on the video and on the plan) and plan adherence.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from vlm.generation.plan import Plan, PlanError
from vlm.generation.planner import Planner
from vlm.generation.render import Renderer, render_video
from vlm.generation.rules import RuleResult, adherence, check_plan
from vlm.generation.verify import Verification, verify

ADHERENCE_THRESHOLD = 0.8
ROUNDS = 3


@dataclass
class GenerationResult:
    prompt: str
    plan: Plan
    video: Path
    verification: Verification                 # the video against its plan, and (.prompt) against the prompt
    plan_rules: list[RuleResult]               # the prompt's rules on the plan
    attempts: int                              # planning attempts over all rounds
    replanned: bool
    sprites: dict = field(default_factory=dict)   # noun -> what drew it ("emoji: dog", "shape", "blob")
    seconds: dict = field(default_factory=dict)

    @property
    def prompt_adherence(self) -> float:
        """The fraction of the prompt's rules the rendered video keeps."""
        return self.verification.prompt_score if self.verification.prompt is not None else adherence(self.plan_rules)

    @property
    def unmatched(self) -> list[str]:
        """Nouns no sprite matched: drawn as labelled blobs."""
        return [n for n, s in self.sprites.items() if s.startswith("blob")]

    def rule_rows(self) -> list[dict]:
        """One row per prompt rule: kept by the plan, kept by the video, what the video showed instead."""
        video = {r.rule: r for r in self.verification.prompt or []}
        rows = []
        for r in self.plan_rules:
            v = video.get(r.rule)
            rows.append({"rule": r.rule, "kind": r.kind, "plan": r.ok, "video": None if v is None else v.ok,
                         "seen": (v.seen if v is not None else r.seen) or ""})
        return rows

    def summary(self) -> str:
        """What the CLI prints and the app shows: prompt adherence per rule beside plan adherence."""
        lines = [f"prompt adherence: {self.prompt_adherence:.0%} of {len(self.plan_rules)} rules from the prompt "
                 f"(video); plan adherence: {self.verification.score:.0%} (the video against its plan)"
                 + (f"; re-planned ({self.attempts} attempts)" if self.replanned else "")]
        mark = {True: "ok ", False: "NO ", None: " - "}
        for row in self.rule_rows():
            seen = f"  (seen: {row['seen']})" if row["seen"] and not row["video"] else ""
            lines.append(f"  plan {mark[row['plan']]} video {mark[row['video']]} {row['rule']}{seen}")
        drawn = ", ".join(f"{noun} -> {how}" for noun, how in self.sprites.items())
        if drawn:
            lines.append(f"sprites: {drawn}")
        if self.unmatched:
            lines.append("no sprite matched " + ", ".join(repr(n) for n in self.unmatched)
                         + ": drawn as labelled blobs")
        return "\n".join(lines)

    def report(self) -> dict:
        return {"prompt": self.prompt, "video": str(self.video), "plan": self.plan.model_dump(),
                "prompt_adherence": self.prompt_adherence, "adherence": self.verification.score,
                "prompt_rules": [r.to_dict() for r in self.verification.prompt or []],
                "plan_rules": [r.to_dict() for r in self.plan_rules], "sprites": self.sprites,
                "unmatched": self.unmatched, "verification": self.verification.to_dict(),
                "attempts": self.attempts, "replanned": self.replanned, "seconds": self.seconds}


def sprites_for(plan: Plan) -> dict:
    """{noun: what drew it}: "emoji: <its name>", "shape" or "blob"."""
    from vlm.generation.render import drawn_as

    out = {}
    for e in plan.entities:
        kind, sprite = drawn_as(e.shape)
        out[e.shape] = f"emoji: {sprite.key}" if kind == "emoji" else kind
    return out


def generate(prompt: str, out: str | Path, *, planner: Planner | None = None, renderer: Renderer | None = None,
             num_frames: int = 48, fps: float = 12.0, size: int = 256, seed: int = 0,
             rounds: int = ROUNDS) -> GenerationResult:
    from vlm.generation.layout import parse
    from vlm.generation.prompt import rules_for

    planner = planner or Planner()
    out = Path(out)
    spec = parse(prompt)
    rules = rules_for(spec)
    best: GenerationResult | None = None
    attempts, t_plan, t_render, t_verify = 0, 0.0, 0.0, 0.0
    spare = out.with_name(f".{out.stem}.replan{out.suffix}")

    def rank(r: GenerationResult) -> tuple:
        return r.prompt_adherence, r.verification.score

    for round_ in range(rounds):
        t = time.perf_counter()
        try:
            planned = planner.plan(prompt, seed=seed + 10 * round_, greedy_first=round_ == 0)
        except PlanError:
            if best is None and round_ == rounds - 1:
                raise
            continue
        planned.plan.canvas = size
        plan_rules = check_plan(planned.plan, spec, rules)
        t_plan += time.perf_counter() - t
        attempts += planned.attempts
        if adherence(plan_rules) < 1 and round_ < rounds - 1 and (best is None or round_ == 0):
            continue  # the plan contradicts its prompt: no point rendering it while rounds remain
        t = time.perf_counter()
        target = out if best is None or best.video != out else spare
        render_video(planned.plan, target, renderer=renderer, num_frames=num_frames, fps=fps, size=size, seed=seed)
        t_render += time.perf_counter() - t
        t = time.perf_counter()
        check = verify(target, planned.plan, seed=seed, spec=spec, rules=rules)
        t_verify += time.perf_counter() - t
        result = GenerationResult(prompt, planned.plan, target, check, plan_rules, attempts, round_ > 0)
        if best is None or rank(result) > rank(best):
            if best is not None and best.video == out:
                target.replace(out)  # the better video takes the requested name
                result.video = out
            best = result
        if best.prompt_adherence == 1 and best.verification.score >= ADHERENCE_THRESHOLD:
            break
    if best is None:
        raise PlanError(f"no plan for {prompt!r} kept the prompt's rules in {rounds} rounds")
    spare.unlink(missing_ok=True)
    best.attempts = attempts
    best.sprites = sprites_for(best.plan)
    best.seconds = {"plan": round(t_plan, 2), "render": round(t_render, 2), "verify": round(t_verify, 2),
                    "total": round(t_plan + t_render + t_verify, 2)}
    return best
