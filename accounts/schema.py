"""How the OpenAPI document describes the Better Auth JWT."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BetterAuthJWTScheme(OpenApiAuthenticationExtension):
    """A bearer JWT issued by Better Auth."""

    target_class = "accounts.authentication.BetterAuthJWTAuthentication"
    match_subclasses = True
    name = "BetterAuthJWT"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Better Auth JWT: HS256 signed with the shared secret, or signed by "
            "Better Auth's JWT plugin (EdDSA, ES256, ES512, RS256, PS256; verified with its JWKS).",
        }
