"""Constants shared by the model, the processor and training (one place, LLaVA-style)."""
IGNORE_INDEX = -100       # label value the loss skips (prompt, padding and video positions)
VIDEO_TOKEN = "<video>"   # placeholder the processor expands to num_video_tokens copies
