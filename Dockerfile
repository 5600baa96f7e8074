# Factmark for production: a slim Python image, a non-root user, an external PostgreSQL (DATABASE_URL).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FACTMARK_HOST=0.0.0.0 \
    FACTMARK_EMBEDDED=false \
    FACTMARK_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
RUN pip install --no-compile -e . \
    && useradd --system --uid 10001 --home-dir /app factmark
USER factmark

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"

# DATABASE_URL must be set: the embedded PostgreSQL (the `embedded` extra) is for development and is not installed
# here. Set FACTMARK_PUBLIC_URL (or FACTMARK_ALLOWED_HOSTS) to the name clients use: other Host headers get 400.
CMD ["factmark", "serve", "--host", "0.0.0.0", "--port", "8000"]
