"""gunicorn settings: ``gunicorn -c gunicorn.conf.py todo_project.wsgi``.

gunicorn itself reads ``PORT`` (bind 0.0.0.0:$PORT) and ``WEB_CONCURRENCY`` (workers).
"""

# Let headers up to 32 KiB through to Django, whose middleware answers anything over
# API_MAX_HEADER_BYTES (8 KiB) with a 431 problem+json; gunicorn's own 431 (plain text)
# only applies beyond this.
limit_request_field_size = 32 * 1024
# Each worker keeps its database connection (CONN_MAX_AGE); recycle workers now and then.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# Proxies in front (Render, Fly, Railway…) set X-Forwarded-*; trust them only from there.
forwarded_allow_ips = "127.0.0.1"
