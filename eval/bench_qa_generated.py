"""Speech and captions the reader never saw, on real backgrounds: a generated QA check with known truth.

    python -m eval.bench_qa_generated [--clips 16] [--seed 0] [--systems assistant reader] [--out eval/results]

The reader's training clips with speech and captions are moving shapes with sentences and captions from
`adapters.context_synth`. Here the test half's real clips without text of their own (their first 10 s, their
own sound replaced) get a sentence spoken by espeak-ng and a caption drawn on them, both from pools written for
this check and sharing no sentence or caption with the training pools (checked at run time). Every clip is asked
what is said, what the caption says, when the caption appears and when someone starts speaking; a quarter of
the clips have no caption and a quarter no speech, where the right answer says there is none. An answer about
speech or text is accepted when it holds the two longest words of the sentence or caption, endings aside
(Whisper and OCR must get them right); a "when" answer when its first time falls while the caption is shown or
the sentence is spoken (0.5 s slack). Writes qa_generated.json, .md and .png; the clips stay in the cache
(~/.cache/vlm/qa_generated).

    python -m eval.bench_qa_generated --wordings test --name qa_generated_wordings

asks each clip in wordings people type instead of the four fixed ones (one drawn per question from WORDINGS),
adds a yes/no about speech and about text and a follow-up ("What's the caption?" then "When is it shown?"). The
"dev" pool, asked over development-half clips (`--split dev`), is the one to fix answers on; the "test" pool was
written at the same time and is only reported.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from eval.bench_qa import QUESTIONS, run_system, write_results

SENTENCES = """The library will close early on Friday.|My grandmother grows tomatoes on her balcony.|Our flight was
delayed by three hours.|The new bakery sells warm croissants.|Please switch off your phones during the film.|The
mechanic fixed the brakes yesterday.|We walked along the river at sunset.|This puzzle has a thousand pieces.|The
orchestra rehearses every Tuesday evening.|Somebody left an umbrella on the tram.|The volcano erupted last winter.|The
farmer bought a bright yellow tractor.|The penguins are fed twice a day.|I forgot my keys in the office.|The
castle tour starts at noon.|Water the cactus only once a month.|The lighthouse keeper lived alone.|Two kittens were
sleeping in the basket.|The ferry crosses the lake every hour.|Grandfather repaired the wooden canoe.|The telescope
shows the rings of Saturn.|Chocolate melts quickly in the sunshine.|The firefighters rescued a frightened
parrot.|Carpenters built the staircase by hand.""".replace("\n", " ").split("|")
CAPTIONS = ["Seaside Festival", "Mountain Rescue Team", "Grand Opening Tonight", "Science Museum Tours",
            "Winter Clearance Event", "Vintage Tractor Show", "Jazz Orchestra Live", "Botanical Garden Walk",
            "Penguin Feeding Time", "Lighthouse Island Trip", "Pottery Workshop Today", "Midnight Cinema Club",
            "Volcano Documentary", "Chess Championship", "Bicycle Repair Guide", "Telescope Night Sky",
            "Chocolate Factory Visit", "Canoe Rental Open", "Farmers Market Sunday", "Cathedral Concert"]
# Other wordings of each question, one drawn per clip: "dev" to look at and fix answers on (with --split dev),
# "test" only reported. A follow-up is two turns whose second refers back to the first ("it", "that").
WORDINGS = {
    "dev": {
        "said": ["What does the speaker say?", "Can you transcribe the speech?", "What words are spoken?",
                 "Tell me what the voice says.", "what is being said", "What do they say in this clip?"],
        "written": ["What text appears on screen?", "What is written in the video?", "Read the caption for me.",
                    "what words show up on the screen", "What does the title say?",
                    "Is there any text? What does it say?"],
        "when-caption": ["At what time does the text appear?", "When is the caption shown?",
                         "when do the words show up on screen", "At which second does the title appear?"],
        "when-said": ["When does the speech begin?", "At what time does the voice start?", "when does someone talk",
                      "At which second does the talking start?"],
        "yesno-said": ["Does anyone speak?", "Is there speech in this video?", "Can you hear someone talking?"],
        "yesno-written": ["Is there any writing on screen?", "Does any text appear?", "Are there words on the screen?"],
        "follow-caption": [["What is written on screen?", "And when does it appear?"],
                           ["Read the caption.", "When does it show up?"]],
        "follow-said": [["What does the voice say?", "When is that said?"],
                        ["What is said?", "And when?"]],
    },
    "test": {
        "said": ["What is the narrator saying?", "Transcribe what is said.", "What does the voice in the video say?",
                 "Any dialogue? What is it?", "Repeat what was said.", "What's spoken in the clip?"],
        "written": ["What words are shown on the screen?", "Read me the on-screen text.", "What's the caption?",
                    "What is the text overlay?", "What does the writing say?",
                    "Tell me what the on-screen caption reads."],
        "when-caption": ["When does the text show up?", "At what point is the caption visible?",
                         "What time does the writing appear?", "When do we first see the caption?"],
        "when-said": ["When does the person begin talking?", "At what time is something said?",
                      "When do we hear the voice?", "When does the speaking start?"],
        "yesno-said": ["Is anyone talking?", "Does someone say something?", "Is there any speech?"],
        "yesno-written": ["Is there a caption?", "Is anything written on the video?", "Do you see any text?"],
        "follow-caption": [["What's the caption?", "When is it shown?"],
                           ["What does the on-screen text say?", "At what time?"]],
        "follow-said": [["What is said?", "At what time?"],
                        ["What does the speaker say?", "When do they say it?"]],
    },
}
FIXED = {"said": "What is said in the video?", "written": "What does the caption say?",
         "when-caption": "When does the caption appear?", "when-said": "When does someone start speaking?"}
WHEN_SLACK = 0.5
YES, NO = r"^\W*yes\b", r"^\W*(?:no\b|nobody|no one|nothing)"
NO_SPEECH = (r"no (?:speech|one (?:speaks|talks|says)|words|talking|spoken|audio|sound|voice|dialogue)|nothing(?: is)? "
             r"(?:said|spoken)|not? (?:say|speak|talk)|does(?:n.?t| not) (?:say|speak|talk)|silent|silence|can.?t tell")
NO_TEXT = r"\bno (?:text|caption|words?|writing)|nothing(?: is)? (?:written|shown)|none|not? (?:see|read)|can.?t tell"


def check_pools_are_new() -> None:
    """No sentence or caption of this check is in the reader's training pools."""
    from adapters.context_synth import CAPTIONS as TRAIN_CAPTIONS
    from adapters.context_synth import SENTENCES as TRAIN_SENTENCES

    norm = lambda s: re.sub(r"\W+", " ", s.lower()).strip()  # noqa: E731
    train = {norm(s) for s in TRAIN_SENTENCES} | {norm(c) for c in TRAIN_CAPTIONS}
    shared = [s for s in SENTENCES + CAPTIONS if norm(s) in train]
    assert not shared, f"held-out pools overlap the training pools: {shared}"


