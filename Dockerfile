# Production image: Django under Granian (scripts/serve.sh), static files (MapLibre from npm included) served by WhiteNoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 libproj25 nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.lock && npm ci --no-audit --no-fund --omit=dev
COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef \
    DATABASE_URL=postgis://build@localhost/build python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 1000 territorio && mkdir -p /app/media && chown territorio /app/media
USER territorio
EXPOSE 8000
CMD ["scripts/serve.sh"]
