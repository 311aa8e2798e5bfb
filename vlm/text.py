"""Sentence embeddings with plain transformers: all-MiniLM-L6-v2 (embedded) or any encoder by hub id / local dir.

Mean pooling over tokens, then L2 normalisation, as sentence-transformers does for this model.
"""
from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F


class TextEncoder:
    def __init__(self, name: str = "minilm-l6-v2", *, max_length: int = 64):
        from vlm.weights import load_text_encoder

        self.model, self.tokenizer = load_text_encoder(name)
        self.name, self.max_length = name, max_length
        self.dim = self.model.config.hidden_size

    @torch.no_grad()
    def encode(self, texts: list[str], batch_size: int = 256) -> torch.Tensor:
        """(N, dim) unit vectors."""
        out = []
        for i in range(0, len(texts), batch_size):
            batch = self.tokenizer(texts[i:i + batch_size], padding=True, truncation=True,
                                   max_length=self.max_length, return_tensors="pt")
            hidden = self.model(**batch).last_hidden_state                      # (B, L, D)
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)       # (B, L, 1)
            out.append(F.normalize((hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9), dim=-1))
        return torch.cat(out) if out else torch.empty(0, self.dim)


@lru_cache(maxsize=2)
def text_encoder(name: str = "minilm-l6-v2") -> TextEncoder:
    return TextEncoder(name)
