# SPDX-License-Identifier: AGPL-3.0-or-later
"""Following across instances, and what each visibility reaches.

Three instances: alice@A, bob@B, carol@C, driven through Mastodon.py as
their users would.  alice follows bob and carol; bob posts with each
visibility; alice replies, favourites, reblogs; bob deletes; alice unfollows.
"""

from types import SimpleNamespace

import pytest
from mastodon import MastodonNotFoundError

import harness
from harness import (
    assert_never,
    collection_total,
    ensure_following,
    fetch_ap,
    find_by_uri,
    home_find,
    resolve_account,
    unique,
    wait_for,
)

CLUSTER = [["alice"], ["bob"], ["carol"]]


@pytest.fixture(scope="module")
def net(cluster):
    A, B, C = cluster
    return SimpleNamespace(
        A=A,
        B=B,
        C=C,
        alice=A.api("alice"),
        bob=B.api("bob"),
        carol=C.api("carol"),
        alice_acct=A.acct("alice"),
        bob_acct=B.acct("bob"),
        carol_acct=C.acct("carol"),
    )


def _arrives(api, uri, what):
    return wait_for(lambda: home_find(api, uri), what=what)


@pytest.fixture(scope="module")
def bob_posts(net):
    """bob posts public, followers-only and direct (to alice); alice has all three.

    bob follows carol first, so B knows C and its inboxes well: a server that
    sends followers-only posts to the wrong side of a follow would leak to C.
    """
    ensure_following(net.alice, net.bob_acct)
    ensure_following(net.bob, net.carol_acct)
    marker = unique("vis")
    posts = {
        "public": net.bob.status_post(f"public post {marker}-public", visibility="public"),
        "private": net.bob.status_post(f"followers-only post {marker}-private", visibility="private"),
        "direct": net.bob.status_post(
            f"@{net.alice_acct} direct post {marker}-direct", visibility="direct"
        ),
    }
    copies = {}
    for vis, st in posts.items():
        assert st["visibility"] == vis, f"B stored bob's {vis} post as {st['visibility']!r}"
        copies[vis] = _arrives(
            net.alice, st["uri"], f"bob's {vis} status {st['uri']} in alice's home timeline on A"
        )
    return SimpleNamespace(
        posts=posts, copies=copies, markers={v: f"{marker}-{v}" for v in posts}
    )


def test_alice_follows_bob_and_carol(net):
    bob_on_a = ensure_following(net.alice, net.bob_acct)
    carol_on_a = ensure_following(net.alice, net.carol_acct)
    assert bob_on_a["acct"] == net.bob_acct
    assert carol_on_a["acct"] == net.carol_acct
    url = net.B.url("/users/bob/followers")
    harness.wait_equal(lambda: collection_total(url), 1, what="totalItems of bob's followers on B")
    url = net.C.url("/users/carol/followers")
    wait_for(
        lambda: collection_total(url) >= 1,
        what="carol's followers collection on C to count alice",
    )
    following = net.A.url("/users/alice/following")
    harness.wait_equal(lambda: collection_total(following), 2, what="totalItems of alice's following on A")


def test_carol_public_post_reaches_alice(net):
    ensure_following(net.alice, net.carol_acct)
    st = net.carol.status_post(f"hello from C {unique()}", visibility="public")
    copy = _arrives(net.alice, st["uri"], "carol's public status in alice's home timeline")
    assert copy["account"]["acct"] == net.carol_acct


def test_bob_posts_of_every_visibility_reach_alice(net, bob_posts):
    for vis, copy in bob_posts.copies.items():
        assert copy["visibility"] == vis, f"A shows bob's {vis} post as {copy['visibility']!r}"
        assert bob_posts.markers[vis] in copy["content"]
        assert copy["account"]["acct"] == net.bob_acct
        assert copy["uri"] == bob_posts.posts[vis]["uri"]
        # A can show it by its own id too.
        assert net.alice.status(copy["id"])["uri"] == copy["uri"]


def test_private_and_direct_never_reach_carol(net, bob_posts):
    # Positive control: B does deliver to C (a direct post to carol arrives),
    # so carol not seeing the others means something.
    control = net.bob.status_post(
        f"@{net.carol_acct} direct post for carol {unique()}", visibility="direct"
    )
    _arrives(net.carol, control["uri"], "bob's direct post to carol in carol's home timeline (control)")
    bob_on_c = resolve_account(net.carol, net.bob_acct)

    secret = {v: bob_posts.posts[v]["uri"] for v in ("private", "direct")}
    secret_markers = [bob_posts.markers[v] for v in ("private", "direct")]

    def leaked():
        views = {
            "carol's home timeline": net.carol.timeline_home(limit=40),
            "C's public timeline": net.carol.timeline_public(limit=40),
            "bob's statuses as seen on C": net.carol.account_statuses(bob_on_c["id"], limit=40),
        }
        found = []
        for view, statuses in views.items():
            for vis, uri in secret.items():
                if find_by_uri(statuses, uri):
                    found.append(f"{vis} status {uri} in {view}")
            for st in statuses:
                for m in secret_markers:
                    if m in (st.get("content") or ""):
                        found.append(f"text {m!r} in {view}")
        return found

    assert_never(leaked, what="bob's followers-only/direct posts showing up on C", interval=0.5)


