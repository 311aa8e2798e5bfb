"""The int4 decode path: GGUF Q4_1 codes read as llama.cpp writes them, packed for PyTorch's kernel, exact."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vlm.q4 import QuantLinear, _llama_row_order, read_q4_1


def _gguf(tmp_path, tensors: dict[str, np.ndarray]):
    import gguf
    from gguf import GGMLQuantizationType as T
    from gguf import quants

    path = tmp_path / "tiny.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    for name, x in tensors.items():
        w.add_tensor(name, quants.quantize(x, T.Q4_1), raw_dtype=T.Q4_1)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path, {n: quants.dequantize(quants.quantize(x, T.Q4_1), T.Q4_1) for n, x in tensors.items()}


def test_codes_read_from_a_gguf_give_the_dequantised_weights_exactly(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {"blk.0.ffn_up.weight": rng.normal(size=(48, 64)).astype(np.float32),
               "blk.0.attn_q.weight": rng.normal(size=(32, 64)).astype(np.float32)}
    path, dequant = _gguf(tmp_path, tensors)
    layers = read_q4_1(path, num_heads=2, num_kv_heads=1)
    up = QuantLinear(*layers["model.layers.0.mlp.up_proj"])
    assert torch.equal(up.dense(), torch.from_numpy(dequant["blk.0.ffn_up.weight"]))
    q = QuantLinear(*layers["model.layers.0.self_attn.q_proj"])  # llama.cpp's RoPE row order, undone
    assert torch.equal(q.dense(), torch.from_numpy(dequant["blk.0.attn_q.weight"][_llama_row_order(32, 2)]))
    x = torch.randn(3, 64)
    assert torch.allclose(up(x), x @ up.dense().T, atol=1e-5, rtol=1e-5)   # the kernel, exact to fp32 rounding
    assert up.check(up.dense()) and up.check(up.dense().bfloat16())
    assert not up.check(up.dense() + 0.01)


def test_lora_kept_apart_equals_the_merged_weights():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 16, (16, 64), dtype=np.uint8)
    d, m = rng.uniform(0.01, 0.1, (16, 2)).astype(np.float32), rng.normal(size=(16, 2)).astype(np.float32)
    a, b = torch.randn(4, 64), torch.randn(16, 4)
    plain, lora = QuantLinear(codes, d, m), QuantLinear(codes, d, m, lora=[(a, b, 0.5)])
    x = torch.randn(2, 64)
    assert torch.allclose(lora(x), x @ (plain.dense() + b @ a * 0.5).T, atol=1e-4, rtol=1e-4)


def test_fast_lm_falls_back_to_dense_when_the_gguf_is_not_the_models(tiny, tmp_path):
    """A gguf whose codes do not match the model's weights is never used (each layer is checked)."""
    from vlm.fastlm import Dense, FastLM

    model = tiny[0]
    q = model.model.layers[0].self_attn.q_proj.weight
    path, _ = _gguf(tmp_path, {"blk.0.attn_q.weight": np.random.default_rng(2).normal(size=tuple(q.shape))
                               .astype(np.float32)})
    lm = FastLM(model, gguf=str(path))
    assert lm.quantized == 0 and isinstance(lm.layers[0].q, Dense) and lm.dtype == q.dtype
