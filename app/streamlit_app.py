"""vlm in the browser: pick or upload a video, see what the model sees, and chat about it.

    streamlit run app/streamlit_app.py
"""
import streamlit as st

from app import backend, views

st.set_page_config(page_title="vlm — chat about a video", layout="wide")
model_settings, gen = views.sidebar()
st.title("Chat about a video")

left, right = st.columns([5, 6], gap="large")
with left:
    path, key = views.choose_video()
if path is None:
    right.info("Upload a video (mp4, mov, avi, mkv, webm) or pick a sample clip to start.")
    st.stop()

assistant = backend.load_assistant(model_settings)
watched = views.watch(assistant, path, key, gen)
if watched is None:
    st.stop()
with left:
    views.player(watched, key)
    views.frame_strip(assistant, watched)
with right:
    chat_tab, sees_tab = st.tabs(["Chat", "What the model sees"])
    with sees_tab:
        views.perception(watched)
    with chat_tab:
        views.chat(assistant, watched, key, gen)
