# SPDX-License-Identifier: AGPL-3.0-or-later
"""Harness for coopol's multi-instance federation tests.

Starts real ``coopol serve`` processes on loopback, each named
``localhost:PORT``, creates users and tokens with the ``coopol admin`` CLI and
hands out Mastodon.py clients.  Nothing here talks to any address outside
127.0.0.0/8 (see ``install_loopback_guard``).
"""

from __future__ import annotations

import atexit
import errno
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, TypeVar

import requests
import urllib3.util.connection
from mastodon import Mastodon

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK_ROOT = HERE / ".work"

T = TypeVar("T")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name}={raw!r} is not a number") from exc


# How long a federated effect (a delivery, an Accept, ...) may take.
DELIVERY_TIMEOUT = env_float("COOPOL_FT_TIMEOUT", 20.0)
# How long deliveries may take once a down instance is back (retries in dev
# mode happen "every few seconds at most").
RETRY_TIMEOUT = env_float("COOPOL_FT_RETRY_TIMEOUT", 45.0)
# How long we watch for something that must NOT arrive.
ABSENCE_WINDOW = env_float("COOPOL_FT_ABSENCE_WINDOW", 5.0)
# How long a server may take to answer /api/v1/instance after `serve`.
START_TIMEOUT = env_float("COOPOL_FT_START_TIMEOUT", 60.0)
# How long a server may take to exit after SIGTERM.
STOP_TIMEOUT = env_float("COOPOL_FT_STOP_TIMEOUT", 20.0)

# The Mastodon API version the clients assume coopol speaks.
CLIENT_MASTODON_VERSION = "4.2.0"

PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy"}


# ---------------------------------------------------------------------------
# Loopback only
# ---------------------------------------------------------------------------

_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
_guard_installed = False


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host) in _LOOPBACK
    except ValueError:
        return False


def _loopback_audit_hook(event: str, args: tuple) -> None:
    if event != "socket.connect":
        return
    try:
        sock, address = args
    except ValueError:
        return
    if getattr(sock, "family", None) == socket.AF_UNIX:
        return
    if isinstance(address, tuple) and address and isinstance(address[0], str):
        if not is_loopback_host(address[0]):
            raise PermissionError(
                errno.EACCES,
                f"federation-tests refuse to connect to {address!r}: only 127.0.0.0/8 is allowed",
            )


def install_loopback_guard() -> None:
    """Refuse (in this Python process) every TCP connect outside 127.0.0.0/8.

    ``localhost`` is resolved over IPv4 only, so it always means 127.0.0.1.
    """
    global _guard_installed
    if _guard_installed:
        return
    urllib3.util.connection.HAS_IPV6 = False
    sys.addaudithook(_loopback_audit_hook)
    _guard_installed = True


def http_session() -> requests.Session:
    """A requests session that ignores proxy settings from the environment."""
    s = requests.Session()
    s.trust_env = False
    return s


# ---------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------


class WaitTimeout(AssertionError):
    pass


class Abort(Exception):
    """Raised inside a polled function to stop waiting at once."""


def _describe(value: Any, limit: int = 1500) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def wait_for(
    fn: Callable[[], T],
    timeout: float = DELIVERY_TIMEOUT,
    what: str = "condition",
    interval: float = 0.1,
    max_interval: float = 1.0,
) -> T:
    """Call ``fn`` until it returns something truthy; return that value.

    Exceptions raised by ``fn`` count as "not yet" (except ``Abort``) and the
    last one is reported if the deadline passes.  Raises ``WaitTimeout`` (an
    AssertionError) that says what was awaited and what was last seen.
    """
    deadline = time.monotonic() + timeout
    last_value: Any = None
    last_error: Optional[BaseException] = None
    attempts = 0
    while True:
        attempts += 1
        try:
            value = fn()
        except Abort:
            raise
        except Exception as exc:  # noqa: BLE001 - reported below
            last_error = exc
        else:
            last_error = None
            if value:
                return value
            last_value = value
        now = time.monotonic()
        if now >= deadline:
            msg = f"timed out after {timeout:.1f}s ({attempts} attempts) waiting for {what}"
            if last_error is not None:
                msg += f"; last error: {type(last_error).__name__}: {_describe(str(last_error))}"
            else:
                msg += f"; last value: {_describe(last_value)}"
            raise WaitTimeout(msg) from last_error
        time.sleep(min(interval, max(0.0, deadline - now)))
        interval = min(interval * 1.5, max_interval)


