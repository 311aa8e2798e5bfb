"""Tiny models built from configs, for fast offline tests."""
from __future__ import annotations

import copy

import torch

WORDS = ("the a an is are in on of to and with video what which way does move moves left right up down red blue "
         "green square circle it this that there person dog drum question answer facts objects seen motion none "
         "slight moderate strong scene cuts no one continuous shot frames analysed long fps you assistant").split()


def tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<unk>", "<pad>", "<|im_start|>", "<|im_end|>"]
    vocab = {w: i for i, w in enumerate(specials + list(dict.fromkeys(WORDS + list(".,:;?!()%-0123456789"))))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>",
                                   additional_special_tokens=["<|im_start|>", "<|im_end|>"])
    fast.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    return fast


def tiny_llm(seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         tie_word_embeddings=True)
    return LlamaForCausalLM(config).eval(), tokenizer


def tiny_config(**overrides):
    from vlm.config import VideoLLMConfig

    cfg = VideoLLMConfig(llm="tiny", encoder="efficientnet-lite0",
                         encoder_kwargs={"image_size": 64}, num_frames=4)  # real weights: 0.1 s to load
    return cfg.replace(**overrides)


def tiny_assistant(language_model, tokenizer, **config_overrides):
    from vlm.assistant import VideoAssistant

    return VideoAssistant.build(tiny_config(**config_overrides), language_model=copy.deepcopy(language_model),
                                tokenizer=copy.deepcopy(tokenizer))


def people_context(counts):
    """A 10 s perception context whose people part saw `counts[t]` upright people in analysed frame t."""
    from vlm.perception.context import PartState, PerceptionContext
    from vlm.perception.people import FramePeople, People, Person
    from vlm.video.io import VideoInfo

    box = (0.3, 0.1, 0.7, 0.9)
    people = People([FramePeople(float(t), [Person("upright", 0, False, box) for _ in range(n)])
                     for t, n in enumerate(counts)])
    state = PartState("people", "People")
    state.finish("done", people)
    return PerceptionContext(VideoInfo("x.mp4", 300, 30.0, 640, 360, "h264"), [1.0], [], [], [], [2.0],
                             {"people": state})
