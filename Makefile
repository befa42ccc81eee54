# evalbook — one command for the main job, one for the tests (see README.md).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup system lint typecheck pytest templates check-generated bench bench-batch

$(BIN)/evalbook: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

setup: $(BIN)/evalbook

# Debian packages for the spreadsheet-engine tests (LibreOffice recalculates our workbooks).
system:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libreoffice-calc-nogui fonts-noto-cjk poppler-utils >/dev/null; \
	else echo "跳过 apt-get（非 root 或非 Debian）：LibreOffice 相关测试将被跳过"; fi

# The main job on the bundled example: score the filled workbook, then validate it as the
# finance bureau would (an annotated copy and a summary workbook go to out/).
demo: setup
	$(BIN)/evalbook score xlsx_templates/examples/yunxi_2020.xlsx
	$(BIN)/evalbook validate xlsx_templates/examples/yunxi_2020.xlsx --annotate out/
	$(BIN)/evalbook batch xlsx_templates/examples -o out/校验汇总.xlsx --quiet

lint: setup
	$(BIN)/ruff check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest

# The committed workbooks under xlsx_templates/ are generated: regenerate, or check they are current.
templates: setup
	$(BIN)/python scripts/regen_templates.py
	$(BIN)/evalbook addin lite -o addin/lite

check-generated: setup
	$(BIN)/python scripts/regen_templates.py --check

test: system setup lint typecheck check-generated pytest

bench: setup
	$(BIN)/python benchmarks/bench_score.py
	$(BIN)/python benchmarks/bench_template.py
	$(BIN)/python benchmarks/bench_udf.py
	$(BIN)/python benchmarks/bench_validate.py

# 1,000 generated returns, 1 and 2 workers (a few minutes)
bench-batch: setup
	$(BIN)/python benchmarks/bench_batch.py
