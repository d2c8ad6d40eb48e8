# SPDX-License-Identifier: AGPL-3.0-or-later
"""Authorized fetch: who may GET a post's ActivityPub document, and coopol's own GETs are signed.

bob@B posts publicly, followers-only and direct.  A Python actor (remote_actor.py)
fetches those posts' URLs as another server would: anonymously, signed while
not following bob, and signed after following him.  Only a follower's
correctly signed GET gets the followers-only Note; nobody but those it
mentions gets the direct one; the public one is served to anyone.  When B
resolves a Python actor by its handle, the GET of the actor document that the
Python server receives carries a valid draft-cavage signature by B.
"""

import urllib.parse
from types import SimpleNamespace

import pytest

import harness
import remote_actor as ra
from harness import fetch_ap, unique, wait_for

CLUSTER = [["bob"]]


@pytest.fixture(scope="module")
def posts(cluster):
    B = cluster[0]
    bob = B.api("bob")
    marker = unique("af")
    made = {
        "public": bob.status_post(f"public post {marker}-public", visibility="public"),
        "private": bob.status_post(f"followers-only post {marker}-private", visibility="private"),
        "direct": bob.status_post(f"direct note to self {marker}-direct", visibility="direct"),
    }
    for vis, st in made.items():
        assert st["visibility"] == vis, f"B stored bob's {vis} post as {st['visibility']!r}"
    return SimpleNamespace(
        B=B,
        bob_actor=B.actor_url("bob"),
        uri={v: st["uri"] for v, st in made.items()},
        marker={v: f"{marker}-{v}" for v in made},
        follower=None,  # set by test_signed_fetch_by_follower_gets_the_note
    )


def _describe(r) -> str:
    return f"{r.status_code} {r.text[:200]!r}"


def _assert_note(r, posts, vis: str, who: str) -> dict:
    uri = posts.uri[vis]
    assert r.status_code == 200, f"{who} GET {uri} answered {_describe(r)}, expected the Note"
    assert r.headers.get("Content-Type", "").startswith("application/activity+json"), (
        f"{who} GET {uri}: Content-Type {r.headers.get('Content-Type')!r}"
    )
    note = r.json()
    assert note.get("type") == "Note", f"{who} GET {uri} served a {note.get('type')!r}"
    assert note.get("id") == uri, f"{who} GET {uri} served id {note.get('id')!r}"
    assert note.get("attributedTo") == posts.bob_actor, f"attributedTo {note.get('attributedTo')!r}"
    assert posts.marker[vis] in (note.get("content") or ""), (
        f"{who} GET {uri}: content {note.get('content')!r} lacks {posts.marker[vis]!r}"
    )
    return note


def _follow_bob(posts, remote) -> ra.RemoteActor:
    """A new Python actor follows bob (auto-accepted); returns it once B counts it."""
    followers = posts.B.url("/users/bob/followers")
    before = harness.collection_total(followers)
    actor = remote.new_actor()
    follow = actor.follow(posts.bob_actor)
    r = ra.send_activity(actor, posts.B.url("/users/bob/inbox"), follow)
    assert r.status_code == 202, f"signed Follow of bob answered {_describe(r)}"
    harness.wait_equal(
        lambda: harness.collection_total(followers), before + 1, what="totalItems of bob's followers"
    )
    wait_for(
        lambda: any(q.json().get("type") == "Accept" for q in actor.received()),
        what=f"B's Accept of {follow['id']} at the Python actor",
    )
    return actor


def test_public_post_is_served_unsigned(posts):
    r = fetch_ap(posts.uri["public"])
    _assert_note(r, posts, "public", "anonymous")


def test_followers_only_and_direct_hidden_from_anonymous_fetch(posts):
    s = harness.http_session()
    for vis in ("private", "direct"):
        uri = posts.uri[vis]
        r = fetch_ap(uri, s)
        assert r.status_code == 404, f"anonymous GET {uri} ({vis}) answered {_describe(r)}, expected 404"
        assert posts.marker[vis] not in r.text
        activity = uri + "/activity"
        r = fetch_ap(activity, s)
        assert r.status_code == 404, f"anonymous GET {activity} ({vis}) answered {_describe(r)}"


