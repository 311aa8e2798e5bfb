"""The page's parts. UI only: every model call goes through the assistant from `app.backend`."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app import backend
from app.timestamps import find_timestamps, fmt
from app.uploads import ACCEPTED, UploadDir, UploadError, max_upload_mb
from vlm.video import VideoReadError

SEEK_BUTTONS_PER_ANSWER = 6
PLAYER_MAX_HEIGHT = 420  # px: portrait clips are shown narrower rather than taller


SAMPLER_CHOICES = ("uniform", "keyframe", "scene", "motion", "salient")


@dataclass(frozen=True)
class GenerationSettings:
    num_frames: int = 16
    fps: float | None = None
    sampler: str = "uniform"
    max_new_tokens: int = 160
    temperature: float = 0.0
    seed: int = 0


def sidebar() -> tuple[backend.ModelSettings, GenerationSettings]:
    with st.sidebar:
        st.header("Settings")
        encoder = st.selectbox("Encoder", backend.ENCODER_CHOICES, key="encoder")
        pooling = st.selectbox("Token pooling", list(backend.POOLING_CHOICES), key="pooling")
        reader = st.toggle("Reader", value=True, key="reader",
                           help="The LoRA trained to answer from the perception facts (vlm reader train); off: the "
                                "plain SmolLM2 with the same facts. Applies with 2x2 pooling and no adapter.")
        adapter = st.text_input("Adapter folder (from `vlm finetune`)", key="adapter",
                                placeholder="e.g. runs/my-adapter").strip()
        if adapter:
            if not (Path(adapter).expanduser() / "videollm_config.json").is_file():
                st.error(f"{adapter}: not an adapter folder (no videollm_config.json); using no adapter")
                adapter = ""
            else:
                st.caption("The adapter's own pooling, frame count and prompt format apply.")
        num_frames = st.slider("Frames", 4, 32, 16, step=4, key="frames")
        sampler = st.selectbox("Frame sampler", SAMPLER_CHOICES, key="sampler",
                               help="uniform / keyframe: even spread; scene, motion, salient: a cheap pass picks "
                                    "where the action is (long videos)")
        use_fps = st.toggle("Sample at a fixed rate", key="use_fps")
        fps = st.number_input("Frames per second", 0.1, 10.0, 1.0, key="fps") if use_fps else None
        max_new = st.slider("Max new tokens", 16, 512, 160, step=16, key="max_new_tokens")
        temperature = st.slider("Temperature (0 = greedy)", 0.0, 1.5, 0.0, step=0.1, key="temperature")
        seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="seed")
        st.caption(f"Uploads up to {max_upload_mb()} MB ({', '.join(e[1:] for e in ACCEPTED)}).")
    return (backend.ModelSettings(encoder, backend.POOLING_CHOICES[pooling], str(Path(adapter).expanduser()) if adapter
                                  else "", reader),
            GenerationSettings(num_frames, fps, sampler, max_new, temperature, int(seed)))


def choose_video() -> tuple[Path | None, str | None]:
    """The current video (path, key): the upload box is always on the page, the sample clips below it are the
    alternative. A bad upload shows an error and keeps whatever video was loaded before; removing the upload goes
    back to the sample."""
    from vlm.samples import sample_clips

    state = st.session_state
    up = st.file_uploader("Upload a video", key="upload", max_upload_size=max_upload_mb(),
                          help=f"{', '.join(e[1:] for e in ACCEPTED)}; up to {max_upload_mb()} MB")
    if up is None:
        state.uploaded, state.upload_id, state.upload_error = None, None, None
    elif state.get("upload_id") != up.file_id:
        state.upload_id = up.file_id
        state.setdefault("upload_dir", UploadDir())
        try:
            path = state.upload_dir.save(up.name, up.getvalue())
            state.uploaded = (path, f"upload:{path.stem}", up.name)
            state.upload_error = None
        except UploadError as e:
            state.upload_error = str(e)
    if state.get("upload_error"):
        st.error(state.upload_error)
    clips = sample_clips()
    titles = [f"{c.title}  ·  {c.source}" for c in clips]
    uploaded = state.get("uploaded")
    i = st.selectbox("…or a sample clip", range(len(clips)), format_func=titles.__getitem__, key="sample",
                     disabled=bool(uploaded), help="Remove the upload to pick a sample clip")
    if uploaded:
        path, key, name = uploaded
        st.caption(f"Uploaded: {name}")
        return path, key
    return clips[i].path, f"sample:{clips[i].path}"


def watch(assistant, path: Path, key: str, gen: GenerationSettings):
    """Decode + encode + perceive once per (video, sampling); later reruns reuse the result."""
    cache = st.session_state.setdefault("watched", {})
    wkey = (key, gen.num_frames, gen.fps, gen.sampler, id(assistant))
    if wkey not in cache:
        kwargs = {"sampler": "fps", "fps": gen.fps} if gen.fps else {"sampler": gen.sampler}
        with st.spinner("Watching the video (sampling, encoding, perception)…"):
            try:
                cache.clear()  # one watched video per session is plenty of memory
                cache[wkey] = assistant.watch(path, num_frames=gen.num_frames, **kwargs)
            except VideoReadError as e:
                st.error(str(e))
                return None
    return cache[wkey]


def player(path: Path, key: str) -> bool:
    """The video player (drawn before any model is needed); False if the file cannot be read."""
    from vlm.video import probe

    try:
        info = probe(path)
    except VideoReadError as e:
        st.error(str(e))
        return False
    start = st.session_state.setdefault("seek", {}).get(key, 0)
    width = "stretch" if info.width >= info.height else max(160, round(PLAYER_MAX_HEIGHT * info.width / info.height))
    st.video(str(path), start_time=int(start), autoplay=bool(start), muted=True, width=width)
    if start:
        st.caption(f"Playing from {fmt(start)}")
    return True


def frame_strip(assistant, watched) -> None:
    T = len(watched.timestamps)
    t, h, w = assistant.config.video_grid(T)
    st.caption(f"What the model sees: {T} frames × {t * h * w // T if t == T else f'{h}x{w} per {T // t} frames'} "
               f"tokens = **{t * h * w} video tokens**")
    cols = st.columns(min(T, 8))
    for i, (img, ts) in enumerate(zip(watched.preview, watched.timestamps)):
        cols[i % len(cols)].image(img, caption=fmt(ts), width="stretch")


def _seek(key: str, seconds: float) -> None:
    st.session_state.setdefault("seek", {})[key] = seconds


def seek_buttons(text: str, key: str, duration: float, msg_index: int) -> None:
    stamps = find_timestamps(text, duration)[:SEEK_BUTTONS_PER_ANSWER]
    if not stamps:
        return
    cols = st.columns(len(stamps))
    for col, (label, secs) in zip(cols, stamps):
        col.button(f"▶ {label}", key=f"seek-{key}-{msg_index}-{secs}", on_click=_seek, args=(key, secs),
                   help=f"Play the video from {fmt(secs)}")


@dataclass
class ChatControls:
    box: object            # container the conversation is drawn into (above the controls)
    question: str | None
    regenerate: bool


def chat_controls(key: str) -> ChatControls:
    """The conversation's place, its buttons and the chat box: drawn before the models finish loading."""
    history = st.session_state.setdefault("chats", {}).setdefault(key, [])
    box = st.container()
    c1, c2 = st.columns(2)
    regenerate = c1.button("↻ Regenerate", key="regenerate", disabled=not history, width="stretch")
    if c2.button("✕ Clear chat", key="clear", disabled=not history, width="stretch"):
        history.clear()
    return ChatControls(box, st.chat_input("Ask about the video"), regenerate)


