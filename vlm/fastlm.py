"""A lean decoder for Llama-family causal LMs (SmolLM2 is one), without transformers' per-token machinery.

transformers spends much of a SmolLM2-135M token on bookkeeping around 30 small layers (cache objects, masks,
logits processors, stopping criteria). Here the KV cache is preallocated, rotary tables are computed once, and one
plain loop runs prefill and decoding under inference mode, in transformers' order of operations. Two weight paths:

- dense: the model's own weights (any peft LoRA merged in on the fly), in its dtype: the same numerics as
  `generate` (greedy outputs match it token for token on the tests and `eval/bench_llm.py`'s prompts);
- int4 (the embedded model, `gguf=`): the GGUF's 4-bit codes through PyTorch's int4 kernel (`vlm.q4`), a quarter
  of the bytes a token has to read, with bf16 activations and any LoRA kept apart; each layer is checked against
  the model's weights before it is used, and falls back to dense if they differ. Not bit-identical to `generate`
  on the de-quantised bf16 weights (the kernel rounds in its own order): eval/bench_llm.py reports how many
  greedy tokens agree.

Video features enter as `inputs_embeds`, as before.
"""
from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn


CALIBRATE = 6       # decode steps timed at each thread count
RECALIBRATE = 16    # generations between measurements (another thread may have started computing meanwhile)


@dataclass
class Layer:
    q: object      # each a callable x -> x W^T (Dense, or Hybrid: int4 codes for one token, dense for a prompt)
    k: object
    v: object
    o: object
    gate: object
    up: object
    down: object
    norm_in: torch.Tensor
    norm_post: torch.Tensor


class Dense:
    def __init__(self, weight: torch.Tensor):
        self.weight = weight

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight)


def _loras(linear: nn.Module) -> list[tuple[torch.Tensor, torch.Tensor, float]]:
    """A peft LoRA layer's unmerged adapters as (A, B, scaling)."""
    if not hasattr(linear, "lora_A") or getattr(linear, "merged", False):
        return []
    return [(linear.lora_A[n].weight.detach(), linear.lora_B[n].weight.detach(), float(linear.scaling[n]))
            for n in getattr(linear, "active_adapters", []) if n in linear.lora_A]


def _weight(linear: nn.Module) -> torch.Tensor:
    """A Linear's effective weight: a peft LoRA layer's delta merged in, without changing the model."""
    if hasattr(linear, "base_layer"):
        w = linear.base_layer.weight.detach()
        for a, b, scaling in _loras(linear):
            w = w + (b.float() @ a.float() * scaling).to(w.dtype)
        return w
    return linear.weight.detach()


def _linear(module: nn.Module, name: str, q4: dict | None, dtype: torch.dtype):
    if q4 is not None and name in q4:
        from vlm.q4 import QuantLinear

        base = module.base_layer if hasattr(module, "base_layer") else module
        lora = [(a.float(), b.float(), s) for a, b, s in _loras(module)]
        quant = QuantLinear(*q4[name], lora=lora, dtype=dtype)
        if quant.check(base.weight):
            return Hybrid(quant, Dense(_weight(module).to(dtype)))
    return Dense(_weight(module))


class Hybrid:
    """int4 for one new token (a GEMV reads a quarter of the bytes), the dense weight for a prompt: the int4
    kernel is slower than bf16 GEMM at hundreds of rows (TTFT 1.8 against 1.0 s on a 600-token prompt here)."""

    def __init__(self, quant, dense: Dense):
        self.quant, self.dense = quant, dense

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.quant(x) if x.shape[-2] == 1 else self.dense(x)


