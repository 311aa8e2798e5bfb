"""LLM-guided video generation: plan (constrained JSON), render (procedural), verify (tracking + flow)."""
from vlm.generation.pipeline import GenerationResult, generate
from vlm.generation.plan import Plan, PlanError, interpolate, parse_plan
from vlm.generation.planner import Planner
from vlm.generation.render import ProceduralRenderer, Renderer, render_video
from vlm.generation.verify import verify

__all__ = ["GenerationResult", "generate", "Plan", "PlanError", "interpolate", "parse_plan", "Planner",
           "ProceduralRenderer", "Renderer", "render_video", "verify"]