def chat(assistant, watched, key: str, gen: GenerationSettings, controls: ChatControls) -> None:
    state = st.session_state
    history: list[dict] = state.setdefault("chats", {}).setdefault(key, [])
    pending = state.get("pending")
    if pending and pending["key"] == key:  # the last answer was stopped mid-way: keep what was written
        history.append({"role": "assistant", "content": pending["text"].strip() + " … (stopped)"})
        state.pending = None
    question = controls.question
    if controls.regenerate and history and history[-1]["role"] == "assistant":
        history.pop()
        question = history.pop()["content"]
    with controls.box:
        for i, msg in enumerate(history):
            with st.chat_message(msg["role"]):
                st.markdown(msg["content"])
                if msg["role"] == "assistant":
                    seek_buttons(msg["content"], key, watched.info.duration, i)
        if question:
            _answer(assistant, watched, key, question, history, gen)


def _answer(assistant, watched, key, question, history, gen: GenerationSettings) -> None:
    before = list(history)
    history.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    st.session_state.pending = {"key": key, "text": ""}

    def pieces():
        for piece in assistant.stream(watched, question, before, max_new_tokens=gen.max_new_tokens,
                                      temperature=gen.temperature, seed=gen.seed):
            st.session_state.pending["text"] += piece
            yield piece

    with st.chat_message("assistant"):
        st.button("■ Stop", key="stop", help="Stop generating (keeps what was written)")
        text = st.write_stream(pieces())
    history.append({"role": "assistant", "content": (text or "").strip()})
    st.session_state.pending = None
    st.rerun()