def test_signed_fetch_by_non_follower_is_404(posts, remote):
    stranger = remote.new_actor()
    # Control: the same actor's signed GET of the public post works, so the
    # 404 below is not a refused signature format.
    _assert_note(ra.signed_get(stranger, posts.uri["public"]), posts, "public", "non-follower's signed")
    for vis in ("private", "direct"):
        uri = posts.uri[vis]
        r = ra.signed_get(stranger, uri)
        assert r.status_code == 404, (
            f"GET {uri} ({vis}) signed by {stranger.id}, who does not follow bob, "
            f"answered {_describe(r)}, expected 404"
        )
        assert posts.marker[vis] not in r.text


def test_signed_fetch_by_follower_gets_the_note(posts, remote):
    follower = _follow_bob(posts, remote)
    posts.follower = follower
    uri = posts.uri["private"]
    r = wait_for(
        lambda: (lambda r: r if r.status_code == 200 else None)(ra.signed_get(follower, uri)),
        what=f"GET {uri} signed by the follower {follower.id} to answer 200",
    )
    _assert_note(r, posts, "private", "the follower's signed")
    r = ra.signed_get(follower, uri + "/activity")
    assert r.status_code == 200, f"follower's signed GET of {uri}/activity answered {_describe(r)}"
    act = r.json()
    assert act.get("type") == "Create" and (act.get("object") or {}).get("id") == uri, act
    # Following bob does not open his direct posts.
    r = ra.signed_get(follower, posts.uri["direct"])
    assert r.status_code == 404, f"follower's signed GET of a direct post answered {_describe(r)}"


@pytest.mark.parametrize("defect", sorted(ra.GET_DEFECTS))
def test_follower_with_broken_signature_gets_404(posts, remote, defect):
    if posts.follower is None:
        pytest.skip("needs test_signed_fetch_by_follower_gets_the_note (the follower) first")
    uri = posts.uri["private"]
    r = ra.signed_get(posts.follower, uri, defect=defect, other_url=posts.uri["public"])
    assert r.status_code == 404, (
        f"GET {uri} by the follower with a broken signature ({ra.GET_DEFECTS[defect]}) "
        f"answered {_describe(r)}, expected 404"
    )
    assert posts.marker["private"] not in r.text
    # Control: the same follower, correctly signed, still gets it.
    _assert_note(ra.signed_get(posts.follower, uri), posts, "private", "the follower's signed")


def test_signed_html_request_does_not_show_followers_only_post(posts):
    if posts.follower is None:
        pytest.skip("needs test_signed_fetch_by_follower_gets_the_note (the follower) first")
    uri = posts.uri["private"]
    r = ra.signed_get(posts.follower, uri, accept="text/html")
    assert not (r.status_code == 200 and posts.marker["private"] in r.text), (
        f"signed GET {uri} with Accept: text/html shows the followers-only post as a page"
    )


def test_coopol_signs_its_own_fetches(posts, remote):
    """B resolving a handle GETs the actor document with a valid signature."""
    actor = remote.new_actor()  # B has never seen it
    bob = posts.B.api("bob")
    found = harness.resolve_account(bob, actor.acct)
    assert found["username"] == actor.name
    path = urllib.parse.urlsplit(actor.id).path
    gets = remote.get_requests(path)
    assert gets, (
        f"B resolved {actor.acct} without GETting {actor.id}; "
        f"GETs the Python server received: {[p for p, _ in remote.fetches()]}"
    )
    for req in gets:
        accept = req.headers.get("accept", "")
        assert "application/activity+json" in accept or "application/ld+json" in accept, (
            f"B fetched {req.path} with Accept {accept!r}"
        )
        try:
            owner = ra.verify_received(req)
        except ra.SignatureError as exc:
            pytest.fail(f"B's GET of {req.path} is not validly signed: {exc}; headers {req.headers!r}")
        assert owner.startswith(posts.B.base_url + "/"), (
            f"B's GET of {req.path} is signed with a key of {owner!r}, not of an actor of {posts.B.domain}"
        )
