# The optional Cloud Run service behind Firebase Hosting's /api/** rewrite: the same Flask app
# and gunicorn config as `make serve`, with the built site baked in. No TensorFlow: the
# server reads the exported files only.
#   make build                                  # writes static/
#   docker build -t shelf-api .
#   docker run --rm -p 127.0.0.1:8080:8080 shelf-api
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    SHELF_STATIC_DIR=/app/static

WORKDIR /app
COPY server/requirements.txt server/requirements.txt
RUN pip install --no-cache-dir -r server/requirements.txt

COPY gunicorn.conf.py ./
COPY server/ server/
COPY static/ static/

USER nobody
# Cloud Run sets PORT; gunicorn.conf.py binds ${HOST}:${PORT}.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "server:create_app()"]
