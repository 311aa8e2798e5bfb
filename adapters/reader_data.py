"""The reader's training set: conversations about perception contexts, answers derived from the facts.

    vlm data reader --out runs/reader-data [--fabricated 1200] [--synthetic 48]

Three sources: fabricated contexts (adapters.context_synth: cheap, every format and empty case), synthetic clips
with spoken sentences and captions watched by the real models (their noise, known words), and the real clips of
the QA benchmark's development half only (never its test half). Each row is one conversation of 3-7 turns about
one context (some turns follow up on the one before), with the context as its facts and a clip for its video
tokens: `{"video", "facts", "conversations", "kind"}`.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from adapters import reader_qa as rq

Q = {
    "said": ["What is said in the video?", "What does {w} say?", "What are they saying?", "What words can be heard?",
             "What does the narrator say?", "Tell me what is being said.", "What does the voice say?",
             "Transcribe what is said.", "What is spoken in this clip?", "What did they just say?",
             "What can you hear being said?", "What is the speaker saying?", "What does someone shout?"],
    "spoke": ["Is anyone talking?", "Does {w} say anything?", "Is there any speech?", "Does anyone speak?",
              "Can you hear anyone talking?", "Is someone speaking in the video?"],
    "written": ["What does the text on screen say?", "What is written in the video?", "What does the caption say?",
                "Read the text in the video.", "What words appear on screen?", "What does the sign say?",
                "What does the title say?", "What text is shown?", "What does the label say?",
                "What is written at the bottom?", "What do the words on the screen say?"],
    "any_text": ["Is there any text on the screen?", "Is any text shown?", "Are there captions?",
                 "Does the video show any writing?", "Is anything written on screen?"],
    "watermark": ["Is there a watermark?", "Is there a watermark on the video?", "Does the video have a logo or "
                  "watermark?", "Is there any watermark or text over the video?"],
    "more_than_one": ["Is there more than one person?", "Are there several people?", "Is {w} alone?",
                      "Is there more than one person in the video?"],
    "anyone": ["Are there any people?", "Is anyone in the video?", "Can you see a person?", "Is there a person?"],
    "standing": ["Is {w} sitting or standing?", "Is {w} standing?", "Is {w} standing up?"],
    "upside_down": ["Is {w} upside down?", "Is anyone upside down?", "Does {w} do a handstand?"],
    "lying": ["Is {w} lying down?", "Is anyone lying on the floor?"],
    "count": ["How many people are in the video?", "How many people can you see?", "How many people are there?",
              "How many persons appear?", "Count the people in the clip.", "How many kids are there?",
              "How many players are there?", "How many dancers are there?", "How many people are in the room?",
              "How many people take part?", "How many people are playing?"],
    "direction": ["Which way does it move?", "Which direction is {w} moving?", "Does anything move?",
                  "Which way is the motion?", "Is the motion to the left or to the right?", "Where do things move?",
                  "Which way does the camera move?"],
    "activity": ["What is happening in the video?", "What is {w} doing?", "What are they doing?",
                 "What activity is shown?", "What sport is this?", "What is going on?", "What is the main action?",
                 "What are the people doing?", "What kind of activity is this?", "What does {w} do?",
                 "What sport is being played?", "What is this video about?"],
    "thing": ["What is {w} holding?", "What is that thing?", "What object is shown?", "What is on the table?",
              "What is in front of {w}?", "What is {w} using?"],
    "objects": ["What objects can you see?", "What is in the video?", "What can be seen in the frames?",
                "Which objects appear?", "What things are visible?"],
    "animal": ["What animal is in the video?", "Is there an animal? Which one?", "What kind of animal is it?",
               "Which animal can you see?"],
    "place": ["Where is this?", "Where does this take place?", "Where was this filmed?", "What kind of place is this?",
              "What room is this?", "Where are they?", "Where is {w}?"],
    "indoors": ["Is this indoors or outdoors?", "Is it inside or outside?", "Is {w} indoors?", "Was this filmed outside?"],
    "unanswerable": ["What is {w}'s name?", "How old is {w}?", "What city is this?", "What brand is it?",
                     "What is {w} thinking?", "What happens after the video ends?", "What day of the week is it?",
                     "Why is {w} doing this?", "How much does it cost?", "Who filmed this?", "What is the name of the song?",
                     "Where did {w} go to school?", "What is the dog's name?", "What year was this filmed?",
                     "What did {w} eat for breakfast?", "Who wins in the end?", "Is {w} married?",
                     "What is the movie called?", "What is {w}'s job?", "How much does {w} weigh?",
                     "What is the weather forecast for tomorrow?", "What is {w}'s favourite colour?",
                     "How many strings does the guitar have?", "How many legs does the table have?",
                     "How many wheels can you see?", "How many windows are there?", "What colour are {w}'s eyes?",
                     "What is {w} wearing on the feet?", "What is the licence plate?", "How tall is {w}?"],
    "describe": ["Describe the video.", "Describe what happens in this video.", "Can you describe this video?",
                 "Describe the video in a few sentences.", "What do you see? Describe it.", "Summarise the video."],
}
FOLLOW = {  # second turns that refer back to the first
    "written": ["And when is it shown?", "And when does it appear?"],
    "said": ["And when is that said?", "And when does that happen?"],
    "count": ["And what are they doing?", "And what is that person doing?"],
    "animal": ["And what is it doing?", "And what is it made of?", "And what colour is it?"],
    "thing": ["And what is it made of?", "And how much does it cost?", "And how many of them are there?"],
    "activity": ["And how many people are doing it?", "And where is this?"],
}


def _q(rng, kind: str) -> str:
    return rq._pick(rng, Q[kind]).format(w=rq._who(rng))


def answer(f: rq.Facts, kind: str, rng, class_names) -> str:
    if kind in ("said", "spoke", "written", "any_text", "count", "direction", "activity", "describe", "watermark",
                "more_than_one", "anyone"):
        return getattr(rq, kind)(f)
    if kind in ("standing", "upside_down", "lying"):
        return rq.posture_answer(f, {"standing": "standing", "upside_down": "upside down", "lying": "lying down"}[kind])
    if kind in ("thing", "objects", "animal"):
        return rq.obj(f, kind)
    if kind in ("place", "indoors"):
        return rq.place(f, kind == "indoors")
    return rq.CANT


def follow_up(f: rq.Facts, first: str, rng) -> tuple[str, str]:
    q = rq._pick(rng, FOLLOW[first])
    if "when" in q.lower():
        pair = rq.when_text(f, rng) if first == "written" else rq.when_said(f, rng)
        return q, (pair[1] if pair else rq.CANT)
    if "how many" in q.lower():
        return q, rq.count(f)
    if "doing" in q.lower():
        return q, rq.activity(f)
    if "where" in q.lower():
        return q, rq.place(f, False)
    return q, rq.CANT  # made of, colour, cost: not in the facts


def conversation(ctx, rng, class_names, turns: int = 3) -> list[tuple[str, str, str]]:
    """[(kind, question, answer)] of 2-4 turns about one context."""
    f = rq.Facts(ctx)
    kinds = list(Q) + ["when", "yesno", "when", "yesno"]
    out = []
    for _ in range(40):
        if len(out) >= turns:
            break
        kind = rq._pick(rng, kinds)
        if kind == "when":
            pair = (rq.when_said(f, rng) or rq.when_text(f, rng)) if rng.random() < 0.7 else rq.when_people(f, rng)
            if pair:
                out.append(("when", *pair))
            continue
        if kind == "yesno":
            out.append(("yesno", *rq.yes_no_thing(f, rng, class_names)))
            continue
        out.append((kind, _q(rng, kind), answer(f, kind, rng, class_names)))
        base = {"spoke": "said", "any_text": "written", "objects": "thing"}.get(kind, kind)
        if base in FOLLOW and rng.random() < 0.35 and len(out) < turns:
            out.append(("follow", *follow_up(f, base, rng)))
    seen, unique = set(), []
    for turn in out[:turns]:  # the same question twice in one conversation teaches nothing
        if turn[1] not in seen:
            seen.add(turn[1])
            unique.append(turn)
    return unique


def rows_for(ctx, video: str, rng, class_names, n: int, source: str) -> list[dict]:
    """n conversations of 3-7 turns (long ones amortise the ~450-token prompt: training reads ~300 tokens/s)."""
    facts = ctx.to_text()
    rows = []
    for _ in range(n):
        conv = conversation(ctx, rng, class_names, turns=int(rng.integers(3, 8)))
        turns = []
        for _, q, a in conv:
            turns += [{"from": "human", "value": q}, {"from": "gpt", "value": a}]
        rows.append({"video": video, "facts": facts, "conversations": turns, "kind": conv[0][0], "source": source})
    return rows


def write_reader_set(out_dir: str | Path, *, fabricated: int = 1200, synthetic: int = 48,
                     real_clips: list[Path] = (), seed: int = 0, progress: bool = True) -> dict[str, Path]:
    """train.jsonl (+ val.jsonl: fabricated only, 5%) into out_dir; returns the paths. real_clips: the real
    videos whose contexts may be trained on (the QA benchmark's development half; the CLI passes them)."""
    from tqdm import tqdm

    from adapters.context_synth import fabricate
    from vlm.assistant import VideoAssistant
    from vlm.perception.activity import display_name, load_vocabulary
    from vlm.weights import imagenet_class_names

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    names = imagenet_class_names()
    actions = [display_name(a) for a in load_vocabulary()]
    assistant = VideoAssistant.build()
    videos = _synthetic_clips(out / "clips", synthetic, rng, progress)
    rows = []
    for path in tqdm(videos, desc="synthetic clips: watching", disable=not progress):
        rows += rows_for(assistant.watch(path).context, str(path), rng, names, 4, "synthetic")
    for path in tqdm([Path(c).resolve() for c in real_clips], desc="real clips: watching", disable=not progress):
        videos.append(path)
        rows += rows_for(assistant.watch(path).context, str(path), rng, names, 8, "real")
    fab = [r for _ in tqdm(range(fabricated), desc="fabricated contexts", disable=not progress)
           for r in rows_for(fabricate(rng, names, actions), str(videos[int(rng.integers(len(videos)))]), rng, names,
                             1, "fabricated")]
    n_val = max(1, len(fab) // 20)
    files = {"train": out / "train.jsonl", "val": out / "val.jsonl"}
    train = rows + fab[n_val:]
    order = rng.permutation(len(train))
    files["train"].write_text("".join(json.dumps(train[i]) + "\n" for i in order))
    files["val"].write_text("".join(json.dumps(r) + "\n" for r in fab[:n_val]))
    return files


def _synthetic_clips(out: Path, n: int, rng, progress: bool) -> list[Path]:
    """n clips of moving shapes with a caption and a spoken sentence or two (espeak-ng), known by construction."""
    from tqdm import tqdm

    from adapters.context_synth import SENTENCES, _caption
    from vlm.data.av import Caption, Utterance, write_av_clip
    from vlm.data.synthetic import Scene, random_shape

    paths = []
    for i in tqdm(range(n), desc="synthetic clips: writing", disable=not progress):
        path = (out / f"av_{i:03d}.mp4").resolve()
        paths.append(path)
        if path.exists():
            continue
        duration = float(rng.uniform(4, 10))
        scene = Scene(shapes=(random_shape(rng),), width=480, height=270, fps=12, num_frames=int(duration * 12),
                      background=str(rng.choice(["grey", "dark", "sand", "sky"])), seed=int(rng.integers(1 << 30)))
        captions = (Caption(_caption(rng), float(rng.uniform(0, duration / 2)), None, float(rng.uniform(0.15, 0.9))),) \
            if rng.random() < 0.6 else ()
        speech = tuple(Utterance(str(rng.choice(SENTENCES)), float(t))
                       for t in sorted(rng.uniform(0.3, max(0.5, duration - 3.5), int(rng.integers(0, 3))))) \
            if rng.random() < 0.7 else ()
        write_av_clip(scene, path, captions=captions, speech=speech)
    return paths