def wait_equal(
    fn: Callable[[], Any],
    expected: Any,
    timeout: float = DELIVERY_TIMEOUT,
    what: str = "value",
) -> Any:
    """Poll ``fn`` until it returns ``expected``; on timeout report the last value."""
    seen: list[Any] = []

    def check():
        value = fn()
        seen.append(value)
        return value == expected

    try:
        wait_for(check, timeout=timeout, what=f"{what} to be {expected!r}")
    except WaitTimeout as exc:
        if exc.__cause__ is not None or not seen:
            raise
        raise WaitTimeout(
            f"timed out after {timeout:.1f}s waiting for {what} to be {expected!r}; "
            f"last seen: {_describe(seen[-1])}"
        ) from None
    return expected


def assert_never(
    fn: Callable[[], Any],
    duration: float = ABSENCE_WINDOW,
    what: str = "condition",
    interval: float = 0.25,
    until: Optional[Callable[[], bool]] = None,
) -> None:
    """Poll ``fn`` for ``duration`` seconds; fail as soon as it is truthy.

    Errors raised by ``fn`` fail the check too (we must really look).
    If ``until`` is given, keep watching at least until it is also true
    (bounded by ``duration`` + ``DELIVERY_TIMEOUT``), so a positive control
    can be awaited in the same loop.
    """
    start = time.monotonic()
    hard_deadline = start + duration + (DELIVERY_TIMEOUT if until else 0.0)
    until_seen = until is None
    while True:
        value = fn()
        if value:
            raise AssertionError(
                f"{what} happened after {time.monotonic() - start:.1f}s: {_describe(value)}"
            )
        if not until_seen and until is not None and until():
            until_seen = True
        now = time.monotonic()
        if now - start >= duration and until_seen:
            return
        if now >= hard_deadline:
            raise WaitTimeout(
                f"positive control not observed within {hard_deadline - start:.1f}s while watching that {what} does not happen"
            )
        time.sleep(interval)


# ---------------------------------------------------------------------------
# Ports and processes
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def coopol_binary() -> Path:
    raw = os.environ.get("COOPOL_BIN")
    path = Path(raw) if raw else REPO / "target" / "debug" / "coopol"
    return path


def require_binary() -> Path:
    path = coopol_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise RuntimeError(
            f"coopol binary not found or not executable at {path}. "
            "Build it with `cargo build -p coopol` or point COOPOL_BIN at it."
        )
    return path


_LIVE: "list[Instance]" = []


def live_instances() -> "list[Instance]":
    return list(_LIVE)


def kill_all() -> None:
    """SIGKILL every coopol process this harness started and that still runs."""
    for inst in list(_LIVE):
        try:
            inst.kill9()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(kill_all)


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------


