# hirebridge: one image for the web process (default), the worker, migrations and the sandbox.
#   docker build -t hirebridge .
#   docker run --env-file .env -p 127.0.0.1:8000:8000 hirebridge            # hirebridge serve
#   docker run --env-file .env hirebridge worker                            # hirebridge worker
# docs/deploy.md explains the settings; compose.yml wires it to PostgreSQL and Redis.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the locked dependencies and the project installed in /app/.venv, static collected ---
FROM ${PYTHON_IMAGE} AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# The project as a package (templates, static files and migrations included), not a link to
# src/, so the runtime stage needs the virtual environment alone.
COPY README.md ./
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

# Settings need a SECRET_KEY to load. This throwaway one exists only in this RUN step of the
# build stage, which the runtime image does not contain; the real key comes from the
# environment at run time.
RUN SECRET_KEY=collectstatic-only-never-used-to-sign-anything-0123456789 \
    STATIC_ROOT=/app/staticfiles \
    DATA_DIR=/tmp/collectstatic \
    /app/.venv/bin/hirebridge collectstatic --noinput

# --- runtime: the virtual environment (hirebridge's source installed in it), static files ---
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 hirebridge \
    && useradd --system --uid 10001 --gid hirebridge --home-dir /app --no-create-home hirebridge
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY --from=build /app/staticfiles /app/staticfiles
RUN install --directory --owner hirebridge --group hirebridge /app/var
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    WEB_BIND=0.0.0.0:8000 \
    GUNICORN_CMD_ARGS="--worker-tmp-dir /dev/shm"
USER hirebridge
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
ENTRYPOINT ["hirebridge"]
CMD ["serve"]
