# gapmap — two commands on a fresh machine:
#   make demo   venv + install + whole pipeline on the demo corpus (or CORPUS="FILE ...") + explorer on :8501
#   make test   venv + install + Neo4j (fetched with Maven) + headless Chromium + every test
#   make fuzz   the property-based fuzz suites with a long budget (make test runs them briefly)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOME_DIR ?= gapmap-data

.PHONY: install demo test fuzz lint model gazetteer bench clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (gapmap needs Python 3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/gapmap --home $(HOME_DIR) demo $(foreach c,$(CORPUS),--corpus $(c))

test: install
	bash scripts/run-tests.sh

# The fuzz suites also run in `make test` with small budgets (parsers: the "quick" Hypothesis profile).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz GAPMAP_FUZZ_EXAMPLES=5000 $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz_*.py tests/test_query_fuzz.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy core gapmap ingest nlp graph analytics explorer app.py

model: install
	$(BIN)/gapmap nlp train

bench: install
	$(BIN)/python bench/ingest/run.py
	$(BIN)/python bench/ingest/long_record.py
	$(BIN)/python bench/nlp/run.py
	$(BIN)/python bench/graph/run.py
	$(BIN)/python bench/analytics/run.py

clean:
	rm -rf $(VENV) gapmap-data test-output .test-home
