# SPDX-License-Identifier: AGPL-3.0-or-later
"""Self-check of the Python signing actor (needs no coopol server).

If these fail, failures in test_signatures.py say nothing about coopol.
"""

import base64
import hashlib
import json
import urllib.parse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

import harness
import remote_actor as ra


@pytest.fixture(scope="module")
def server():
    with ra.RemoteServer() as s:
        yield s


def _verify(prepared: ra.PreparedPost, pem: str, **kw):
    path = urllib.parse.urlsplit(prepared.url).path
    return ra.verify_request("POST", path, prepared.headers, prepared.body, pem, **kw)


def test_correct_signature_verifies(server):
    actor = server.new_actor()
    act = actor.follow("http://localhost:1/users/alice")
    prepared = ra.prepare_signed_post(actor, "http://localhost:1/users/alice/inbox", act)
    params = _verify(prepared, actor.public_key_pem(), max_skew=60)
    assert params["keyId"] == actor.key_id
    assert params["algorithm"] == "rsa-sha256"
    assert params["headers"] == "(request-target) host date digest"
    assert prepared.headers["host"] == "localhost:1"
    assert prepared.headers["digest"].startswith("SHA-256=")
    assert json.loads(prepared.body) == act


@pytest.mark.parametrize("defect", sorted(ra.DEFECTS))
def test_each_defect_is_detectable(server, defect):
    actor = server.new_actor()
    other = server.new_actor()
    act = actor.follow("http://localhost:1/users/alice")
    prepared = ra.prepare_signed_post(
        actor, "http://localhost:1/users/alice/inbox", act, defect=defect, signer=other
    )
    if defect == "foreign_key":
        # The signature itself is valid, but made with another actor's key.
        params = _verify(prepared, other.public_key_pem())
        assert params["keyId"] == other.key_id != actor.key_id
        assert json.loads(prepared.body)["actor"] == actor.id
        with pytest.raises(ra.SignatureError):
            _verify(prepared, actor.public_key_pem())
        return
    if defect == "stale_date":
        _verify(prepared, actor.public_key_pem())  # cryptographically fine
        with pytest.raises(ra.SignatureError, match="off"):
            _verify(prepared, actor.public_key_pem(), max_skew=3600)
        return
    with pytest.raises(ra.SignatureError):
        _verify(prepared, actor.public_key_pem())
    if defect == "digest_only":
        # Valid when one does not insist on the required headers.
        _verify(prepared, actor.public_key_pem(), required=("digest",))


def test_server_serves_actor_and_records_inbox(server):
    actor = server.new_actor()
    s = harness.http_session()
    doc = s.get(actor.id, headers={"Accept": ra.AP_JSON}, timeout=5)
    assert doc.status_code == 200
    assert doc.headers["Content-Type"].startswith("application/activity+json")
    body = doc.json()
    assert body["id"] == actor.id and body["inbox"] == actor.inbox
    assert body["publicKey"] == {
        "id": actor.key_id,
        "owner": actor.id,
        "publicKeyPem": actor.public_key_pem(),
    }
    wf = s.get(
        server.base_url + "/.well-known/webfinger",
        params={"resource": f"acct:{actor.acct}"},
        timeout=5,
    )
    assert wf.status_code == 200 and wf.json()["links"][0]["href"] == actor.id

    # A signed POST from one of our actors to another: recorded and verifiable
    # with the key fetched over HTTP, as we do for what coopol sends.
    sender = server.new_actor()
    r = ra.send_activity(sender, actor.inbox, sender.follow(actor.id), session=s)
    assert r.status_code == 202
    got = harness.wait_for(actor.received, timeout=5, what="POST recorded")
    assert ra.verify_received(got[0], session=s) == sender.id
    assert got[0].json()["type"] == "Follow"


def test_loopback_guard_refuses_other_addresses():
    import socket
    import sys

    harness.install_loopback_guard()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Fire the audit event socket.connect raises, without connecting.
        with pytest.raises(PermissionError, match="127.0.0.0/8"):
            sys.audit("socket.connect", sock, ("192.0.2.1", 9))
        sys.audit("socket.connect", sock, ("127.0.0.1", 9))
        sys.audit("socket.connect", sock, ("localhost", 9))


def test_wait_for_reports_what_and_last_value():
    calls = []

    def never():
        calls.append(1)
        return []

    with pytest.raises(harness.WaitTimeout, match=r"waiting for the thing; last value: \[\]"):
        harness.wait_for(never, timeout=0.3, what="the thing")
    assert len(calls) >= 2


def test_signed_get_verifies_and_its_defects_do_not(server):
    actor = server.new_actor()
    target = server.new_actor()
    s = harness.http_session()
    for defect in [None, *sorted(ra.GET_DEFECTS)]:
        r = ra.signed_get(actor, target.id, defect=defect, other_url=target.id + "/outbox", session=s)
        assert r.status_code == 200
        req = server.get_requests(urllib.parse.urlsplit(target.id).path)[-1]
        assert ra.parse_signature_header(req.headers["signature"])["headers"] == "(request-target) host date accept"
        if defect is None:
            assert ra.verify_received(req, session=s) == actor.id
        else:
            with pytest.raises(ra.SignatureError):
                ra.verify_received(req, session=s)


def test_rfc9421_signature_base_layout(server):
    """The base is built as RFC 9421 §2.5 shows it (checked against a literal)."""
    actor = server.new_actor()
    act = actor.follow("http://localhost:1/users/alice")
    p = ra.prepare_rfc9421_post(actor, "http://localhost:1/users/alice/inbox", act, now=1700000000)
    digest = ra.content_digest_header(p.body)
    assert digest == "sha-256=:" + base64.b64encode(hashlib.sha256(p.body).digest()).decode() + ":"
    params = (
        '("@method" "@target-uri" "content-digest");created=1700000000;'
        f'keyid="{actor.key_id}";alg="rsa-v1_5-sha256"'
    )
    assert p.headers["signature-input"] == "sig1=" + params
    assert p.headers["content-digest"] == digest
    base = (
        '"@method": POST\n'
        '"@target-uri": http://localhost:1/users/alice/inbox\n'
        f'"content-digest": {digest}\n'
        f'"@signature-params": {params}'
    )
    sig = p.headers["signature"]
    assert sig.startswith("sig1=:") and sig.endswith(":")
    actor.private_key.public_key().verify(
        base64.b64decode(sig[len("sig1=:"):-1]), base.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    # Each defect changes what a verifier would see.
    for defect in ra.RFC9421_DEFECTS:
        bad = ra.prepare_rfc9421_post(
            actor, "http://localhost:1/users/alice/inbox", act, defect=defect,
            other_url="http://localhost:1/inbox", now=1700000000,
        )
        def seen(q):
            return (q.headers.get("signature-input"), q.headers.get("content-digest"), q.body, q.headers["signature"])

        assert seen(bad) != seen(p), defect
