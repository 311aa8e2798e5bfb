"""vlm in the browser: pick or upload a video, see what the model sees, and chat about it.

    streamlit run app/streamlit_app.py

The page draws the player and the chat box first and loads the models in the background (`backend.prefetch`),
so it is interactive before the models are ready.
"""
import dataclasses

import streamlit as st

from app import backend, views
from vlm.runtime import limit_malloc_arenas

limit_malloc_arenas()
st.set_page_config(page_title="vlm — chat about a video", layout="wide")
model_settings, gen = views.sidebar()
backend.prefetch(model_settings)
st.title("Chat about a video")

left, right = st.columns([5, 6], gap="large")
with left:
    path, key = views.choose_video()
    if path is None:
        right.info("Upload a video (mp4, mov, avi, mkv, webm) or pick a sample clip to start.")
        st.stop()
    if not views.player(path, key):
        st.stop()
    strip = st.container()
with right:
    chat_tab, sees_tab, zs_tab, gen_tab = st.tabs(["Chat", "What the model sees", "Zero-shot", "Generate"])
    with chat_tab:
        controls = views.chat_controls(key)

assistant = backend.load_assistant(model_settings)
if model_settings.adapter:  # an adapter sees as many frames as it was trained on
    gen = dataclasses.replace(gen, num_frames=assistant.config.num_frames, fps=None)
with strip:
    watched = views.watch(assistant, path, key, gen)
    if watched is None:
        st.stop()
    views.frame_strip(assistant, watched)
with sees_tab:
    views.perception(watched, key)
with zs_tab:
    views.zero_shot(watched)
with gen_tab:
    views.generation()
with chat_tab:
    views.chat(assistant, watched, key, gen, controls)
