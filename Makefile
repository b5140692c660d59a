# The two commands a fresh machine needs: `make demo` and `make test`.
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PYTEST_ARGS ?= -n 2

.PHONY: demo test lint env

env:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

demo: env
	$(UV) run hirebridge demo

test: env
	$(UV) run pytest $(PYTEST_ARGS)

lint: env
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run bandit -q -r src -c pyproject.toml
