# SPDX-License-Identifier: AGPL-3.0-or-later
"""A tiny ActivityPub server in Python that signs what it sends.

``RemoteServer`` listens on 127.0.0.1:<free port>, calls itself
``localhost:<port>`` and hosts any number of actors (``/users/NAME``), each
with its own RSA key.  It serves their actor documents and WebFinger, and
records every request it gets (POSTs to inboxes, GETs with their headers)
and every TCP connection it accepts.  ``send_activity`` POSTs an activity to
a coopol inbox with a draft-cavage HTTP signature (rsa-sha256 over
``(request-target) host date digest``) and can break it on purpose
(see ``DEFECTS``); ``send_rfc9421`` does the same with an RFC 9421 HTTP
Message Signature; ``signed_get`` makes an authorized (signed) GET.
``verify_request`` checks a signature the same way a receiving server does;
it is used on what coopol sends us.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AP_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
AP_JSON = "application/activity+json"
SIGNED_HEADERS = ["(request-target)", "host", "date", "digest"]

# Ways to break an otherwise correct signed POST.
DEFECTS = {
    "unsigned": "no Signature header at all",
    "tampered_body": "body changed after digest and signature were computed",
    "stale_date": "Date header (signed) two hours in the past",
    "foreign_key": "signed with the key of another actor than the activity's actor",
    "digest_only": "signature covers only the digest header",
}


# ---------------------------------------------------------------------------
# Signing and verifying (draft-cavage-http-signatures, rsa-sha256)
# ---------------------------------------------------------------------------


def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def http_date(when: Optional[float] = None) -> str:
    return email.utils.formatdate(when if when is not None else time.time(), usegmt=True)


def signing_string(method: str, path: str, headers: dict[str, str], names: list[str]) -> str:
    """Build the string to sign; ``headers`` keys must be lower-case."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            if name not in headers:
                raise KeyError(f"header {name!r} is to be signed but missing")
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def sign(private_key: rsa.RSAPrivateKey, text: str) -> str:
    sig = private_key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(sig).decode("ascii")


def signature_header(key_id: str, names: list[str], signature_b64: str) -> str:
    return (
        f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="{" ".join(names)}",signature="{signature_b64}"'
    )


def parse_signature_header(value: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'(\w+)="([^"]*)"', value)}


class SignatureError(Exception):
    pass


