# HallQ. `make run` sets up and serves the demo hall; `make test` sets up and runs the tests.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := /var/tmp/hallq-apt-ok
# Test workers: the suite mostly waits on servers and browsers, so two halve it on two cores.
# Each test file stays on one worker (--dist loadfile), so a module's fixtures (a replayed month,
# a server) are built once.
TEST_WORKERS ?= 2

.PHONY: run run-city test lint bench simulate system-deps clean-demo

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

# Debian packages the tests and the voice need: espeak-ng (announcements), sox (measuring
# them), chromium (browser tests), CJK fonts (so screenshots show hanzi, not boxes).
system-deps:
	@if [ -f $(APT_STAMP) ] || (command -v espeak-ng && command -v chromium && command -v sox) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			espeak-ng sox chromium fonts-noto-cjk >/dev/null && touch $(APT_STAMP); \
	else echo "install espeak-ng sox chromium fonts-noto-cjk (apt) for the voice and browser tests"; fi

run: $(STAMP) system-deps
	$(BIN)/hallq demo seed
	$(BIN)/hallq serve --any-hours

# The demo city (issue 16): one process serves the municipal center at / and the two district
# centers at /h/east/ and /h/west/, on one database; the city's manager watches all three at
# /manage/city.
CITY_HALLS = east west
run-city: $(STAMP) system-deps
	$(BIN)/hallq demo seed
	$(foreach h,$(CITY_HALLS),$(BIN)/hallq demo seed --config config/halls/$(h).toml &&) true
	$(BIN)/hallq serve --any-hours --all-halls

test: $(STAMP) system-deps
	$(BIN)/ruff check server printers kiosk display console admin manage rater guide tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check server printers kiosk display console admin manage rater guide tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Replays the demo hall's days and measures the waiting-time estimates (docs/wait-estimates.md):
# var/sim/SCENARIO/report.json and chart.png each, and the three side by side.
SCENARIOS := normal-day peak-day held-out-short-staffed
simulate: $(STAMP)
	@for s in $(SCENARIOS); do $(BIN)/hallq simulate --scenario config/scenarios/$$s.toml --seed 1 --out var/sim/$$s || exit 1; done
	$(BIN)/python -m server.sim.chart $(foreach s,$(SCENARIOS),var/sim/$(s)/report.json) --out var/sim/wait-estimates.png

clean-demo:
	rm -rf var/