class PostgresServer:
    """Creates and drops one database per instance on the server of a URL."""

    def __init__(self, url: str):
        self.url = url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise RuntimeError(f"COOPOL_TEST_POSTGRES_URL must be a postgres:// URL, got {url!r}")
        host = parts.hostname or ""
        if host and not host.startswith("/") and not is_loopback_host(host):
            raise RuntimeError(
                f"COOPOL_TEST_POSTGRES_URL points at {host!r}; the federation tests only use 127.0.0.0/8"
            )
        if shutil.which("psql") is None:
            raise RuntimeError("psql is needed for the PostgreSQL backend but is not on PATH")
        self._parts = parts
        self._admin_url: Optional[str] = None
        self.created: list[str] = []

    def url_for(self, dbname: str) -> str:
        return urllib.parse.urlunsplit(self._parts._replace(path="/" + dbname))

    def _psql(self, url: str, sql: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGCONNECT_TIMEOUT"] = "10"
        return subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def admin_url(self) -> str:
        if self._admin_url is None:
            errors = []
            for db in ("postgres", "template1"):
                url = self.url_for(db)
                res = self._psql(url, "SELECT 1")
                if res.returncode == 0:
                    self._admin_url = url
                    break
                errors.append(f"{db}: {res.stderr.strip()}")
            else:
                raise RuntimeError(
                    f"cannot connect to PostgreSQL at {self.url}: " + "; ".join(errors)
                )
        return self._admin_url

    def create_database(self) -> tuple[str, str]:
        name = "coopol_ft_" + secrets.token_hex(6)
        res = self._psql(self.admin_url(), f'CREATE DATABASE "{name}"')
        if res.returncode != 0:
            raise RuntimeError(f"CREATE DATABASE {name} failed: {res.stderr.strip()}")
        self.created.append(name)
        return name, self.url_for(name)

    def drop_database(self, name: str) -> None:
        res = self._psql(self.admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if res.returncode != 0:
            raise RuntimeError(f"DROP DATABASE {name} failed: {res.stderr.strip()}")
        if name in self.created:
            self.created.remove(name)


# ---------------------------------------------------------------------------
# One coopol instance
# ---------------------------------------------------------------------------


class User:
    def __init__(self, name: str, email: str, password: str, token: str):
        self.name = name
        self.email = email
        self.password = password
        self.token = token


class Instance:
    """One ``coopol serve`` process named ``localhost:PORT``."""

    def __init__(
        self,
        label: str,
        workdir: Path,
        backend: str = "sqlite",
        postgres: Optional[PostgresServer] = None,
        binary: Optional[Path] = None,
        dev: bool = True,
    ):
        self.label = label
        # Development mode (COOPOL_DEV=1): http URLs, loopback peers allowed.
        # Without it the instance mints https URLs (it still listens on plain
        # http on loopback, so its API is reachable) and refuses loopback peers.
        self.dev = dev
        self.binary = binary or require_binary()
        self.port = free_port()
        self.domain = f"localhost:{self.port}"
        self.base_url = f"http://{self.domain}"
        self.dir = workdir / f"{label}-{self.port}"
        self.data_dir = self.dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.dir / "coopol.log"
        self.backend = backend
        self.postgres = postgres
        self.db_name: Optional[str] = None
        self.db_url: Optional[str] = None
        if backend == "postgres":
            if postgres is None:
                raise RuntimeError("postgres backend needs a PostgresServer")
            self.db_name, self.db_url = postgres.create_database()
        elif backend != "sqlite":
            raise RuntimeError(f"unknown backend {backend!r}")
        self.users: dict[str, User] = {}
        self.proc: Optional[subprocess.Popen] = None
        self._log_fh = None
        self.starts = 0
        self._closed = False
        self._log(
            f"# instance {self.domain} backend={backend} dev={dev} db={self.db_url or self.data_dir}"
        )

    # -- naming ------------------------------------------------------------

    def __repr__(self) -> str:
        mode = "" if self.dev else " production"
        return f"<Instance {self.label} {self.domain} {self.backend}{mode}>"

    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def actor_url(self, user: str) -> str:
        return self.url(f"/users/{user}")

    def acct(self, user: str) -> str:
        return f"{user}@{self.domain}"

    # -- environment and logs ---------------------------------------------

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("COOPOL_") and k.lower() not in PROXY_VARS
        }
        env.update(
            COOPOL_DOMAIN=self.domain,
            COOPOL_LISTEN=f"127.0.0.1:{self.port}",
            COOPOL_DATA_DIR=str(self.data_dir),
            RUST_LOG=os.environ.get("COOPOL_FT_RUST_LOG") or os.environ.get("RUST_LOG") or "info",
            RUST_BACKTRACE=os.environ.get("RUST_BACKTRACE", "1"),
            NO_COLOR="1",  # plain log files
            NO_PROXY="localhost,127.0.0.1",
            no_proxy="localhost,127.0.0.1",
        )
        if self.dev:
            env["COOPOL_DEV"] = "1"
        if self.db_url:
            env["COOPOL_DATABASE_URL"] = self.db_url
        return env

    def _log(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(text.rstrip("\n") + "\n")

    def log_tail(self, lines: int = 80) -> str:
        try:
            data = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(data.splitlines()[-lines:])

    # -- admin CLI -----------------------------------------------------------

    def admin(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        cmd = [str(self.binary), "admin", *args]
        masked = list(args)
        for i, a in enumerate(masked[:-1]):
            if a == "--password":
                masked[i + 1] = "***"
        shown = " ".join(masked)
        self._log(f"# {time.strftime('%H:%M:%S')} $ coopol admin {shown}")
        res = subprocess.run(
            cmd, env=self.env(), capture_output=True, text=True, timeout=timeout, cwd=self.dir
        )
        self._log(f"# exit {res.returncode}\n# stdout:\n{res.stdout}# stderr:\n{res.stderr}")
        if res.returncode != 0:
            raise RuntimeError(
                f"`coopol admin {shown}` on {self.domain} exited {res.returncode}\n"
                f"stdout: {res.stdout}\nstderr: {res.stderr}"
            )
        return res

    def create_user(self, name: str, role: str = "user") -> User:
        email = f"{name}@ft.invalid"
        password = "ft-" + secrets.token_urlsafe(18)
        self.admin("account", "create", name, "--email", email, "--password", password, "--role", role)
        res = self.admin("token", name)
        lines = [ln.strip() for ln in res.stdout.splitlines() if ln.strip()]
        if len(lines) != 1 or any(ch.isspace() for ch in lines[0]):
            raise RuntimeError(
                f"`coopol admin token {name}` should print exactly one line holding the token; "
                f"stdout was {res.stdout!r}"
            )
        user = User(name, email, password, lines[0])
        self.users[name] = user
        return user

    def token(self, user: str) -> str:
        return self.users[user].token

    def api(self, user: Optional[str] = None) -> Mastodon:
        """A Mastodon.py client, logged in as ``user`` (anonymous if None).

        The Mastodon API version is given, not detected: Mastodon.py's
        detection (GET /api/v1/instance/ with a trailing slash) is checked
        on its own in test_client_compat.py, so that the federation tests do
        not all fail for that one reason.
        """
        return Mastodon(
            access_token=self.token(user) if user else None,
            api_base_url=self.base_url,
            mastodon_version=CLIENT_MASTODON_VERSION,
            version_check_mode="created",
            request_timeout=30,
            ratelimit_method="throw",
            session=http_session(),
            user_agent="coopol-federation-tests",
        )

    # -- process control -----------------------------------------------------

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, wait: bool = True, timeout: float = START_TIMEOUT) -> None:
        if self._closed:
            raise RuntimeError(f"{self} is closed")
        if self.is_running():
            raise RuntimeError(f"{self} is already running")
        self.starts += 1
        cmd = [str(self.binary), "serve"]
        setpriv = shutil.which("setpriv")
        if setpriv:
            # Dies with the test runner even if the runner is SIGKILLed.
            cmd = [setpriv, "--pdeathsig", "KILL", "--", *cmd]
        self._log(f"# {time.strftime('%H:%M:%S')} start #{self.starts}: coopol serve")
        self._log_fh = open(self.log_path, "ab", buffering=0)
        self.proc = subprocess.Popen(
            cmd,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
        )
        if self not in _LIVE:
            _LIVE.append(self)
        if wait:
            self.wait_ready(timeout)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        session = http_session()

        def ready():
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerExited(self)
            r = session.get(self.url("/api/v1/instance"), timeout=2)
            return r.status_code == 200

        try:
            wait_for(ready, timeout=timeout, what=f"{self.domain} to answer /api/v1/instance with 200")
        except ServerExited as exc:
            raise RuntimeError(
                f"coopol serve for {self.domain} exited with {exc.code} before being ready; log tail:\n"
                + self.log_tail()
            ) from None
        except WaitTimeout as exc:
            raise RuntimeError(f"{exc}\nlog tail of {self.domain}:\n{self.log_tail()}") from None
        finally:
            session.close()

    def _signal(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)  # own session: pgid == pid
        except ProcessLookupError:
            pass

    def _reap(self) -> None:
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None
        if self not in _LIVE:
            return
        if not self.is_running():
            _LIVE.remove(self)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Graceful stop: SIGTERM, wait. Raises if it does not exit in time."""
        if not self.is_running():
            self._reap()
            return
        assert self.proc is not None
        self._log(f"# {time.strftime('%H:%M:%S')} SIGTERM")
        self._signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise RuntimeError(
                f"coopol serve for {self.domain} did not exit within {timeout}s of SIGTERM (killed it)"
            ) from None
        self._log(f"# exited with {code}")
        self._reap()

    def kill9(self) -> None:
        if self.proc is None:
            return
        if self.is_running():
            self._log(f"# {time.strftime('%H:%M:%S')} SIGKILL")
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._reap()

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        if self.is_running():
            self.stop()
        self.start(wait=True, timeout=timeout)

    def close(self) -> list[str]:
        """Stop (gracefully if possible) and drop the database. Returns problems."""
        problems = []
        if self._closed:
            return problems
        try:
            self.stop()
        except Exception as exc:  # noqa: BLE001
            problems.append(str(exc))
            self.kill9()
        if self.postgres is not None and self.db_name:
            try:
                self.postgres.drop_database(self.db_name)
            except Exception as exc:  # noqa: BLE001
                problems.append(str(exc))
        self._closed = True
        return problems


class ServerExited(Abort):
    def __init__(self, inst: Instance):
        self.code = inst.proc.returncode if inst.proc else None
        super().__init__(f"{inst.domain} exited with {self.code}")


class Cluster:
    """Several instances, indexable and unpackable: ``a, b, c = cluster``."""

    def __init__(self, instances: Iterable[Instance]):
        self.instances = list(instances)

    def __iter__(self):
        return iter(self.instances)

    def __getitem__(self, i: int) -> Instance:
        return self.instances[i]

    def __len__(self) -> int:
        return len(self.instances)

    def close(self) -> list[str]:
        problems = []
        for inst in self.instances:
            problems.extend(inst.close())
        return problems


def start_cluster(
    users_per_instance: list[list[str]],
    workdir: Path,
    backend: str,
    postgres: Optional[PostgresServer] = None,
    label: str = "inst",
) -> Cluster:
    """Start one instance per entry, then create its users with the admin CLI."""
    binary = require_binary()
    instances: list[Instance] = []
    try:
        for i, _ in enumerate(users_per_instance):
            instances.append(
                Instance(f"{label}{chr(ord('A') + i)}", workdir, backend, postgres, binary)
            )
        for inst in instances:
            inst.start(wait=False)
        for inst in instances:
            inst.wait_ready()
        for inst, users in zip(instances, users_per_instance):
            for name in users:
                inst.create_user(name)
    except BaseException:
        for inst in instances:
            inst.close()
        raise
    return Cluster(instances)


# ---------------------------------------------------------------------------
# Client-side helpers shared by the tests
# ---------------------------------------------------------------------------


def resolve_account(api: Mastodon, acct: str):
    """Resolve ``user@localhost:PORT`` through search_v2(resolve=True)."""
    result = api.search_v2("@" + acct, resolve=True)
    accounts = result.get("accounts") or []
    for account in accounts:
        if account.get("acct") == acct:
            return account
    raise AssertionError(
        f"search_v2('@{acct}', resolve=True) did not return an account with acct={acct!r}; "
        f"got accounts {[a.get('acct') for a in accounts]!r}"
    )


def ensure_following(api: Mastodon, acct: str, timeout: float = DELIVERY_TIMEOUT):
    """Follow ``acct`` (if not already) and wait until the relationship says following.

    Polls by POSTing follow again, which the Mastodon API defines as
    idempotent: it answers the current relationship.
    """
    account = resolve_account(api, acct)
    rel = api.account_follow(account["id"])
    if not rel.get("following"):
        wait_for(
            lambda: api.account_follow(account["id"]).get("following"),
            timeout=timeout,
            what=f"relationship with {acct} to become following=true (follow must be accepted)",
        )
    return account


def find_by_uri(statuses, uri: str):
    for st in statuses or []:
        if st.get("uri") == uri:
            return st
    return None


def home_find(api: Mastodon, uri: str):
    return find_by_uri(api.timeline_home(limit=40), uri)


def fetch_ap(url: str, session: Optional[requests.Session] = None) -> requests.Response:
    s = session or http_session()
    return s.get(url, headers={"Accept": "application/activity+json"}, timeout=15)


def collection_total(url: str) -> int:
    r = fetch_ap(url)
    if r.status_code != 200:
        raise AssertionError(f"GET {url} answered {r.status_code}: {r.text[:300]}")
    data = r.json()
    if "totalItems" not in data:
        raise AssertionError(f"{url} has no totalItems: {data!r}")
    return int(data["totalItems"])


def unique(prefix: str = "ft") -> str:
    return f"{prefix}-{secrets.token_hex(5)}"
