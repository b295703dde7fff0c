"""Real keys made in the test run, a Better Auth stand-in that serves them on loopback, and
the API asked with its tokens."""

import json
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from rest_framework.test import APIClient

JWKS_PATH = "/api/auth/jwks"


@dataclass
class KeyPair:
    """A private key to sign with and the public JWK a JWKS would publish for it."""

    alg: str
    kid: str
    private_key: object
    declare_alg: bool = True

    @property
    def public_key(self):
        return self.private_key.public_key()

    @property
    def jwk(self) -> dict:
        to_jwk = {"EdDSA": OKPAlgorithm, "ES256": ECAlgorithm, "ES512": ECAlgorithm}.get(
            self.alg, RSAAlgorithm
        )
        data = to_jwk.to_jwk(self.public_key, as_dict=True)
        data.update(kid=self.kid, use="sig")
        if self.declare_alg:
            data["alg"] = self.alg
        return data


def make_key(alg: str, *, kid: str | None = None, declare_alg: bool = True) -> KeyPair:
    """A fresh key pair for ``alg`` (EdDSA, ES256, ES512, RS256, PS256)."""
    if alg == "EdDSA":
        private_key = ed25519.Ed25519PrivateKey.generate()
    elif alg == "ES256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    elif alg == "ES512":
        private_key = ec.generate_private_key(ec.SECP521R1())
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return KeyPair(alg=alg, kid=kid or uuid.uuid4().hex, private_key=private_key, declare_alg=declare_alg)


@dataclass
class FakeBetterAuth:
    """What the test server publishes, and how often it was asked."""

    origin: str = ""
    keys: list[KeyPair] = field(default_factory=list)
    extra_jwks: list[dict] = field(default_factory=list)
    status: int = 200  # anything else: the endpoint is "down"
    body: bytes | None = None  # overrides the JSON key set
    delay: float = 0.0
    redirect_to: str = ""
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def jwks_url(self) -> str:
        return f"{self.origin}{JWKS_PATH}"

    def publish(self, *keys: KeyPair) -> None:
        self.keys = list(keys)

    def sign(self, key: KeyPair, *, alg: str | None = None, headers: dict | None = None, **claims) -> str:
        """A token as Better Auth's JWT plugin issues it; ``None`` removes a claim."""
        now = int(time.time())
        payload = {
            "sub": "ba_jwks_user",
            "email": "jwks.user@example.com",
            "name": "Jwks User",
            "emailVerified": True,
            "image": None,
            "iat": now,
            "exp": now + 15 * 60,
            "iss": self.origin,
            "aud": self.origin,
            **claims,
        }
        payload = {name: value for name, value in payload.items() if value is not None or name == "image"}
        return jwt.encode(
            payload, key.private_key, algorithm=alg or key.alg, headers={"kid": key.kid, **(headers or {})}
        )

    def document(self) -> bytes:
        if self.body is not None:
            return self.body
        return json.dumps({"keys": [key.jwk for key in self.keys] + self.extra_jwks}).encode()


def _handler_for(state: FakeBetterAuth):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with state.lock:
                state.requests += 1
            if state.delay:
                time.sleep(state.delay)
            if self.path.partition("?")[0] != JWKS_PATH:  # a query (an access token) is fine
                self.send_error(404)
                return
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            if state.status != 200:
                self.send_error(state.status)
                return
            body = state.document()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # quiet test output
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def serve_better_auth():
    """A Better Auth stand-in on 127.0.0.1 serving ``{origin}/api/auth/jwks``, for the block."""
    state = FakeBetterAuth()
    server = _Server(("127.0.0.1", 0), _handler_for(state))
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- The API, asked with a token ------------------------------------------------------------

URL = "/api/tasks"
# One client for the JWKS tests: each new client loads the middleware again (WhiteNoise
# scans the static files), which would dominate these tests' time.
_client = APIClient()


def get_with(token: str, client: APIClient = _client):
    """The task list, asked with ``token`` as a bearer token."""
    return client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_401(response, code: str = "token_invalid") -> dict:
    """A 401 problem with that code and a Bearer challenge."""
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def assert_503(response) -> dict:
    """The identity provider is unavailable: 503 with Retry-After, and no challenge."""
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "WWW-Authenticate" not in response
    return body
