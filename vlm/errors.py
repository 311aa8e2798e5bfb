"""Errors that report every problem at once (bad rows of a data file, unusable clips of a dataset)."""
from __future__ import annotations


class ProblemsError(ValueError):
    """`source: N problem(s):` then one line per problem (the first 50 shown)."""

    def __init__(self, source, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:50]) + (f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else "")
        super().__init__(f"{source}: {len(problems)} problem(s):\n  {shown}")