def perception(watched, key: str) -> None:
    import pandas as pd

    ctx = watched.context
    background_progress(ctx)
    st.markdown("**Perception context** — exactly the facts the LLM reads with the video tokens:")
    st.code(ctx.to_text(), language=None, wrap_lines=True)
    if ctx.activity:
        st.markdown("**Likely activity** (a guess over ~800 action names from objects, posture, speech and text)")
        st.altair_chart(_bars(pd.DataFrame(ctx.activity, columns=["activity", "confidence"]), "confidence", "activity"),
                        width="stretch")
    transcript(ctx.part("speech"), key)
    screen_text(ctx.part("text"))
    people(ctx.part("people"))
    rows = [{"from": fmt(s.start), "to": fmt(s.end), "labels": ", ".join(f"{n} {p:.0%}" for n, p in s.labels),
             "motion (%/s)": s.motion, "direction": s.direction} for s in ctx.segments]
    st.markdown("**Objects and motion per segment** (ImageNet classifier, optical flow)")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.markdown("**Motion over time** (speed of the fastest-moving tenth of the picture, % of frame width per s)")
    st.line_chart(pd.DataFrame({"seconds": ctx.timestamps, "motion": ctx.motion_curve}).set_index("seconds"))
    if ctx.cuts:
        st.caption("Scene cuts at " + ", ".join(fmt(c) for c in ctx.cuts))
    sampler_scores(watched)


def _bars(df, x: str, y: str):
    import altair as alt

    return alt.Chart(df).mark_bar().encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:N", sort="-x", title=None),
                                           tooltip=[y, x])


@st.fragment(run_every=2.0)
def background_progress(ctx) -> None:
    """Progress of the parts still running in the background; the page refreshes once they land."""
    pending = ctx.pending
    if not pending:
        if st.session_state.pop("perception_pending", False):
            st.rerun(scope="app")  # everything that shows the context (and the next answer) gets the new facts
        return
    st.session_state.perception_pending = True
    for name in pending:
        state = ctx.parts[name]
        st.progress(state.progress, text=f"{state.title}: working in the background ({state.progress:.0%}); "
                                         "answers say it is still pending")


def transcript(result, key: str) -> None:
    if result is None:
        return
    st.markdown("**What is said** (Whisper" + (f", {result.language}" if result.language else "") + ")")
    if not result.segments:
        st.caption(result.note.capitalize())
        return
    for i, seg in enumerate(result.segments[:200]):
        c1, c2 = st.columns([1, 3], vertical_alignment="center")
        c1.button(f"▶ {fmt(seg.start)}", key=f"said-{key}-{i}", on_click=_seek, args=(key, seg.start),
                  help=f"Play the video from {fmt(seg.start)}")
        c2.markdown(seg.text)


def screen_text(result) -> None:
    if result is None:
        return
    st.markdown(f"**What is written** (OCR on {result.frames_read} frames)")
    if not result.items:
        st.caption("No on-screen text seen.")
        return
    kinds = {"text": "in the video", "overlay": "overlay, whole video", "watermark": "watermark"}
    st.dataframe([{"text": i.text, "seen": f"{fmt(i.start)}–{fmt(i.end)}", "kind": kinds[i.kind],
                   "confidence": f"{i.score:.0%}"} for i in result.items], hide_index=True, width="stretch")


def people(result) -> None:
    import pandas as pd

    if result is None:
        return
    st.markdown("**People over time** (MediaPipe pose, hands and faces)")
    if not result.frames or result.max_people == 0:
        st.caption(result.lines()[0])
        return
    df = pd.DataFrame({"seconds": [f.t for f in result.frames],
                       "people": [len(f.persons) for f in result.frames],
                       "faces": [f.faces for f in result.frames],
                       "hands": [f.hands for f in result.frames]}).set_index("seconds")
    st.line_chart(df)
    st.caption(result.lines()[0])


def sampler_scores(watched) -> None:
    import pandas as pd

    sel = getattr(watched, "selection", None)
    if sel is not None and getattr(sel, "candidates", None) is not None:
        st.markdown(f"**Why these frames** — the `{sel.sampler}` sampler's score over time (chosen frames marked)")
        fps = watched.info.fps
        curve = pd.DataFrame({"seconds": sel.candidates / fps, "score": sel.candidate_scores,
                              "chosen": [i in set(sel.indices.tolist()) for i in sel.candidates]})
        import altair as alt

        base = alt.Chart(curve).encode(x=alt.X("seconds:Q"), y=alt.Y("score:Q"))
        st.altair_chart(base.mark_line() + base.transform_filter("datum.chosen").mark_point(size=60, color="red"),
                        width="stretch")