def verify_request(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    public_key_pem: str,
    required: tuple[str, ...] = tuple(SIGNED_HEADERS),
    max_skew: Optional[float] = None,
) -> dict[str, str]:
    """Verify a signed request like a receiving server would.

    ``headers`` keys must be lower-case.  Returns the parsed Signature
    parameters; raises ``SignatureError`` with the reason otherwise.
    """
    if "signature" not in headers:
        raise SignatureError("no Signature header")
    params = parse_signature_header(headers["signature"])
    for p in ("keyId", "signature"):
        if p not in params:
            raise SignatureError(f"Signature header lacks {p}: {headers['signature']!r}")
    algorithm = params.get("algorithm", "rsa-sha256")
    if algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unexpected algorithm {algorithm!r}")
    names = params.get("headers", "date").split()
    missing = [h for h in required if h not in names]
    if missing:
        raise SignatureError(f"signature does not cover {missing} (covers {names})")
    if "digest" in names:
        if headers.get("digest") != digest_header(body):
            raise SignatureError(
                f"Digest {headers.get('digest')!r} does not match body ({digest_header(body)!r})"
            )
    if max_skew is not None:
        try:
            sent = email.utils.parsedate_to_datetime(headers.get("date", "")).timestamp()
        except (TypeError, ValueError):
            raise SignatureError(f"unparseable Date {headers.get('date')!r}") from None
        if abs(time.time() - sent) > max_skew:
            raise SignatureError(f"Date {headers.get('date')!r} is more than {max_skew}s off")
    text = signing_string(method, path, headers, names)
    key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    try:
        key.verify(base64.b64decode(params["signature"]), text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("RSA signature does not verify") from None
    return params


# ---------------------------------------------------------------------------
# Actors and the server
# ---------------------------------------------------------------------------


def _lower_headers(message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for k, v in message.items():
        k = k.lower()
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    return headers


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class RemoteActor:
    server: "RemoteServer"
    name: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @property
    def id(self) -> str:
        return f"{self.server.base_url}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return self.id + "#main-key"

    @property
    def inbox(self) -> str:
        return self.id + "/inbox"

    @property
    def acct(self) -> str:
        return f"{self.name}@{self.server.domain}"

    def public_key_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def document(self) -> dict:
        return {
            "@context": AP_CONTEXT,
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.name,
            "name": f"Python test actor {self.name}",
            "summary": "",
            "url": self.id,
            "inbox": self.inbox,
            "outbox": self.id + "/outbox",
            "followers": self.id + "/followers",
            "following": self.id + "/following",
            "endpoints": {"sharedInbox": self.server.base_url + "/inbox"},
            "manuallyApprovesFollowers": False,
            "publicKey": {
                "id": self.key_id,
                "owner": self.id,
                "publicKeyPem": self.public_key_pem(),
            },
        }

    def activity_id(self, kind: str = "activities") -> str:
        return f"{self.id}/{kind}/{uuid.uuid4()}"

    def follow(self, target_actor_url: str) -> dict:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.activity_id("follows"),
            "type": "Follow",
            "actor": self.id,
            "object": target_actor_url,
        }

    def received(self) -> list[ReceivedRequest]:
        return self.server.received(self.name)


class RemoteServer:
    """Threaded HTTP server hosting Python actors on 127.0.0.1:<port>."""

    def __init__(self) -> None:
        self._actors: dict[str, RemoteActor] = {}
        self._received: list[ReceivedRequest] = []
        self._gets: list[tuple[str, str]] = []
        self._get_requests: list[ReceivedRequest] = []
        self._connections = 0
        self._requests = 0
        self._lock = threading.Lock()
        # NodeInfo ``software.name`` to announce (e.g. "lemmy"); None: no NodeInfo (404).
        self.software: Optional[str] = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # quiet
                pass

            def _reply(self, code: int, body: Any = None, ctype: str = AP_JSON) -> None:
                data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                with server._lock:
                    server._requests += 1
                    server._gets.append((url.path, self.headers.get("Accept", "")))
                    server._get_requests.append(
                        ReceivedRequest("GET", self.path, _lower_headers(self.headers), b"", time.time())
                    )
                if url.path == "/.well-known/webfinger":
                    q = urllib.parse.parse_qs(url.query).get("resource", [""])[0]
                    m = re.fullmatch(r"acct:([^@]+)@(.+)", q)
                    actor = server.actor(m.group(1)) if m and m.group(2) == server.domain else None
                    if actor is None:
                        return self._reply(404, {"error": "not found"}, "application/json")
                    return self._reply(
                        200,
                        {
                            "subject": q,
                            "aliases": [actor.id],
                            "links": [{"rel": "self", "type": AP_JSON, "href": actor.id}],
                        },
                        "application/jrd+json",
                    )
                if url.path == "/.well-known/nodeinfo" and server.software:
                    schema = "http://nodeinfo.diaspora.software/ns/schema/2.0"
                    links = [{"rel": schema, "href": server.base_url + "/nodeinfo/2.0"}]
                    return self._reply(200, {"links": links}, "application/json")
                if url.path == "/nodeinfo/2.0" and server.software:
                    doc = {"version": "2.0", "software": {"name": server.software, "version": "0.0.0"},
                           "protocols": ["activitypub"], "usage": {"users": {}}, "openRegistrations": False}
                    return self._reply(200, doc, "application/json")
                m = re.fullmatch(r"/users/([^/]+)(/(outbox|followers|following))?", url.path)
                actor = server.actor(m.group(1)) if m else None
                if actor is None:
                    return self._reply(404, {"error": "not found"}, "application/json")
                if m.group(3):
                    return self._reply(
                        200,
                        {
                            "@context": "https://www.w3.org/ns/activitystreams",
                            "id": actor.id + "/" + m.group(3),
                            "type": "OrderedCollection",
                            "totalItems": 0,
                            "orderedItems": [],
                        },
                    )
                return self._reply(200, actor.document())

            def do_POST(self):
                with server._lock:
                    server._requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                headers = _lower_headers(self.headers)
                m = re.fullmatch(r"/users/([^/]+)/inbox", url.path)
                if url.path != "/inbox" and not (m and server.actor(m.group(1))):
                    return self._reply(404, {"error": "not found"}, "application/json")
                with server._lock:
                    server._received.append(
                        ReceivedRequest("POST", self.path, headers, body, time.time())
                    )
                return self._reply(202, None)

        class CountingServer(ThreadingHTTPServer):
            def verify_request(self, request, client_address):  # called once per accepted connection
                with server._lock:
                    server._connections += 1
                return True

        self.httpd = CountingServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.domain = f"localhost:{self.port}"
        self.base_url = f"http://{self.domain}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="remote-actor", daemon=True)

    def start(self) -> "RemoteServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "RemoteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def actor(self, name: str) -> Optional[RemoteActor]:
        with self._lock:
            return self._actors.get(name)

    def new_actor(self, name: Optional[str] = None) -> RemoteActor:
        name = name or "py" + uuid.uuid4().hex[:10]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        actor = RemoteActor(self, name, key)
        with self._lock:
            self._actors[name] = actor
        return actor

    def received(self, actor_name: Optional[str] = None) -> list[ReceivedRequest]:
        with self._lock:
            items = list(self._received)
        if actor_name is None:
            return items
        personal = f"/users/{actor_name}/inbox"
        out = []
        for req in items:
            if req.path == personal:
                out.append(req)
            elif req.path == "/inbox":
                # Shared inbox: attribute by addressing.
                try:
                    text = req.body.decode("utf-8", "replace")
                except Exception:  # noqa: BLE001
                    continue
                if re.search(rf"/users/{re.escape(actor_name)}(?![A-Za-z0-9_])", text):
                    out.append(req)
        return out

    def fetches(self) -> list[tuple[str, str]]:
        """(path, Accept) of every GET received."""
        with self._lock:
            return list(self._gets)

    def get_requests(self, path: Optional[str] = None) -> list[ReceivedRequest]:
        """Every GET received (with its headers), optionally only those for ``path``."""
        with self._lock:
            items = list(self._get_requests)
        if path is None:
            return items
        return [r for r in items if urllib.parse.urlsplit(r.path).path == path]

    def connections(self) -> int:
        """How many TCP connections the server has accepted so far."""
        with self._lock:
            return self._connections

    def traffic(self) -> tuple[int, int]:
        """(TCP connections accepted, HTTP requests received) so far.

        Both are needed to tell "nothing reached us": a client may reuse a
        kept-alive connection, and a connection may carry no request we parse
        (a TLS handshake on our plain-HTTP port).
        """
        with self._lock:
            return self._connections, self._requests


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------


@dataclass
class PreparedPost:
    url: str
    headers: dict[str, str]
    body: bytes


def prepare_signed_post(
    actor: RemoteActor,
    inbox_url: str,
    activity: Any,
    defect: Optional[str] = None,
    signer: Optional[RemoteActor] = None,
    now: Optional[float] = None,
) -> PreparedPost:
    """Build the headers and body of a signed POST of ``activity``.

    ``defect`` is None (correct) or one of ``DEFECTS``.  For "foreign_key"
    the request is signed by ``signer`` (another actor, created on the same
    server if not given) while the activity names ``actor``.
    """
    if defect is not None and defect not in DEFECTS:
        raise ValueError(f"unknown defect {defect!r}")
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode("utf-8")
    parts = urllib.parse.urlsplit(inbox_url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    when = now if now is not None else time.time()
    if defect == "stale_date":
        when -= 2 * 3600
    headers = {
        "host": parts.netloc,
        "date": http_date(when),
        "digest": digest_header(body),
        "content-type": AP_JSON,
        "accept": AP_JSON,
    }
    key_owner = actor
    if defect == "foreign_key":
        key_owner = signer or actor.server.new_actor()
        if key_owner.id == actor.id:
            raise ValueError("foreign_key needs a signer other than the actor")
    names = ["digest"] if defect == "digest_only" else list(SIGNED_HEADERS)
    if defect != "unsigned":
        text = signing_string("POST", path, headers, names)
        headers["signature"] = signature_header(key_owner.key_id, names, sign(key_owner.private_key, text))
    if defect == "tampered_body":
        tampered = json.loads(body.decode("utf-8")) if not isinstance(activity, bytes) else None
        if isinstance(tampered, dict):
            # Same target (so accepting it would visibly store something), but
            # not the bytes that were digested and signed.
            if isinstance(tampered.get("id"), str):
                tampered["id"] += "-tampered"
            tampered["tampered"] = True
            body = json.dumps(tampered).encode("utf-8")
        else:
            body = body + b" "
    return PreparedPost(inbox_url, headers, body)


def send_activity(
    actor: RemoteActor,
    inbox_url: str,
    activity: Any,
    defect: Optional[str] = None,
    signer: Optional[RemoteActor] = None,
    session: Optional[requests.Session] = None,
    timeout: float = 30,
) -> requests.Response:
    """POST ``activity`` to ``inbox_url``, signed as ``actor`` (unless ``defect`` says otherwise)."""
    prepared = prepare_signed_post(actor, inbox_url, activity, defect=defect, signer=signer)
    return post_prepared(prepared, session=session, timeout=timeout)


def fetch_public_key(key_id: str, session: Optional[requests.Session] = None) -> tuple[str, str]:
    """Fetch the actor of ``key_id`` and return (owner, publicKeyPem)."""
    s = session
    if s is None:
        s = requests.Session()
        s.trust_env = False
    actor_url = key_id.split("#", 1)[0]
    r = s.get(actor_url, headers={"Accept": AP_JSON}, timeout=15)
    r.raise_for_status()
    doc = r.json()
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if k.get("id") == key_id), key[0] if key else None)
    if not isinstance(key, dict) or "publicKeyPem" not in key:
        raise SignatureError(f"{actor_url} has no publicKey.publicKeyPem")
    if key.get("id") not in (key_id, None):
        raise SignatureError(f"{actor_url} publicKey.id is {key.get('id')!r}, expected {key_id!r}")
    return key.get("owner", doc.get("id")), key["publicKeyPem"]


