"""gunicorn settings: ``gunicorn -c gunicorn.conf.py todo_project.wsgi``.

gunicorn itself reads ``PORT`` (bind 0.0.0.0:$PORT) and ``WEB_CONCURRENCY`` (workers).
"""

# Sync workers (gunicorn's default) read a request in the worker itself, so a client that
# sends its request slowly holds that worker until `timeout` kills and replaces it. Run
# behind a buffering proxy (nginx, or any PaaS router), as gunicorn's docs require for
# these workers. Threaded workers are no cure: a thread stuck on a slow client is never
# reclaimed, and the worker keeps heart-beating.

# Let headers up to 32 KiB through to Django, whose middleware answers anything over
# API_MAX_HEADER_BYTES (8 KiB) with a 431 problem+json; gunicorn's own 431 (plain text)
# only applies beyond this.
limit_request_field_size = 32 * 1024
# The longest request line gunicorn allows, so an over-long path reaches Django (a 404 or
# 403 problem) instead of gunicorn's plain-text 414.
limit_request_line = 8190
# Each worker keeps its database connection (CONN_MAX_AGE); recycle workers now and then.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# Proxies in front (Render, Fly, Railway…) set X-Forwarded-*; trust them only from there.
forwarded_allow_ips = "127.0.0.1"
