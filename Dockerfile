# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app
# GNU gettext compiles the translation catalogues (locale/*/LC_MESSAGES/django.po) at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt

COPY . .
# Static files are collected at build time (whitenoise serves them compressed and hashed), and the
# translation catalogues compiled (the .mo files are built, not committed).
RUN DEBUG=false SECRET_KEY=collectstatic-only-build-secret-not-used-at-run-time-000000000000 \
        ALLOWED_HOSTS=build DATABASE_URL=sqlite:///tmp/build.sqlite3 \
        sh -c "python manage.py collectstatic --noinput -v 0 && python manage.py compilemessages --ignore=var -v 0" \
    && useradd --system --uid 10001 --home /app flipside \
    && mkdir -p /app/var && chown -R flipside /app/var

USER flipside
EXPOSE 8000
CMD ["gunicorn", "mentoring.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