def verify_received(req: ReceivedRequest, session: Optional[requests.Session] = None) -> str:
    """Verify a request coopol sent us (a POST, or a GET of a document); return the key owner.

    A POST's signature must cover ``(request-target) host date digest``; a GET,
    which has no body, ``(request-target) host date``.
    """
    params = parse_signature_header(req.headers.get("signature", ""))
    if "keyId" not in params:
        raise SignatureError(
            f"{req.method} {req.path} is not signed (headers: {sorted(req.headers)})"
        )
    owner, pem = fetch_public_key(params["keyId"], session)
    required = tuple(SIGNED_HEADERS) if req.method == "POST" else GET_SIGNED_HEADERS
    verify_request(req.method, req.path, req.headers, req.body, pem, required=required, max_skew=3600)
    return owner


# ---------------------------------------------------------------------------
# Authorized fetch: signed GET (draft-cavage)
# ---------------------------------------------------------------------------

# What a GET is signed over (as Mastodon does for authorized fetch).
GET_SIGNED_HEADERS = ("(request-target)", "host", "date")

GET_DEFECTS = {
    "stale_date": "Date header (signed) two hours in the past",
    "other_target": "signature made for another URL of the same server",
}


def signed_get(
    actor: RemoteActor,
    url: str,
    defect: Optional[str] = None,
    other_url: Optional[str] = None,
    accept: str = AP_JSON,
    session: Optional[requests.Session] = None,
    timeout: float = 15,
) -> requests.Response:
    """GET ``url`` with a draft-cavage signature by ``actor`` over
    ``(request-target) host date accept``.

    ``defect`` is None or one of ``GET_DEFECTS``; "other_target" signs
    ``other_url`` instead of ``url`` (a signature lifted from another request).
    """
    if defect is not None and defect not in GET_DEFECTS:
        raise ValueError(f"unknown defect {defect!r}")
    parts = urllib.parse.urlsplit(url)
    signed = urllib.parse.urlsplit(other_url) if defect == "other_target" else parts
    if defect == "other_target" and (other_url is None or signed.path == parts.path):
        raise ValueError("other_target needs other_url with another path")
    path = signed.path + (f"?{signed.query}" if signed.query else "")
    when = time.time() - (2 * 3600 if defect == "stale_date" else 0)
    headers = {"host": parts.netloc, "date": http_date(when), "accept": accept}
    names = [*GET_SIGNED_HEADERS, "accept"]
    text = signing_string("GET", path, headers, names)
    headers["signature"] = signature_header(actor.key_id, names, sign(actor.private_key, text))
    s = session
    if s is None:
        s = requests.Session()
        s.trust_env = False
    return s.get(url, headers={("Host" if k == "host" else k.title()): v for k, v in headers.items()},
                 timeout=timeout)