DEFAULT_LABELS = "playing drums\nplaying guitar\nriding a bike\nwalking a dog\ncooking\ndancing\nswimming"


def parse_labels(text: str) -> list[str]:
    """One label per line, or comma-separated; blanks and repeats dropped, order kept."""
    parts = [x.strip() for line in text.splitlines() for x in line.split(",")]
    return list(dict.fromkeys(x for x in parts if x))


def zero_shot(watched) -> None:
    import pandas as pd

    st.markdown("Rank your own labels for this video (zero-shot: EfficientNet-Lite0's ImageNet view of the frames, "
                "matched to your words with MiniLM — the harness's `semantic` method).")
    text = st.text_area("Labels (one per line, or comma-separated)", DEFAULT_LABELS, key="zs_labels", height=150)
    labels = parse_labels(text)
    if len(labels) < 2:
        st.warning("Give at least two labels to rank.")
        return
    if len(labels) > 200:
        st.warning(f"{len(labels)} labels; ranking the first 200.")
        labels = labels[:200]
    cache = st.session_state.setdefault("zs_cache", {})
    ckey = (watched.path, tuple(watched.selection.indices.tolist()), tuple(labels))
    if ckey not in cache:
        cache.clear()
        cache[ckey] = backend.rank_labels(watched, labels)
    ranked = cache[ckey]
    st.caption(f"Best match: **{ranked[0][0]}**")
    st.altair_chart(_bars(pd.DataFrame(ranked, columns=["label", "score"]), "score", "label"), width="stretch")


def generation() -> None:
    """Plan a short video with the LLM, render it, and show how well it follows its plan."""
    from vlm.generation import PlanError

    st.markdown("Describe a short scene; the LLM lays it out (for each thing you name: colour, count, motion, "
                "size change, place) under a JSON schema built from your words, the layout becomes boxes per "
                "keyframe, any noun is drawn as a colour emoji sprite (tinted to its colour), and the rendered "
                "video is checked against rules read from your prompt itself — re-planned when one fails.")
    prompt = st.text_input("Scene", "a red ball rolls from left to right", key="gen_prompt")
    c1, c2, c3 = st.columns(3)
    frames = c1.slider("Frames", 12, 96, 48, step=12, key="gen_frames")
    size = c2.select_slider("Size", [128, 192, 256, 320], 256, key="gen_size")
    seed = c3.number_input("Seed", 0, 10_000, 0, key="gen_seed")
    if st.button("Generate", key="gen_go"):
        state = st.session_state
        state.setdefault("upload_dir", UploadDir())
        with st.spinner("Planning, rendering, verifying…"):
            try:
                state.gen_result = backend.generate_video(prompt, state.upload_dir.path, frames=frames, fps=12,
                                                          size=size, seed=int(seed))
                state.gen_error = None
            except PlanError as e:
                state.gen_error = str(e)
    if st.session_state.get("gen_error"):
        st.error(st.session_state.gen_error)
    res = st.session_state.get("gen_result")
    if res is not None:
        v = res.verification
        st.video(str(res.video), loop=True, autoplay=True, muted=True)
        st.caption(f"Prompt adherence **{res.prompt_adherence:.0%}** of {len(res.plan_rules)} rules read from the "
                   f"prompt · plan adherence **{v.score:.0%}** (the video against its plan)"
                   + (f" · re-planned ({res.attempts} attempts)" if res.replanned else "")
                   + f" · plan {res.seconds['plan']} s, render {res.seconds['render']} s, verify {res.seconds['verify']} s")
        mark = {True: "✓", False: "✗", None: "–"}
        st.dataframe([{"rule from the prompt": r["rule"], "kind": r["kind"], "plan": mark[r["plan"]],
                       "video": mark[r["video"]], "seen instead": "" if r["video"] else r["seen"]}
                      for r in res.rule_rows()], hide_index=True)
        if res.unmatched:
            st.warning("No sprite matched " + ", ".join(f"“{n}”" for n in res.unmatched)
                       + ": drawn as labelled blobs.")
        with st.expander("Sprites and the video against its plan"):
            st.caption("Sprites: " + ", ".join(f"{n} → {how}" for n, how in res.sprites.items()))
            st.dataframe([{"entity": c.name, "in its box": f"{c.position:.0%}", "moves as planned":
                           "–" if c.direction is None else f"{c.direction:.0%}", "size as planned":
                           "–" if c.size is None else f"{c.size:.0%}",
                           "colour as planned": "–" if c.colour is None else f"{c.colour:.0%}"}
                          for c in v.entities], hide_index=True)
        st.json(res.plan.model_dump(), expanded=False)