def key_words(text: str, k: int = 2) -> list[str]:
    """The k longest words (the ones a mishearing or misreading is likeliest to lose)."""
    return sorted(re.findall(r"[A-Za-z]+", text), key=lambda w: (-len(w), w))[:k]


def holds(words: list[str]) -> str:
    """A pattern accepting text with every word (in any order), a word's ending aside ("penguin" for
    "penguins"): all but its last two letters, at least five."""
    return "".join(rf"(?=.*\b{re.escape(w[:max(5, len(w) - 2)])})" for w in words) + ".*"


def backgrounds(n: int, split: str = "test") -> list[str]:
    """n real clips of the split of at least 5 s with no text of their own (OCR reads none in their first 10 s),
    in the question file's order (repeated if too few)."""
    from vlm.perception.base import Clip
    from vlm.perception.ocr import TextPart
    from vlm.samples import shared_videos_dir
    from vlm.video import probe

    root, seen, out, ocr = shared_videos_dir(), set(), [], TextPart()
    for line in QUESTIONS.read_text().splitlines():
        q = json.loads(line)
        if q["split"] != split or q["clip"] in seen:
            continue
        seen.add(q["clip"])
        info = probe(root / q["clip"])
        if info.duration < 5.0:
            continue
        read = ocr.run(Clip(root / q["clip"], info), lambda done: None)
        if not any(i.start < 10.0 for i in read.items):
            out.append(q["clip"])
    return [out[i % len(out)] for i in range(n)]


