"""Schemathesis auth for the lokal-willkommen contract run.

Signs in once with LW_FUZZ_EMAIL / LW_FUZZ_PASSWORD, then renews the access token
through /api/v1/auth/refresh shortly before it expires (refresh tokens are single
use, so the newest one is kept), signing in again only if the session was ended.
"""

import ast
import os
import threading
import time

import requests
import schemathesis


# CPython 3.11 can raise `SystemError: AST constructor recursion depth mismatch` when two
# threads run `ast.parse` at once (its AST conversion keeps the depth in shared state).
# Hypothesis parses source to describe filter lambdas, so with `--workers 2` the coverage
# phase failed now and then with a "Runtime Error" unrelated to the API. One parse at a
# time avoids the race; it costs nothing measurable (the results are cached).
_ast_parse = ast.parse
_ast_lock = threading.Lock()


def _serialized_parse(*args, **kwargs):
    with _ast_lock:
        return _ast_parse(*args, **kwargs)


ast.parse = _serialized_parse


@schemathesis.auth(refresh_interval=None)
class RefreshingBearer:
    def __init__(self):
        self.lock = threading.Lock()
        self.access = None
        self.refresh = None
        self.device = None
        self.expires_at = 0.0

    def _store(self, body):
        self.access = body["access_token"]
        self.refresh = body["refresh_token"]
        self.device = body.get("device_token") or self.device
        self.expires_at = time.monotonic() + body["expires_in"] - 30

    def _login(self, base):
        payload = {"email": os.environ["LW_FUZZ_EMAIL"], "password": os.environ["LW_FUZZ_PASSWORD"]}
        if self.device:
            payload["device_token"] = self.device
        response = requests.post(f"{base}/api/v1/auth/login", json=payload, timeout=30)
        response.raise_for_status()
        self._store(response.json())

    def get(self, case, context):
        base = os.environ["LW_FUZZ_BASE_URL"]
        with self.lock:
            if self.access is None:
                self._login(base)
            elif time.monotonic() >= self.expires_at:
                response = requests.post(
                    f"{base}/api/v1/auth/refresh", json={"refresh_token": self.refresh}, timeout=30
                )
                if response.status_code == 200:
                    self._store(response.json())
                else:
                    self._login(base)
            return self.access

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
