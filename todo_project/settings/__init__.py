"""Settings modules: ``base`` reads the environment; the others only adjust it.

- ``local``: ``manage.py``'s default, for development.
- ``production``: ``wsgi``/``asgi``'s default; refuses to start without real secrets.
- ``test``: what pytest uses.
"""