class FastLM:
    """Prefill + decode for a LlamaForCausalLM-shaped model at batch 1. `supports(model)` says when it applies."""

    def __init__(self, model: nn.Module, *, gguf: str | None = None):
        core = model.get_base_model() if hasattr(model, "get_base_model") else model
        cfg = core.config
        self.cfg = cfg
        self.heads, self.kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads
        self.head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // self.heads
        self.eps = cfg.rms_norm_eps
        q4 = None
        if gguf is not None:
            from vlm.q4 import read_q4_1

            q4 = read_q4_1(gguf, num_heads=self.heads, num_kv_heads=self.kv_heads)
        names = {m: n for n, m in core.named_modules()}
        model_dtype = core.get_input_embeddings().weight.dtype
        quant_dtype = torch.bfloat16 if model_dtype == torch.bfloat16 else torch.float32
        self.layers = [Layer(*[_linear(mod, names[mod], q4, quant_dtype)
                               for mod in (a.q_proj, a.k_proj, a.v_proj, a.o_proj, m.gate_proj, m.up_proj, m.down_proj)],
                             lay.input_layernorm.weight.detach(), lay.post_attention_layernorm.weight.detach())
                       for lay in core.model.layers for a, m in [(lay.self_attn, lay.mlp)]]
        self.quantized = sum(not isinstance(getattr(lay, f), Dense) for lay in self.layers
                             for f in ("q", "k", "v", "o", "gate", "up", "down"))   # layers on the int4 path
        self.dtype = quant_dtype if self.quantized else model_dtype
        if self.quantized:
            for lay in self.layers:
                lay.norm_in, lay.norm_post = lay.norm_in.to(self.dtype), lay.norm_post.to(self.dtype)
        self.norm = core.model.norm.weight.detach().to(self.dtype)
        head = _weight(core.lm_head)
        # The 49k-row head in the model's own dtype: fp16 reads it faster here (2.5 vs 3.3 ms) but moves the int4
        # path's greedy agreement with generate from 98.0% to 97.6% of tokens (eval/bench_llm.py).
        self.head = Dense(head)
        self.embeddings = core.get_input_embeddings().weight.detach()   # (V, D): generated tokens' embeddings
        self.rotary = core.model.rotary_emb
        self.scale = self.head_dim ** -0.5
        self._cos = self._sin = None
        self._k = self._v = None
        self._threads: int | None = None      # decode threads on the int4 path (None: measure on the next answer)
        self._timing: dict[int, list[float]] = {}
        self._generations = 0

    @staticmethod
    def supports(model: nn.Module) -> bool:
        core = model.get_base_model() if hasattr(model, "get_base_model") else model
        cfg = getattr(core, "config", None)
        return (getattr(cfg, "model_type", None) in ("llama", "mistral") and not getattr(cfg, "attention_bias", False)
                and not getattr(cfg, "mlp_bias", False) and getattr(cfg, "hidden_act", "silu") == "silu"
                and (getattr(cfg, "rope_parameters", None) or {}).get("rope_type", "default") == "default"
                and getattr(cfg, "sliding_window", None) is None)

    # --- tables and cache --------------------------------------------------------------------------------------
    def _tables(self, length: int) -> None:
        if self._cos is not None and self._cos.shape[0] >= length:
            return
        n = max(length, 1024)
        pos = torch.arange(n)[None]
        probe = torch.empty(0, dtype=self.dtype)
        cos, sin = self.rotary(probe, pos)               # exactly as the model computes them, (1, n, hd)
        self._cos, self._sin = cos[0], sin[0]

    def _cache(self, length: int) -> None:
        if self._k is not None and self._k.shape[3] >= length:
            return
        n = max(length, 512)
        shape = (len(self.layers), 1, self.kv_heads, n, self.head_dim)
        k, v = torch.zeros(shape, dtype=self.dtype), torch.zeros(shape, dtype=self.dtype)
        if self._k is not None:  # grow, keeping what is cached
            k[..., :self._k.shape[3], :], v[..., :self._v.shape[3], :] = self._k, self._v
        self._k, self._v = k, v

    # --- the model -------------------------------------------------------------------------------------------
    def _rms(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return w * h.to(x.dtype)

    @staticmethod
    def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
        return x * cos + rotated * sin

    def forward(self, h: torch.Tensor, start: int) -> torch.Tensor:
        """h (1, L, D) embeddings at positions start..start+L-1 -> the last position's logits (1, V), fp32."""
        L = h.shape[1]
        end = start + L
        self._tables(end)
        self._cache(end)
        cos, sin = self._cos[start:end], self._sin[start:end]            # (L, hd)
        mask = None
        if L > 1 and start:  # a chunk after cached tokens (the planner feeds forced tokens in one go)
            mask = torch.arange(end)[None, :] <= torch.arange(start, end)[:, None]          # (L, end)
        for i, lay in enumerate(self.layers):
            x = self._rms(h, lay.norm_in)
            q = lay.q(x).view(1, L, self.heads, self.head_dim).transpose(1, 2)      # (1, H, L, hd)
            k = lay.k(x).view(1, L, self.kv_heads, self.head_dim).transpose(1, 2)   # (1, Hkv, L, hd)
            v = lay.v(x).view(1, L, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = self._rope(q, cos, sin), self._rope(k, cos, sin)
            self._k[i, :, :, start:end] = k
            self._v[i, :, :, start:end] = v
            keys, values = self._k[i, :, :, :end], self._v[i, :, :, :end]
            # As transformers runs SDPA without a mask: causal over the prompt, the one new query sees everything.
            a = F.scaled_dot_product_attention(q, keys, values, attn_mask=mask, is_causal=L > 1 and mask is None,
                                               scale=self.scale, enable_gqa=True).transpose(1, 2).reshape(1, L, -1)
            h = h + lay.o(a)
            x = self._rms(h, lay.norm_post)
            h = h + lay.down(F.silu(lay.gate(x)) * lay.up(x))
        last = self._rms(h[:, -1:], self.norm)
        return self.head(last.to(self.head.weight.dtype))[:, -1].float()

    # --- generation ------------------------------------------------------------------------------------------
    @torch.inference_mode()
    def start(self, inputs_embeds: torch.Tensor) -> torch.Tensor:
        """Begin a sequence: read the prompt (1, L, D) -> the next token's logits (V,)."""
        self.pos = inputs_embeds.shape[1]
        return self.forward(inputs_embeds.to(self.dtype), 0)[0]

    @torch.inference_mode()
    def feed(self, token_ids: list[int]) -> torch.Tensor:
        """Read more tokens after what this sequence has read -> the next token's logits (V,)."""
        logits = self.forward(self.embeddings[torch.tensor(token_ids)].unsqueeze(0).to(self.dtype), self.pos)[0]
        self.pos += len(token_ids)
        return logits

    @torch.inference_mode()
    def generate(self, inputs_embeds: torch.Tensor, *, max_new_tokens: int, eos_token_ids: set[int],
                 temperature: float = 0.0, top_p: float = 1.0, repetition_penalty: float = 1.0,
                 generator: torch.Generator | None = None, stop: threading.Event | None = None) -> Iterator[int]:
        """Token ids, one at a time. inputs_embeds (1, L, D): the prompt with any video features spliced in."""
        if inputs_embeds.shape[0] != 1:
            raise ValueError(f"FastLM decodes one sequence at a time, got a batch of {inputs_embeds.shape[0]}")
        self._cache(inputs_embeds.shape[1] + max_new_tokens)
        logits = self.start(inputs_embeds)
        seen: list[int] = []
        threads = torch.get_num_threads()
        try:
            for step in range(max_new_tokens):
                scores = logits
                if repetition_penalty != 1.0 and seen:
                    idx = torch.tensor(seen)
                    s = scores[idx]
                    scores = scores.scatter(0, idx, torch.where(s < 0, s * repetition_penalty, s / repetition_penalty))
                token = int(_sample(scores, temperature, top_p, generator)) if temperature > 0 else int(scores.argmax())
                yield token
                if token in eos_token_ids or (stop is not None and stop.is_set()):
                    return
                seen.append(token)
                logits = self._decode_step(token, step, threads)
        finally:
            torch.set_num_threads(threads)
            self._generations += 1
            if self._generations % RECALIBRATE == 0:
                self._threads = None

    def _decode_step(self, token: int, step: int, threads: int) -> torch.Tensor:
        """One token on the int4 path, with as many threads as decode fastest now. libgomp gives every thread
        that enters a parallel region its own worker team; once another thread of the process has one, this
        2-core CPU decodes faster on one thread (45 against 27 tok/s here) than on two (57 against 40 when it is
        alone). Which holds is measured, not guessed: the first steps of a generation run at each count."""
        if not self.quantized or threads == 1:
            return self.feed([token])
        if self._threads is None and step < 2 * CALIBRATE:
            n = threads if step < CALIBRATE else 1
            torch.set_num_threads(n)
            t = time.perf_counter()
            logits = self.feed([token])
            self._timing.setdefault(n, []).append(time.perf_counter() - t)
            if step == 2 * CALIBRATE - 1:
                self._threads = min(self._timing, key=lambda k: statistics.median(self._timing[k]))
                self._timing = {}
            return logits
        torch.set_num_threads(self._threads or threads)
        return self.feed([token])


def _sample(scores: torch.Tensor, temperature: float, top_p: float, generator) -> torch.Tensor:
    """transformers' temperature then top-p warping, then one draw."""
    scores = scores / temperature
    if top_p < 1.0:
        sorted_scores, order = scores.sort(descending=False)
        cum = sorted_scores.softmax(-1).cumsum(-1)
        remove = cum <= 1 - top_p
        remove[-1] = False
        scores = scores.masked_fill(remove.scatter(0, order, remove), float("-inf"))
    return torch.multinomial(scores.softmax(-1), 1, generator=generator)[0]


def build_fast_lm(model: nn.Module, *, gguf: str | None = None) -> FastLM | None:
    """A FastLM for model when its architecture is supported, else None (callers fall back to generate). With
    gguf (the file the model's weights were de-quantised from), the int4 path."""
    return FastLM(model, gguf=gguf) if FastLM.supports(model) else None
