"""The embedded LLM's layers as the 4-bit codes its GGUF file stores, for PyTorch's int4 weight-only kernel.

The embedded SmolLM2 is a Q4_1 GGUF: every 32 consecutive weights of a row share a scale d and a minimum m, and
each weight is one of 16 levels, w = m + d * q. `vlm.weights` de-quantises them once for transformers; decoding
reads them as they were stored instead: a quarter of the bytes of bf16, through `_weight_int4pack_mm_for_cpu`
(w = (q - 8) * scale + zero, so scale = d and zero = m + 8 d). In fp32 that kernel reproduces the de-quantised
weights exactly; `QuantLinear.check` proves it against the model before a layer is used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

GROUP = 32
HF_NAMES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
            "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
            "ffn_down": "mlp.down_proj"}


def _llama_row_order(n_rows: int, n_head: int) -> np.ndarray:
    """The rows transformers reorders a GGUF attn_q / attn_k tensor into (llama.cpp permutes them for its RoPE)."""
    dim = n_rows // n_head // 2
    return np.arange(n_rows).reshape(n_head, dim, 2).swapaxes(2, 1).reshape(n_rows)


def read_q4_1(path: str | Path, *, num_heads: int, num_kv_heads: int) -> dict[str, tuple[np.ndarray, ...]]:
    """{hf module name: (codes (N, K) uint8 in 0..15, d (N, K/32) fp32, m (N, K/32) fp32)} for every Q4_1 layer."""
    from gguf import GGUFReader

    out = {}
    for t in GGUFReader(str(path)).tensors:
        if t.tensor_type.name != "Q4_1" or not t.name.startswith("blk."):
            continue
        _, layer, kind, _ = t.name.split(".")
        rows = np.asarray(t.data)                                            # (N, K/32 * 20) bytes
        n, nb = rows.shape[0], rows.shape[1] // 20
        blocks = rows.reshape(n, nb, 20)
        d = blocks[:, :, 0:2].copy().view(np.float16)[..., 0].astype(np.float32)
        m = blocks[:, :, 2:4].copy().view(np.float16)[..., 0].astype(np.float32)
        qs = blocks[:, :, 4:20]
        codes = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).reshape(n, nb * GROUP)  # byte j: weights j, j + 16
        if kind in ("attn_q", "attn_k"):
            order = _llama_row_order(n, num_heads if kind == "attn_q" else num_kv_heads)
            codes, d, m = codes[order], d[order], m[order]
        out[f"model.layers.{layer}.{HF_NAMES[kind]}"] = (codes, d, m)
    return out


class QuantLinear:
    """y = x W^T with W from 4-bit codes, plus any LoRA deltas kept apart (not merged). In bf16 (activations,
    scales and zeros; the kernel's fast path here: 29 us for a 1536x576 GEMV against 76 us for the bf16 dense
    weight) or fp32 (exact, but the kernel's slow path: 790 us)."""

    def __init__(self, codes: np.ndarray, d: np.ndarray, m: np.ndarray, lora: list | None = None,
                 dtype: torch.dtype = torch.bfloat16):
        n, k = codes.shape
        q = torch.from_numpy(codes.astype(np.int32))
        self.packed = torch.ops.aten._convert_weight_to_int4pack_for_cpu(q, 2)
        scale, zero = torch.from_numpy(d), torch.from_numpy(m + 8 * d)
        self.scales = torch.stack([scale.T, zero.T], dim=-1).contiguous().to(dtype)   # (K/32, N, 2)
        self.out_features, self.in_features, self.dtype = n, k, dtype
        self.lora = [(a.to(dtype), b.to(dtype), s) for a, b, s in lora or []]   # [(A (r, K), B (N, r), scaling)]
        self._codes, self._d, self._m = codes, d, m

    def dense(self, rows: slice = slice(None)) -> torch.Tensor:
        """The weights the codes stand for, (N, K) fp32 (or the given rows)."""
        c, d, m = self._codes[rows], self._d[rows], self._m[rows]
        w = c.astype(np.float32).reshape(c.shape[0], -1, GROUP) * d[..., None] + m[..., None]
        return torch.from_numpy(w.reshape(c.shape[0], self.in_features))

    def check(self, weight: torch.Tensor, rows: int = 16) -> bool:
        """Do the codes stand for this weight (exactly in fp32, to the rounding of a bf16 / fp16 copy)? Checks
        `rows` rows spread over the matrix: a different model differs everywhere."""
        if tuple(weight.shape) != (self.out_features, self.in_features):
            return False
        pick = slice(None, None, max(1, self.out_features // rows))
        w = weight.detach()[pick].float()
        tol = 0.0 if weight.dtype == torch.float32 else 2.0 ** -7
        return bool(((self.dense(pick) - w).abs() <= tol * w.abs() + 1e-6).all())

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        x2 = x.reshape(-1, self.in_features)
        y = torch.ops.aten._weight_int4pack_mm_for_cpu(x2, self.packed, GROUP, self.scales)
        for a, b, scaling in self.lora:
            y = y + (x2 @ a.T) @ b.T * scaling
        return y.view(*shape[:-1], self.out_features)
