# Zaalboek: gunicorn + whitenoise, for PostgreSQL. Build: docker build -t zaalboek .  Run: see docs/deploy.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production PORT=8000

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# collectstatic needs the production settings to load: throw-away values for the build only, never used at run time.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(60))') \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build ALLOWED_HOSTS=build EMAIL_HOST=build ZAALBOEK_LOCAL_CACHE=1 \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin zaalboek \
    && chown -R zaalboek /app/staticfiles
USER zaalboek

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:'+os.environ.get('PORT','8000')+'/healthz', timeout=4)"
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