# ---------------------------------------------------------------------------
# RFC 9421 HTTP Message Signatures (rsa-v1_5-sha256) with RFC 9530 Content-Digest
# ---------------------------------------------------------------------------

RFC9421_COMPONENTS = ("@method", "@target-uri", "content-digest")


def content_digest_header(body: bytes) -> str:
    """RFC 9530 ``Content-Digest`` (a structured dictionary holding a byte sequence)."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def rfc9421_signature_params(components: tuple[str, ...] | list[str], created: int, key_id: str) -> str:
    """The inner list of ``Signature-Input``, also the ``@signature-params`` value (RFC 9421 §2.3)."""
    inner = " ".join(f'"{c}"' for c in components)
    return f'({inner});created={created};keyid="{key_id}";alg="rsa-v1_5-sha256"'


def rfc9421_signature_base(
    method: str,
    target_uri: str,
    headers: dict[str, str],
    components: tuple[str, ...] | list[str],
    signature_params: str,
) -> str:
    """The signature base of RFC 9421 §2.5: one line per covered component,
    ``"name": value``, then ``"@signature-params": <inner list>``; lines are
    joined by LF, with no LF after the last.  ``headers`` keys are lower-case.
    """
    lines = []
    for c in components:
        if c == "@method":
            value = method.upper()
        elif c == "@target-uri":
            value = target_uri
        elif c == "@authority":
            value = urllib.parse.urlsplit(target_uri).netloc.lower()
        elif c == "@path":
            value = urllib.parse.urlsplit(target_uri).path or "/"
        elif c.startswith("@"):
            raise ValueError(f"derived component {c} not implemented here")
        else:
            if c not in headers:
                raise KeyError(f"component {c!r} is covered but the header is missing")
            value = headers[c].strip()
        lines.append(f'"{c}": {value}')
    lines.append(f'"@signature-params": {signature_params}')
    return "\n".join(lines)


RFC9421_DEFECTS = {
    "tampered_body": "body changed after Content-Digest and signature were computed",
    "no_content_digest_component": "signature does not cover content-digest (the header is sent)",
    "no_content_digest_header": "content-digest is covered but the header is not sent",
    "other_target": "@target-uri of the signature is another inbox of the same server",
    "stale_created": "created is two hours in the past",
    "foreign_key": "signed with the key of another actor than the activity's actor",
}


def prepare_rfc9421_post(
    actor: RemoteActor,
    inbox_url: str,
    activity: Any,
    defect: Optional[str] = None,
    other_url: Optional[str] = None,
    signer: Optional[RemoteActor] = None,
    now: Optional[float] = None,
) -> PreparedPost:
    """A POST of ``activity`` signed per RFC 9421 over
    ``("@method" "@target-uri" "content-digest")``, with ``created``, ``keyid``
    and ``alg="rsa-v1_5-sha256"``; label ``sig1``.  ``defect``: None or one of
    ``RFC9421_DEFECTS``.
    """
    if defect is not None and defect not in RFC9421_DEFECTS:
        raise ValueError(f"unknown defect {defect!r}")
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode("utf-8")
    parts = urllib.parse.urlsplit(inbox_url)
    created = int(now if now is not None else time.time())
    if defect == "stale_created":
        created -= 2 * 3600
    headers = {
        "host": parts.netloc,
        "content-digest": content_digest_header(body),
        "content-type": AP_JSON,
        "accept": AP_JSON,
    }
    components = list(RFC9421_COMPONENTS)
    if defect == "no_content_digest_component":
        components.remove("content-digest")
    target = inbox_url
    if defect == "other_target":
        if other_url is None or other_url == inbox_url:
            raise ValueError("other_target needs another URL")
        target = other_url
    key_owner = actor
    if defect == "foreign_key":
        key_owner = signer or actor.server.new_actor()
    params = rfc9421_signature_params(components, created, key_owner.key_id)
    base = rfc9421_signature_base("POST", target, headers, components, params)
    sig = base64.b64encode(
        key_owner.private_key.sign(base.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    ).decode("ascii")
    headers["signature-input"] = f"sig1={params}"
    headers["signature"] = f"sig1=:{sig}:"
    if defect == "no_content_digest_header":
        del headers["content-digest"]
    if defect == "tampered_body":
        tampered = json.loads(body.decode("utf-8"))
        tampered["id"] += "-tampered"
        tampered["tampered"] = True
        body = json.dumps(tampered).encode("utf-8")
    return PreparedPost(inbox_url, headers, body)


def send_rfc9421(
    actor: RemoteActor,
    inbox_url: str,
    activity: Any,
    defect: Optional[str] = None,
    other_url: Optional[str] = None,
    session: Optional[requests.Session] = None,
    timeout: float = 30,
) -> requests.Response:
    """POST ``activity`` to ``inbox_url`` with an RFC 9421 signature by ``actor``."""
    prepared = prepare_rfc9421_post(actor, inbox_url, activity, defect=defect, other_url=other_url)
    return post_prepared(prepared, session=session, timeout=timeout)


def post_prepared(
    prepared: PreparedPost, session: Optional[requests.Session] = None, timeout: float = 30
) -> requests.Response:
    """Send a prepared POST with exactly its headers and body (Host as signed)."""
    s = session
    if s is None:
        s = requests.Session()
        s.trust_env = False
    headers = {k.title() if k != "host" else "Host": v for k, v in prepared.headers.items()}
    return s.post(prepared.url, data=prepared.body, headers=headers, timeout=timeout)


def replay(
    req: ReceivedRequest, url: str, session: Optional[requests.Session] = None, timeout: float = 30
) -> requests.Response:
    """Send a POST we received, byte for byte with its original headers (Host
    included), to another ``url``: what an attacker who saw a delivery can do."""
    keep = {k: v for k, v in req.headers.items() if k not in ("content-length", "connection", "accept-encoding")}
    return post_prepared(PreparedPost(url, keep, req.body), session=session, timeout=timeout)
