"""The int4 decode path: GGUF Q4_1 codes read as llama.cpp writes them, packed for PyTorch's kernel, exact."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vlm.q4 import HF_NAMES, QuantLinear, _llama_row_order, read_q4_1


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
    up = QuantLinear(*layers["model.layers.0.mlp.up_proj"], dtype=torch.float32)
    assert torch.equal(up.dense(), torch.from_numpy(dequant["blk.0.ffn_up.weight"]))
    q = QuantLinear(*layers["model.layers.0.self_attn.q_proj"], dtype=torch.float32)  # llama.cpp's RoPE row order, undone
    assert torch.equal(q.dense(), torch.from_numpy(dequant["blk.0.attn_q.weight"][_llama_row_order(32, 2)]))
    x = torch.randn(3, 64)
    assert torch.allclose(up(x), x @ up.dense().T, atol=1e-5, rtol=1e-5)   # the kernel, exact to fp32 rounding
    assert up.check(up.dense()) and up.check(up.dense().bfloat16())
    assert not up.check(up.dense() + 0.01)
    fast = QuantLinear(*layers["model.layers.0.mlp.up_proj"])                  # the default: bf16, the fast kernel
    y = fast(x.bfloat16())
    assert y.dtype == torch.bfloat16
    err = (y.float() - x @ up.dense().T).norm() / (x @ up.dense().T).norm()
    assert 1e-5 < err < 1e-2                                                    # bf16 rounding, no more


def test_lora_kept_apart_equals_the_merged_weights():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 16, (16, 64), dtype=np.uint8)
    d, m = rng.uniform(0.01, 0.1, (16, 2)).astype(np.float32), rng.normal(size=(16, 2)).astype(np.float32)
    a, b = torch.randn(4, 64), torch.randn(16, 4)
    plain = QuantLinear(codes, d, m, dtype=torch.float32)
    lora = QuantLinear(codes, d, m, lora=[(a, b, 0.5)], dtype=torch.float32)
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


def test_int4_decoding_measures_its_thread_count_and_keeps_the_tokens(tiny, tmp_path):
    """A whole model on the int4 path (weights set to what their Q4_1 codes stand for): greedy tokens equal the
    dense decoder's, the decode thread count is measured on the first answer and changes no token."""
    from vlm.fastlm import CALIBRATE, FastLM

    model = tiny[0]
    kinds = {hf: kind for kind, hf in HF_NAMES.items()}
    tensors, targets = {}, {}        # gguf name -> weight as llama.cpp stores it; -> (module, heads if permuted)
    for i, layer in enumerate(model.model.layers):
        for hf, module in [(n, m) for n, m in layer.named_modules() if isinstance(m, torch.nn.Linear)]:
            w = module.weight.detach().numpy().astype(np.float32)
            heads = {"self_attn.q_proj": 4, "self_attn.k_proj": 2}.get(hf)   # rows llama.cpp permutes
            if heads:
                w = w[np.argsort(_llama_row_order(w.shape[0], heads))]
            name = f"blk.{i}.{kinds[hf]}.weight"
            tensors[name], targets[name] = w, (module, heads)
    path, dequant = _gguf(tmp_path, tensors)
    with torch.no_grad():
        for name, (module, heads) in targets.items():
            w = dequant[name][_llama_row_order(module.weight.shape[0], heads)] if heads else dequant[name]
            module.weight.copy_(torch.from_numpy(w))
    fast, dense = FastLM(model, gguf=str(path)), FastLM(model)
    assert fast.quantized == 7 * len(model.model.layers) and dense.quantized == 0
    emb = model.get_input_embeddings()(torch.tensor([[1, 5, 9, 3]]))
    kwargs = {"max_new_tokens": 3 * CALIBRATE, "eos_token_ids": set()}
    ref = list(dense.generate(emb, **kwargs))
    assert fast._threads is None
    first = list(fast.generate(emb, **kwargs))                       # measures 1 against the current count
    assert fast._threads in (1, torch.get_num_threads()) and first == ref
    fast._threads = 1 if fast._threads != 1 else torch.get_num_threads()
    assert list(fast.generate(emb, **kwargs)) == ref                 # the other count: the same tokens
