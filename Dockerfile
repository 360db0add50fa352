# One image for web, worker and beat (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
RUN mkdir -p static && npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
RUN useradd --create-home --uid 1000 fourscore
COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY influencers ./influencers
COPY campaigns ./campaigns
COPY scoring ./scoring
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
COPY --from=assets /app/static/vendor ./static/vendor
# collectstatic needs settings to import; these build-time values are never used at run time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
USER fourscore
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
