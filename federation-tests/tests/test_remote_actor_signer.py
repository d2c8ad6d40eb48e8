# SPDX-License-Identifier: AGPL-3.0-or-later
"""Self-check of the Python signing actor (needs no coopol server).

If these fail, failures in test_signatures.py say nothing about coopol.
"""

import json
import urllib.parse

import pytest

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
