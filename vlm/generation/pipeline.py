"""Prompt -> plan -> video -> verification, closed-loop: a video that does not follow its plan is re-planned once."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from vlm.generation.plan import Plan
from vlm.generation.planner import Planner
from vlm.generation.render import Renderer, render_video
from vlm.generation.verify import Verification, verify

ADHERENCE_THRESHOLD = 0.8


@dataclass
class GenerationResult:
    prompt: str
    plan: Plan
    video: Path
    verification: Verification
    attempts: int                              # planning attempts over all rounds
    replanned: bool
    seconds: dict = field(default_factory=dict)

    def report(self) -> dict:
        return {"prompt": self.prompt, "video": str(self.video), "plan": self.plan.model_dump(),
                "adherence": self.verification.score, "verification": self.verification.to_dict(),
                "attempts": self.attempts, "replanned": self.replanned, "seconds": self.seconds}


def generate(prompt: str, out: str | Path, *, planner: Planner | None = None, renderer: Renderer | None = None,
             num_frames: int = 48, fps: float = 12.0, size: int = 256, seed: int = 0) -> GenerationResult:
    planner = planner or Planner()
    out = Path(out)
    best: GenerationResult | None = None
    attempts, t_plan, t_render, t_verify = 0, 0.0, 0.0, 0.0
    for round_ in range(2):
        t = time.perf_counter()
        planned = planner.plan(prompt, seed=seed + 10 * round_, greedy_first=round_ == 0)
        planned.plan.canvas = size
        t_plan += time.perf_counter() - t
        attempts += planned.attempts
        t = time.perf_counter()
        target = out if round_ == 0 else out.with_name(f".{out.stem}.replan{out.suffix}")
        render_video(planned.plan, target, renderer=renderer, num_frames=num_frames, fps=fps, size=size, seed=seed)
        t_render += time.perf_counter() - t
        t = time.perf_counter()
        check = verify(target, planned.plan)
        t_verify += time.perf_counter() - t
        result = GenerationResult(prompt, planned.plan, target, check, attempts, round_ > 0)
        if best is None or check.score > best.verification.score:
            best = result
        if check.score >= ADHERENCE_THRESHOLD:
            break
    if best.video != out:
        best.video.replace(out)
        best.video = out
    else:
        out.with_name(f".{out.stem}.replan{out.suffix}").unlink(missing_ok=True)
    best.attempts = attempts
    best.seconds = {"plan": round(t_plan, 2), "render": round(t_render, 2), "verify": round(t_verify, 2),
                    "total": round(t_plan + t_render + t_verify, 2)}
    return best
