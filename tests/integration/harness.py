"""Shared harness for mediaemu's python integration suites.

A suite does:

    import harness
    from harness import check, expect_error

    def test_something(t):          # t is the Suite; functions run in definition order
        c = t.client("medialive")
        check(c.list_channels()["Channels"] == [], "no channels at start")

    harness.main(globals())          # starts a server, runs test_*, prints "N passed, N failed"

The server is build/mediaemu (or $MEDIAEMU_BIN) on free HTTP/RTMP ports with a fresh temporary
--data-dir, stopped (SIGTERM, then SIGKILL) and cleaned up however the suite ends. A check that
fails records "expected X, got Y" and the test goes on, so one run reports every broken behaviour.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "cli"

# The credentials every suite uses. The signature is never verified; the credential scope
# (region/service) in the Authorization header picks the region and the service.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "y",
    "AWS_DEFAULT_REGION": "us-east-1",
}
REGION = "us-east-1"
ACCOUNT = "123456789012"
OTHER_REGION = "eu-west-1"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mediaemu_binary() -> Path:
    return Path(os.environ.get("MEDIAEMU_BIN", REPO / "build" / "mediaemu"))


# ---------------------------------------------------------------------------------------------
# The server under test


class Server:
    """One mediaemu process on free ports with its own data dir (kept across restart())."""

    _live: list["Server"] = []

    def __init__(self, *extra_args: str, data_dir: Optional[Path] = None):
        self.extra_args = list(extra_args)
        self.tmp = Path(tempfile.mkdtemp(prefix="mediaemu-it-"))
        self.data_dir = data_dir or self.tmp / "data"
        self.http_port = free_port()
        self.rtmp_port = free_port()
        # RTP/UDP push inputs get ports from this range; keep it away from other servers.
        base = random.randrange(20000, 60000, 100)
        self.udp_ports = f"{base}-{base + 99}"
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.tmp / "mediaemu.log"
        self.starts = 0
        Server._live.append(self)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, *extra_args: str, timeout: float = 15.0) -> "Server":
        if extra_args:
            self.extra_args = list(extra_args)
        binary = mediaemu_binary()
        if not binary.exists():
            raise RuntimeError(f"{binary} does not exist: build it first (tools/test does)")
        args = [str(binary), "--port", str(self.http_port), "--rtmp-port", str(self.rtmp_port),
                "--udp-ports", self.udp_ports, "--data-dir", str(self.data_dir), *self.extra_args]
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(f"\n=== start #{self.starts}: {' '.join(args)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"mediaemu exited with {self.proc.returncode} during start:\n{self.log_tail()}")
            if self.healthy():
                return
            time.sleep(0.02)
        raise RuntimeError(f"mediaemu did not answer /_mediaemu/health within {timeout} s:\n{self.log_tail()}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint + "/_mediaemu/health", timeout=2) as r:
                return r.status == 200 and json.loads(r.read()).get("status") == "ok"
        except (OSError, ValueError):
            return False

    def stop(self, grace: float = 5.0) -> Optional[int]:
        """SIGTERM, then SIGKILL by PID after `grace` seconds. Returns the exit code."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def restart(self, *extra_args: str, hard: bool = True) -> "Server":
        """kill -9 (or SIGTERM with hard=False) and start again on the same data dir and ports."""
        self.kill9() if hard else self.stop()
        return self.start(*(extra_args or self.extra_args))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def cleanup(self) -> None:
        self.stop()
        # Keep the server's log where tools/test keeps the suites' own (MEDIAEMU_TEST_LOGS), so a
        # failure can be read after the temp dir is gone; MEDIAEMU_KEEP_TMP=1 keeps everything.
        logs = os.environ.get("MEDIAEMU_TEST_LOGS")
        if logs and self.log_path.exists():
            suite = Path(sys.argv[0]).stem
            Path(logs).mkdir(parents=True, exist_ok=True)
            shutil.copy(self.log_path, Path(logs) / f"{suite}-server-{self.http_port}.log")
        if os.environ.get("MEDIAEMU_KEEP_TMP"):
            print(f"kept {self.tmp}", flush=True)
            return
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self in Server._live:
            Server._live.remove(self)

    @classmethod
    def cleanup_all(cls) -> None:
        for s in list(cls._live):
            s.cleanup()


atexit.register(Server.cleanup_all)


