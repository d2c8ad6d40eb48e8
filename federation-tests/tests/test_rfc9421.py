# SPDX-License-Identifier: AGPL-3.0-or-later
"""coopol's inboxes accept RFC 9421 HTTP Message Signatures, and refuse broken ones.

A Python actor sends Follow activities to alice@A signed per RFC 9421:
``Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=…;
keyid="…";alg="rsa-v1_5-sha256"``, ``Signature: sig1=:…:`` and an RFC 9530
``Content-Digest: sha-256=:…:``.  A correct one is answered 202 and alice gains
a follower (who gets an Accept); each broken one is answered 401 and changes
nothing a user can see.
"""

from types import SimpleNamespace

import pytest

import harness
import remote_actor as ra
from harness import wait_for

CLUSTER = [["alice"]]

INBOXES = {"personal": "/users/alice/inbox", "shared": "/inbox"}


@pytest.fixture(scope="module")
def target(cluster):
    inst = cluster[0]
    return SimpleNamespace(
        inst=inst,
        alice=inst.actor_url("alice"),
        followers=inst.url("/users/alice/followers"),
        accepted=0,
        refused=[],
    )


def followers_total(target) -> int:
    return harness.collection_total(target.followers)


@pytest.mark.parametrize("defect", list(ra.RFC9421_DEFECTS))
def test_broken_rfc9421_signature_is_refused(target, remote, defect):
    actor = remote.new_actor()
    follow = actor.follow(target.alice)
    url = target.inst.url(INBOXES["personal"])
    other = target.inst.url(INBOXES["shared"])
    r = ra.send_rfc9421(actor, url, follow, defect=defect, other_url=other)
    target.refused.append(actor)
    assert r.status_code == 401, (
        f"POST {url} with an RFC 9421-signed Follow ({ra.RFC9421_DEFECTS[defect]}) "
        f"answered {r.status_code} instead of 401: {r.text[:300]!r}"
    )
    total = followers_total(target)
    assert total == target.accepted, (
        f"alice has {total} followers after a refused Follow ({ra.RFC9421_DEFECTS[defect]}); "
        f"expected {target.accepted}"
    )


def _accepted(actor, follow):
    for req in actor.received():
        doc = req.json()
        obj = doc.get("object")
        if doc.get("type") != "Accept":
            continue
        if obj == follow["id"] or (isinstance(obj, dict) and obj.get("id") == follow["id"]):
            return req
    return None


@pytest.mark.parametrize("inbox", sorted(INBOXES))
def test_rfc9421_signed_follow_is_accepted(target, remote, inbox):
    actor = remote.new_actor()
    follow = actor.follow(target.alice)
    url = target.inst.url(INBOXES[inbox])
    r = ra.send_rfc9421(actor, url, follow)
    assert r.status_code == 202, (
        f"RFC 9421-signed Follow to {url} answered {r.status_code}: {r.text[:300]!r}"
    )
    target.accepted += 1
    harness.wait_equal(
        lambda: followers_total(target), target.accepted, what="totalItems of alice's followers collection"
    )
    req = wait_for(lambda: _accepted(actor, follow), what=f"an Accept of {follow['id']} at the Python actor")
    assert ra.verify_received(req) == target.alice

    for bad in target.refused:
        assert not any(q.json().get("type") == "Accept" for q in bad.received()), (
            f"refused actor {bad.id} received an Accept"
        )
    total = followers_total(target)
    assert total == target.accepted, f"alice has {total} followers, expected {target.accepted}"