def test_private_and_direct_not_served_to_anonymous_fetch(net, bob_posts):
    s = harness.http_session()
    public = bob_posts.posts["public"]["uri"]
    r = fetch_ap(public, s)
    assert r.status_code == 200 and bob_posts.markers["public"] in r.text, (
        f"anonymous GET {public} (the control) answered {r.status_code}: {r.text[:300]!r}"
    )
    for vis in ("private", "direct"):
        uri = bob_posts.posts[vis]["uri"]
        marker = bob_posts.markers[vis]
        for accept in ("application/activity+json", "text/html"):
            r = s.get(uri, headers={"Accept": accept}, timeout=15)
            assert not (r.status_code == 200 and marker in r.text), (
                f"anonymous GET {uri} (Accept: {accept}) shows bob's {vis} post"
            )
    outbox = net.B.url("/users/bob/outbox")
    r = fetch_ap(outbox, s)
    assert r.status_code == 200, f"GET {outbox} answered {r.status_code}"
    pages = [r.text]
    first = r.json().get("first")
    if isinstance(first, str):
        pages.append(fetch_ap(first, s).text)
    for vis in ("private", "direct"):
        for page in pages:
            assert bob_posts.markers[vis] not in page, f"bob's outbox shows his {vis} post"


def test_reply_threads_under_bobs_post_on_b(net, bob_posts):
    original = bob_posts.posts["public"]
    a_copy = bob_posts.copies["public"]
    reply = net.alice.status_post(
        f"@{net.bob_acct} a reply from A {unique()}", in_reply_to_id=a_copy["id"], visibility="public"
    )
    assert reply["in_reply_to_id"] == a_copy["id"]

    def on_b():
        return find_by_uri(net.bob.status_context(original["id"])["descendants"], reply["uri"])

    got = wait_for(on_b, what=f"alice's reply {reply['uri']} among the descendants of bob's post on B")
    assert got["in_reply_to_id"] == original["id"]
    assert got["account"]["acct"] == net.alice_acct


def test_favourite_and_reblog_counted_on_b(net, bob_posts):
    original = bob_posts.posts["public"]
    a_copy = bob_posts.copies["public"]
    net.alice.status_favourite(a_copy["id"])
    net.alice.status_reblog(a_copy["id"])
    harness.wait_equal(
        lambda: net.bob.status(original["id"])["favourites_count"],
        1,
        what="favourites_count of bob's post on B after alice favourited it",
    )
    harness.wait_equal(
        lambda: net.bob.status(original["id"])["reblogs_count"],
        1,
        what="reblogs_count of bob's post on B after alice reblogged it",
    )


def test_deleted_post_disappears_from_a(net):
    ensure_following(net.alice, net.bob_acct)
    st = net.bob.status_post(f"soon deleted {unique()}", visibility="public")
    copy = _arrives(net.alice, st["uri"], "bob's post (to be deleted) in alice's home timeline")
    net.bob.status_delete(st["id"])
    with pytest.raises(MastodonNotFoundError):
        net.bob.status(st["id"])

    def gone():
        try:
            net.alice.status(copy["id"])
        except MastodonNotFoundError:
            return home_find(net.alice, st["uri"]) is None
        return False

    wait_for(gone, what=f"A's copy {copy['id']} of bob's deleted post to answer 404 and leave alice's home")


def test_unfollow_stops_delivery(net):
    bob_on_a = ensure_following(net.alice, net.bob_acct)
    before = net.bob.status_post(f"before unfollow {unique()}", visibility="public")
    _arrives(net.alice, before["uri"], "bob's post before the unfollow in alice's home (control)")

    followers = net.B.url("/users/bob/followers")
    count = collection_total(followers)
    rel = net.alice.account_unfollow(bob_on_a["id"])
    assert not rel["following"], f"relationship after unfollow: {rel!r}"
    harness.wait_equal(
        lambda: collection_total(followers),
        count - 1,
        what=f"totalItems of bob's followers on B after alice's unfollow (was {count})",
    )

    after = net.bob.status_post(f"after unfollow {unique()}", visibility="public")
    # Control: B still delivers to A (a direct post to alice arrives), so the
    # public one not arriving is due to the unfollow.
    control = net.bob.status_post(
        f"@{net.alice_acct} direct after unfollow {unique()}", visibility="direct"
    )
    assert_never(
        lambda: home_find(net.alice, after["uri"]),
        what="bob's public post made after the unfollow showing up in alice's home",
        until=lambda: home_find(net.alice, control["uri"]) is not None,
    )
