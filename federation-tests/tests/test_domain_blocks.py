# SPDX-License-Identifier: AGPL-3.0-or-later
"""A domain block set with ``coopol admin domain-block`` shuts a server out, and lifting it lets it in.

The Python server (remote_actor.py, ``localhost:PORT``) hosts actors.  One of
them follows alice@A before the block and can read her followers-only post
with a signed GET.  While A blocks the Python server's domain: a signed
Follow from it is refused (4xx) and not counted, its signed GETs see only
what anonymous visitors see (the public post, not the followers-only one),
and A does not even contact it to resolve one of its handles.  After
``domain-block remove`` a Follow is accepted again, and the follower reads the
followers-only post again.
"""

from types import SimpleNamespace

import pytest

import harness
import remote_actor as ra
from harness import fetch_ap, unique, wait_for

CLUSTER = [["alice"]]


@pytest.fixture(scope="module")
def net(cluster, remote):
    A = cluster[0]
    alice = A.api("alice")
    marker = unique("db")
    public = alice.status_post(f"public post {marker}-public", visibility="public")
    private = alice.status_post(f"followers-only post {marker}-private", visibility="private")
    n = SimpleNamespace(
        A=A,
        remote=remote,
        alice=A.actor_url("alice"),
        followers=A.url("/users/alice/followers"),
        public=public["uri"],
        private=private["uri"],
        marker=marker,
        follower=None,
        refused=None,  # an actor whose Follow was refused during the block
        unresolved=None,  # an actor A did not resolve during the block
    )
    n.follower = _follow(n, remote.new_actor())
    return n


def _describe(r) -> str:
    return f"{r.status_code} {r.text[:200]!r}"


def _has_accept(actor, follow) -> bool:
    for req in actor.received():
        doc = req.json()
        obj = doc.get("object")
        if doc.get("type") == "Accept" and (
            obj == follow["id"] or (isinstance(obj, dict) and obj.get("id") == follow["id"])
        ):
            return True
    return False


def _follow(net, actor):
    """``actor`` follows alice; waits until A counts it and sends the Accept."""
    before = harness.collection_total(net.followers)
    follow = actor.follow(net.alice)
    r = ra.send_activity(actor, net.A.url("/users/alice/inbox"), follow)
    assert r.status_code == 202, f"signed Follow from {actor.id} answered {_describe(r)}"
    harness.wait_equal(
        lambda: harness.collection_total(net.followers), before + 1, what="totalItems of alice's followers"
    )
    wait_for(lambda: _has_accept(actor, follow), what=f"A's Accept of {follow['id']}")
    return actor


def _private_status(net) -> int:
    return ra.signed_get(net.follower, net.private).status_code


def test_follower_reads_followers_only_post_before_the_block(net):
    r = ra.signed_get(net.follower, net.private)
    assert r.status_code == 200 and f"{net.marker}-private" in r.text, (
        f"the follower's signed GET of {net.private} (no block yet) answered {_describe(r)}"
    )


def test_blocked_domain_is_shut_out(net):
    out = net.A.admin("domain-block", "add", net.remote.domain).stdout
    assert net.remote.domain in out, f"domain-block add printed {out!r}"
    listed = net.A.admin("domain-block", "list").stdout
    assert net.remote.domain in listed, f"domain-block list does not show the block: {listed!r}"

    # A Follow from the blocked server is refused and not counted.
    count = harness.collection_total(net.followers)
    newcomer = net.refused = net.remote.new_actor()
    follow = newcomer.follow(net.alice)
    for path in ("/users/alice/inbox", "/inbox"):
        r = ra.send_activity(newcomer, net.A.url(path), follow)
        assert 400 <= r.status_code < 500, (
            f"signed Follow from the blocked {net.remote.domain} to {path} answered {_describe(r)}, expected 4xx"
        )
    assert harness.collection_total(net.followers) == count, "a Follow from a blocked domain was counted"

    # Its signed GETs see what anonymous visitors see.
    anon = fetch_ap(net.public)
    r = ra.signed_get(net.follower, net.public)
    assert r.status_code == anon.status_code == 200, (
        f"public post: signed GET from the blocked domain answered {_describe(r)}, anonymous {_describe(anon)}"
    )
    assert r.json().get("content") == anon.json().get("content")
    r = ra.signed_get(net.follower, net.private)
    assert r.status_code == 404, (
        f"followers-only post: signed GET by a follower on the blocked domain answered {_describe(r)}, expected 404"
    )
    assert f"{net.marker}-private" not in r.text

    # A does not contact the blocked server to resolve one of its handles.
    unknown = net.unresolved = net.remote.new_actor()
    traffic = net.remote.traffic()
    found = net.A.api("alice").search_v2("@" + unknown.acct, resolve=True)
    assert not found["accounts"], f"A resolved {unknown.acct} on a blocked domain: {found['accounts']!r}"
    assert net.remote.traffic() == traffic, (
        f"A connected to the blocked {net.remote.domain} to resolve {unknown.acct}; "
        f"GETs received: {net.remote.fetches()[-5:]}"
    )
    assert not _has_accept(newcomer, follow), "the refused actor received an Accept"


def test_lifting_the_block_lets_the_server_in(net):
    out = net.A.admin("domain-block", "remove", net.remote.domain).stdout
    assert net.remote.domain in out, f"domain-block remove printed {out!r}"
    wait_for(
        lambda: _private_status(net) == 200,
        what="the follower's signed GET of the followers-only post to answer 200 again",
    )
    # The actor refused during the block can follow now.
    _follow(net, net.refused or net.remote.new_actor())
    # And A resolves the handle it would not resolve during the block.
    unknown = net.unresolved or net.remote.new_actor()
    requests = net.remote.traffic()[1]
    account = harness.resolve_account(net.A.api("alice"), unknown.acct)
    assert account["username"] == unknown.name
    assert net.remote.traffic()[1] > requests, "A resolved a handle without asking its server"
