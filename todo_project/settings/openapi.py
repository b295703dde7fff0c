"""drf-spectacular's settings: the OpenAPI document and the docs page (nothing from the environment)."""

SPECTACULAR_SETTINGS = {
    "TITLE": "Todo API",
    "DESCRIPTION": "Per-user tasks for the Todo frontend. Every route but health and ready "
    "needs a Better Auth JWT as `Authorization: Bearer <token>`.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The contract makes /api/health and /api/ready the only public routes. The schema takes
    # a bearer token too, and a signed-in admin session lets a browser open the docs page.
    "SERVE_AUTHENTICATION": [
        "accounts.authentication.BetterAuthJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}
