"""The ``DATABASES`` entry, from the values ``base`` read from the environment."""

import dj_database_url

from todo_project.database_url import database_url_normalise


def database_settings(
    *,
    url: str,
    sqlite_path: str,
    sqlite_synchronous: str,
    conn_max_age: int,
    connect_timeout: int,
    statement_timeout: int,
    pool: bool,
    pool_timeout: int,
    prepared_statements: bool,
) -> dict:
    """PostgreSQL from ``url`` (with bounded waits everywhere), else the SQLite file."""
    if url:
        # Persistent connections, checked before reuse after an idle spell: a serverless Postgres
        # (Neon) closes idle connections, and a health check turns that into a reconnect, not an
        # error. DatabaseUnavailableMiddleware skips the check for a connection in steady use.
        database = dj_database_url.parse(
            database_url_normalise(url=url),
            conn_max_age=conn_max_age,
            conn_health_checks=True,
        )
    else:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            # Kept open like PostgreSQL's: opening the file, its init command and Django's
            # function registrations cost about 0.5 ms of every request.
            "CONN_MAX_AGE": conn_max_age,
            "OPTIONS": {
                # Wait for a writer instead of failing at once with "database is locked".
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                # Write-ahead log: readers do not wait for the writer, and a commit is one
                # append instead of a journal's several (a create held the write lock 1.2 ms
                # instead of 2.5). Kept in the file; needs a local disk. With synchronous
                # NORMAL (the default, as Rails ships it) a commit does not wait for its
                # fsync: the log is synced at checkpoints, the file is never corrupted, and
                # only a power cut or OS crash may lose the last commits (an app crash loses
                # nothing). A create went from 2.1 to 1.35 ms. FULL syncs every commit.
                "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={sqlite_synchronous.upper()}",
            },
        }
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        # A bounded connect time: /api/ready must answer 503, not hang, when the database is gone.
        options.setdefault("connect_timeout", connect_timeout)
        # TCP keepalives find a peer that vanished while the connection was idle; with
        # tcp_user_timeout the kernel gives up on data left unacknowledged. (Query parameters
        # of DATABASE_URL, already in OPTIONS, win.)
        for name, value in {
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 10_000,  # ms
        }.items():
            options.setdefault(name, value)
        # Server-side bound on each statement; a startup option, which some poolers refuse
        # (PgBouncer, Neon's pooled host): 0 leaves it out (set it on the role instead).
        if statement_timeout:
            startup = f"{options.get('options', '')} -c statement_timeout={statement_timeout * 1000}"
            options["options"] = startup.strip()
        if prepared_statements:
            # The prepared queries' statements are prepared on the server (todo_project.pg_cursors):
            # psycopg prepares a statement when asked to, or once it ran this many times, which
            # Django's own queries (values merged into the text, never prepared) never reach.
            options.setdefault("prepare_threshold", 2**31 - 1)
        if pool:
            # psycopg's pool (one per process) keeps the connections instead of Django, which
            # refuses to combine it with persistent connections. A short acquire timeout: in
            # an outage a request gets its 503 quickly instead of holding its worker 30 s.
            options["pool"] = {"timeout": pool_timeout}
            database["CONN_MAX_AGE"] = 0
    return database
