"""Likely activity: the top few of a large action vocabulary (Kinetics-700, UCF101, HMDB51; `actions.txt`).

The frames' ImageNet view is matched to every action name with the semantic scorer (`vlm.semantic`), and two
cues measured to help on real clips add to it (`python -m eval.bench_perception --activity`): words heard or
read on screen, matched to the same names with MiniLM, and an upside-down body from the pose model, which
ImageNet has no class for (a handstand reads as "shoji screen" otherwise). The scores become confidences with a
softmax whose temperature was fitted on the development clips; the context says "likely", since they are guesses.
"""
from __future__ import annotations

import re
from functools import cached_property, lru_cache
from pathlib import Path

import torch

VOCAB_FILE = Path(__file__).with_name("actions.txt")
UPSIDE_DOWN_ACTIONS = ("doing a handstand", "standing on hands", "head stand", "handstand pushups",
                       "handstand walking", "cartwheeling", "gymnastics tumbling", "flic flac (back handspring)")


def load_vocabulary(path: Path = VOCAB_FILE) -> list[str]:
    lines = [x.strip() for x in path.read_text().splitlines()]
    return [x for x in lines if x and not x.startswith("#")]


def display_name(name: str) -> str:
    """'hugging (not baby)' -> 'hugging'; qualifiers help the matching, not the reader."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


class ActivityScorer:
    def __init__(self, *, top: int = 3, text_weight: float = 0.5, pose_bonus: float = 0.15,
                 temperature: float = 0.02, vocabulary: list[str] | None = None):
        self.top, self.text_weight, self.pose_bonus, self.temperature = top, text_weight, pose_bonus, temperature
        self.vocabulary = vocabulary or load_vocabulary()

    @cached_property
    def _scorer(self):
        from vlm.semantic import default_scorer

        return default_scorer()

    @cached_property
    def _upside_down(self) -> torch.Tensor:
        return torch.tensor([v in UPSIDE_DOWN_ACTIONS for v in self.vocabulary], dtype=torch.float32)

    def scores(self, probs: torch.Tensor, *, words: str = "", upside_down: float = 0.0) -> torch.Tensor:
        """probs (1000,) mean ImageNet probabilities; words heard or read; the fraction of analysed frames with
        a body upside down -> (K,) scores over the vocabulary."""
        s = self._scorer.score_texts(probs.reshape(1, -1), self.vocabulary)[0]           # (K,)
        if words.strip() and self.text_weight:
            from vlm.text import text_encoder

            said = text_encoder(self._scorer.text_model).encode([words])                # (1, D)
            s = s + self.text_weight * (said @ self._scorer.text_embeddings(self.vocabulary).T)[0]
        if upside_down and self.pose_bonus:
            s = s + self.pose_bonus * min(1.0, 2 * upside_down) * self._upside_down
        return s

    def likely(self, probs: torch.Tensor, **cues) -> list[tuple[str, float]]:
        conf = (self.scores(probs, **cues) / self.temperature).softmax(-1)
        p, idx = conf.topk(self.top)
        return [(display_name(self.vocabulary[int(i)]), round(float(v), 3)) for v, i in zip(p, idx)]


def cues(context) -> dict:
    """The words heard and read (not watermarks) and the upside-down fraction, from a context's finished parts."""
    words = []
    transcript, text, people = context.part("speech"), context.part("text"), context.part("people")
    if transcript is not None:
        words.append(transcript.text)
    if text is not None:
        words += [i.text for i in text.items if i.kind != "watermark"]
    upside = 0.0
    if people is not None and people.frames:
        upside = sum(any(p.posture == "upside down" for p in f.persons) for f in people.frames) / len(people.frames)
    return {"words": " ".join(words)[:500], "upside_down": upside}


@lru_cache(maxsize=1)
def default_activity_scorer() -> ActivityScorer:
    return ActivityScorer()