def _exit_on_signal(signum, _frame):
    # tools/test's timeout sends SIGTERM: still stop the servers and remove temp dirs.
    Server.cleanup_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _exit_on_signal)
signal.signal(signal.SIGINT, _exit_on_signal)


# ---------------------------------------------------------------------------------------------
# Checks


class Failures:
    items: list[str] = []


def check(condition: bool, what: str, expected: Any = None, got: Any = None) -> bool:
    """A soft assertion: records a failure (with expected/got) and lets the test continue."""
    if condition:
        return True
    detail = what
    if expected is not None or got is not None:
        detail += f"\n      expected: {_short(expected)}\n      got:      {_short(got)}"
    Failures.items.append(detail)
    print(f"    FAIL {detail}", flush=True)
    return False


def check_eq(got: Any, expected: Any, what: str) -> bool:
    return check(got == expected, what, expected, got)


def _short(v: Any, limit: int = 600) -> str:
    s = v if isinstance(v, str) else json.dumps(v, default=str, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


def expect_error(fn: Callable[[], Any], status: int, code: str, what: str) -> Optional[dict]:
    """Calls a boto3 operation that must fail with HTTP `status` and error `code`."""
    from botocore.exceptions import ClientError

    try:
        result = fn()
    except ClientError as e:
        got_status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        got_code = e.response.get("Error", {}).get("Code")
        check((got_status, got_code) == (status, code), what, f"{status} {code}",
              f"{got_status} {got_code}: {e.response.get('Error', {}).get('Message')}")
        return e.response
    check(False, what, f"{status} {code}", f"success: {_short(result, 200)}")
    return None


# ---------------------------------------------------------------------------------------------
# Clients


os.environ.update(CREDENTIALS)  # for any client a suite starts (boto3, the AWS CLI)


def boto3_client(endpoint: str, service: str, region: str = REGION):
    import boto3
    from botocore.config import Config

    return boto3.client(service, region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="x", aws_secret_access_key="y",
                        # One attempt in all, no retry ("max_attempts" would count retries only): a
                        # 5xx or throttle must show as a failure, not be retried away.
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def signed_headers(method: str, url: str, body: bytes, service: str, region: str = REGION,
                   content_type: str = "application/json") -> dict:
    """Headers of a SigV4-signed request, built by botocore (the scope picks the service)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": content_type} if body else {}
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    # The credential scope uses the signing name (mediapackage-vod signs as "mediapackage-vod").
    SigV4Auth(Credentials("x", "y"), service, region).add_auth(req)
    return dict(req.headers.items())


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self) -> str:
        return f"{self.status} {self.header('x-amzn-ErrorType') or ''} {self.body[:300]!r}"


def raw_request(endpoint: str, method: str, path: str, body: Optional[bytes | str] = None,
                service: Optional[str] = "medialive", region: str = REGION, sign: bool = True,
                headers: Optional[dict] = None, timeout: float = 30,
                content_type: str = "application/json") -> Response:
    """One HTTP request with http.client (no client-side validation), SigV4-signed for `service`."""
    data = body.encode() if isinstance(body, str) else (body or b"")
    all_headers = {}
    if sign and service:
        all_headers.update(signed_headers(method, endpoint + path, data, service, region, content_type))
    elif data:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    host, port = endpoint.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=data if (data or method in ("POST", "PUT", "PATCH")) else None,
                     headers=all_headers)
        r = conn.getresponse()
        return Response(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def load_fixture(name: str, **substitutions: str) -> Any:
    """fixtures/cli/<name> with ${VAR} placeholders replaced."""
    text = (FIXTURES / name).read_text()
    for k, v in substitutions.items():
        text = text.replace("${" + k + "}", v)
    return json.loads(text)


# ---------------------------------------------------------------------------------------------
# An HTTP endpoint for SNS subscriptions


class HttpReceiver:
    """An HTTP subscriber on 127.0.0.1: every POST lands in `posts` as (path, headers, body), after
    `on_post(path, headers, body)` when given (e.g. to confirm a subscription). With `tls` (a
    server-side ssl.SSLContext) it is an HTTPS subscriber and `url` starts with https://."""

    def __init__(self, on_post: Optional[Callable[[str, dict, str], None]] = None, tls=None):
        import queue
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.posts = queue.Queue()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                if on_post:
                    on_post(self.path, headers, body)
                outer.posts.put((self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:  # before serving: each accepted connection then does the TLS handshake
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, what: str, timeout: float = 10):
        import queue
        try:
            return self.posts.get(timeout=timeout)
        except queue.Empty:
            check(False, what, "a POST", f"none within {timeout} s")
            return None

    def close(self):
        self.server.shutdown()


# ---------------------------------------------------------------------------------------------
# Running a suite


def unique(prefix: str) -> str:
    """A resource name no other test (or earlier run) uses."""
    import uuid
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def aws_clis() -> list:
    """The AWS CLIs on this machine, as (label, v2 flag): v1 is `aws` when it reports 1.x (Debian
    packages only v2), v2 is /usr/bin/aws."""
    import shutil
    import subprocess
    found = []
    v1 = shutil.which("aws")
    if v1:
        r = subprocess.run([v1, "--version"], capture_output=True, text=True)
        if "aws-cli/1." in r.stdout + r.stderr:
            found.append(("AWS CLI v1", False))
    if Path("/usr/bin/aws").exists():
        found.append(("AWS CLI v2", True))
    return found


class Suite:
    """What a test function gets: the server and client factories."""

    def __init__(self, server: Server):
        self.server = server

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def client(self, service: str, region: str = REGION):
        return boto3_client(self.server.endpoint, service, region)

    def cli(self, argv: list, v2: bool = False):
        """An AWS CLI command against the server: v1 (`aws`, AWS_ENDPOINT_URL) or v2 (/usr/bin/aws,
        --endpoint-url). One attempt, so that a 5xx shows."""
        import subprocess
        env = dict(os.environ, AWS_DEFAULT_REGION=REGION, AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
        if v2:
            cmd = ["/usr/bin/aws", "--endpoint-url", self.endpoint] + argv
        else:
            cmd = ["aws"] + argv
            env["AWS_ENDPOINT_URL"] = self.endpoint
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

    def request(self, method: str, path: str, body=None, service="medialive", **kw) -> Response:
        return raw_request(self.server.endpoint, method, path, body, service, **kw)

    def lacks(self, service: str, operation: str) -> Optional[str]:
        """Why `operation` cannot be tested here, or None. mediaemu serves the operations of the
        models it was built with, and boto3 can call only those of its own botocore; on a plain
        Debian 12 both are botocore 1.29, which predates e.g. MediaLive ListAlerts."""
        with urllib.request.urlopen(self.endpoint + "/_mediaemu/health", timeout=5) as r:
            health = json.loads(r.read())
        if operation in health.get("operationsNotInModel", {}).get(service, []):
            return f"mediaemu was built with {health.get('modelSource')}, whose {service} model has no {operation}"
        if operation not in self.client(service).meta.service_model.operation_names:
            import botocore
            return f"this boto3's botocore {botocore.__version__} has no {service} {operation}"
        return None


def main(namespace: dict, server_args: tuple = ()) -> None:
    """Starts one server, runs every test_* function of `namespace` in order, prints a summary
    ("N passed, N failed") and exits non-zero if any check failed."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = os.environ.get("TEST_ONLY")  # run a subset: TEST_ONLY=paginators
    if only:
        tests = [(n, f) for n, f in tests if only in n]
    server = Server(*server_args).start()
    print(f"mediaemu at {server.endpoint} (rtmp {server.rtmp_port}), data {server.data_dir}", flush=True)
    suite = Suite(server)
    passed = failed = 0
    for name, fn in tests:
        before = len(Failures.items)
        started = time.monotonic()
        print(f"  RUN  {name}", flush=True)
        try:
            fn(suite)
        except Exception as e:  # a hard failure ends this test only
            Failures.items.append(f"{name}: {type(e).__name__}: {e}")
            print(f"    ERROR {type(e).__name__}: {e}", flush=True)
            if type(e).__name__ == "ClientError":  # the server's answer says it all; show where
                where = traceback.extract_tb(e.__traceback__)[1:2]
                print("".join(traceback.format_list(where)).rstrip(), flush=True)
            else:
                traceback.print_exc(limit=4, file=sys.stdout)
        if not server.healthy():
            Failures.items.append(f"{name}: server stopped answering health")
            print(f"    FAIL server stopped answering health; log tail:\n{server.log_tail()}", flush=True)
            server.restart()
        ok = len(Failures.items) == before
        passed, failed = passed + ok, failed + (not ok)
        print(f"  {'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - started:.2f} s)", flush=True)
    server.cleanup()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
