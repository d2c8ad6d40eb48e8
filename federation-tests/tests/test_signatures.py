# SPDX-License-Identifier: AGPL-3.0-or-later
"""coopol's inboxes refuse what is not properly signed, and accept what is.

A Python actor (remote_actor.py) on 127.0.0.1 sends Follow activities to
alice's inboxes on one coopol instance.  Broken signatures must be answered
401 and change nothing a user can see (alice's follower count); a correct one
is answered 202, alice gains a follower and the Python actor receives a
signed Accept.  A body over 1 MiB is answered 413.
"""

from types import SimpleNamespace

import pytest
import requests

import harness
import remote_actor as ra
from harness import wait_for

CLUSTER = [["alice"]]

INBOXES = {"personal": "/users/alice/inbox", "shared": "/inbox"}


@pytest.fixture(scope="module")
def target(cluster):
    """The coopol instance, plus what this module expects of it so far."""
    inst = cluster[0]
    return SimpleNamespace(
        inst=inst,
        alice=inst.actor_url("alice"),
        followers=inst.url("/users/alice/followers"),
        accepted=0,  # correctly signed follows sent so far
        refused=[],  # python actors whose follows were refused
    )


def followers_total(target) -> int:
    return harness.collection_total(target.followers)


def test_alice_starts_without_followers(target):
    total = followers_total(target)
    assert total == target.accepted, f"alice has {total} followers, expected {target.accepted}"


@pytest.mark.parametrize("inbox", sorted(INBOXES))
@pytest.mark.parametrize("defect", list(ra.DEFECTS))
def test_bad_signature_is_refused(target, remote, defect, inbox):
    actor = remote.new_actor()
    follow = actor.follow(target.alice)
    url = target.inst.url(INBOXES[inbox])
    r = ra.send_activity(actor, url, follow, defect=defect)
    target.refused.append(actor)
    assert r.status_code == 401, (
        f"POST {url} with a Follow ({ra.DEFECTS[defect]}) "
        f"was answered {r.status_code} instead of 401: {r.text[:300]!r}"
    )
    total = followers_total(target)
    assert total == target.accepted, (
        f"alice has {total} followers after a refused Follow ({ra.DEFECTS[defect]}); "
        f"expected {target.accepted}"
    )


def test_body_over_one_mebibyte_is_refused(target, remote):
    actor = remote.new_actor()
    follow = actor.follow(target.alice)
    follow["padding"] = "x" * (1024 * 1024 + 16 * 1024)
    url = target.inst.url(INBOXES["personal"])
    try:
        r = ra.send_activity(actor, url, follow)
    except requests.ConnectionError as exc:
        pytest.fail(
            f"POST {url} with a {len(follow['padding'])}-byte body: connection closed "
            f"without an HTTP answer (expected 413): {exc}"
        )
    target.refused.append(actor)
    assert r.status_code == 413, f"oversized POST answered {r.status_code}: {r.text[:300]!r}"
    total = followers_total(target)
    assert total == target.accepted, f"alice has {total} followers after an oversized Follow"


def _accept_for(actor, follow):
    for req in actor.received():
        try:
            doc = req.json()
        except ValueError:
            continue
        if doc.get("type") != "Accept":
            continue
        obj = doc.get("object")
        if obj == follow["id"]:
            return req, doc
        if isinstance(obj, dict) and (
            obj.get("id") == follow["id"]
            or (obj.get("type") == "Follow" and obj.get("actor") == follow["actor"]
                and obj.get("object") == follow["object"])
        ):
            return req, doc
    return None


@pytest.mark.parametrize("inbox", sorted(INBOXES))
def test_correctly_signed_follow_is_accepted(target, remote, inbox):
    actor = remote.new_actor()
    follow = actor.follow(target.alice)
    url = target.inst.url(INBOXES[inbox])
    r = ra.send_activity(actor, url, follow)
    assert r.status_code == 202, (
        f"correctly signed Follow to {url} answered {r.status_code}: {r.text[:300]!r}"
    )
    target.accepted += 1
    expected = target.accepted
    harness.wait_equal(
        lambda: followers_total(target), expected, what="totalItems of alice's followers collection"
    )

    req, accept = wait_for(
        lambda: _accept_for(actor, follow),
        what=f"an Accept of {follow['id']} at {actor.inbox} (or the shared inbox); "
        f"received so far: {[q.path for q in remote.received()]}",
    )
    assert accept.get("actor") == target.alice, f"Accept sent by {accept.get('actor')!r}"
    try:
        owner = ra.verify_received(req)
    except ra.SignatureError as exc:
        pytest.fail(f"the Accept coopol POSTed to {req.path} is not validly signed: {exc}")
    assert owner == target.alice, f"Accept signed with a key owned by {owner!r}"

    # None of the refused follows was stored after all: no Accept for them,
    # and the count matches the correctly signed follows only.
    for bad in target.refused:
        got = [q.json().get("type") for q in bad.received()]
        assert "Accept" not in got, f"refused actor {bad.id} received an Accept"
    total = followers_total(target)
    assert total == expected, f"alice has {total} followers, expected {expected}"