def build(n: int, out_dir: Path, seed: int = 0, *, wordings: str | None = None, split: str = "test") -> list[dict]:
    """Write n clips into out_dir and return their questions (bench_qa's format, clip paths relative to it):
    the four fixed wordings, or with `wordings` ("dev", "test") one drawn from WORDINGS per question plus the
    yes/no and follow-up questions."""
    import numpy as np

    from vlm.data.av import RATE, Caption, Utterance, overlay_av_clip, speak
    from vlm.samples import shared_videos_dir
    from vlm.video import probe

    rng = np.random.default_rng(seed)
    root, questions = shared_videos_dir(), []
    sentences, captions = rng.permutation(SENTENCES), rng.permutation(CAPTIONS)
    draw = np.random.default_rng([seed, 1])   # its own stream: the clips are the same with or without wordings
    pool = WORDINGS[wordings] if wordings else {k: [v] for k, v in FIXED.items()}

    def ask(kind: str) -> list[str]:
        pick = pool[kind][int(draw.integers(len(pool[kind])))]
        return list(pick) if isinstance(pick, list) else [pick]

    for i, clip in enumerate(backgrounds(n, split)):
        seconds = min(10.0, probe(root / clip).duration)
        sentence = str(sentences[i % len(sentences)]) if i % 4 != 1 else None   # every fourth: silent
        caption = str(captions[i % len(captions)]) if i % 4 != 2 else None       # every fourth: no caption
        speech, caps = (), ()
        if sentence:
            length = len(speak(sentence)) / RATE
            start = round(float(rng.uniform(0.3, max(0.4, seconds - length - 0.3))), 2)
            speech = (Utterance(sentence, start),)
            spoken = (start, start + length)
        if caption:
            start = round(float(rng.uniform(0.5, seconds / 3)), 2)   # neither from the start nor to the end:
            end = round(min(seconds - 1.0, start + float(rng.uniform(2.5, 4.0))), 2)   # "throughout" is wrong
            caps = (Caption(caption, start, end, float(rng.uniform(0.15, 0.9))),)
        made = hashlib.sha1(repr((clip, seconds, speech, caps)).encode()).hexdigest()[:8]  # new design: new files
        name = f"gen_{i:02d}_{Path(clip).stem[:24]}_{made}.mp4"
        path = out_dir / name
        if not path.exists():
            overlay_av_clip(root / clip, path, seconds=seconds, captions=caps, speech=speech)
        base = {"split": "generated", "clip": name, "background": clip}
        questions.append({**base, "id": f"gen{i:02d}-said", "kind": "said", "turns": ask("said"),
                          "accept": holds(key_words(sentence)) if sentence else NO_SPEECH, "truth": sentence})
        questions.append({**base, "id": f"gen{i:02d}-written", "kind": "written", "turns": ask("written"),
                          "accept": holds(key_words(caption)) if caption else NO_TEXT, "truth": caption})
        if caption:
            questions.append({**base, "id": f"gen{i:02d}-when-caption", "kind": "when", "turns": ask("when-caption"),
                              "accept_time": [caps[0].start, caps[0].end]})
        if sentence:
            questions.append({**base, "id": f"gen{i:02d}-when-said", "kind": "when", "turns": ask("when-said"),
                              "accept_time": [round(spoken[0], 2), round(spoken[1], 2)]})
        if not wordings:
            continue
        for part, truth in (("said", sentence), ("written", caption)):
            questions.append({**base, "id": f"gen{i:02d}-yesno-{part}", "kind": "yesno", "turns": ask(f"yesno-{part}"),
                              "accept": YES if truth else NO, "truth": truth})
        if caption:
            questions.append({**base, "id": f"gen{i:02d}-follow-caption", "kind": "follow",
                              "turns": ask("follow-caption"), "accept_time": [caps[0].start, caps[0].end]})
        if sentence:
            questions.append({**base, "id": f"gen{i:02d}-follow-said", "kind": "follow", "turns": ask("follow-said"),
                              "accept_time": [round(spoken[0], 2), round(spoken[1], 2)]})
    return questions


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=16)
    p.add_argument("--seed", type=int, default=0, help="another seed: other pairings of clip, sentence and caption")
    p.add_argument("--systems", nargs="+", default=["assistant", "reader"])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--name", default="qa_generated")
    p.add_argument("--wordings", choices=sorted(WORDINGS), help="ask in wordings from this pool (see WORDINGS)")
    p.add_argument("--split", default="test", choices=["dev", "test"], help="whose real clips are the backgrounds")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    from vlm.runtime import limit_malloc_arenas
    from vlm.samples import shared_videos_dir
    from vlm.weights import cache_dir

    limit_malloc_arenas()
    if shared_videos_dir() is None:
        print("bench_qa_generated: the real clips (../shared/videos or $VLM_VIDEOS) are not here", file=sys.stderr)
        return 2
    check_pools_are_new()
    clips = cache_dir() / "qa_generated"
    clips.mkdir(parents=True, exist_ok=True)
    questions = build(args.clips, clips, seed=args.seed, wordings=args.wordings, split=args.split)
    rows = []
    for name in args.systems:
        rows += run_system(name, questions, clips, progress=not args.quiet)
    half = {"test": "test-half", "dev": "development-half"}[args.split]
    asked = f", {args.wordings} wordings" if args.wordings else ""
    split = f"Generated speech and captions on {args.clips} {half} clips (seed {args.seed}{asked})"
    print(write_results(args.out, args.name, split, args.systems, rows, questions=questions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
