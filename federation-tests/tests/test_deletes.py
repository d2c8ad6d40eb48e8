# SPDX-License-Identifier: AGPL-3.0-or-later
"""Deletes: of an account nobody here knows, of a note before its Create, of a local account.

Two instances, alice@A and bob, carol@B, and the Python actors of remote_actor.py.

- An actor B never heard of deleting itself is answered 202, and B fetches
  nothing from its server for it.
- A Python actor sends Delete(Tombstone X), then Create(Note X) and
  Create(Note Y), both addressed to carol and mentioning her: Y (the control)
  reaches carol's home timeline, X never does, not even when its Create is
  sent again under a new activity id.
- ``coopol admin account delete alice --yes`` on A: bob, who followed alice,
  sees her posts disappear from B (404 through the API, gone from his home),
  her account vanish from B, and A no longer serves her actor or posts.  A
  peer that followed her gets a Delete(Person) signed with her key.  Her post
  does not come back on B when the link is pasted into search, nor when the
  Create A once delivered to a peer is replayed byte for byte to B's inbox.
"""

import time
import urllib.parse
from types import SimpleNamespace

import pytest
from mastodon import MastodonNotFoundError, MastodonUnauthorizedError

import harness
import remote_actor as ra
from harness import assert_never, ensure_following, fetch_ap, find_by_uri, home_find, unique, wait_for

CLUSTER = [["alice"], ["bob", "carol"]]

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture(scope="module")
def net(cluster, remote):
    A, B = cluster
    return SimpleNamespace(
        A=A,
        B=B,
        remote=remote,
        bob=B.api("bob"),
        carol=B.api("carol"),
        carol_actor=B.actor_url("carol"),
    )


def _describe(r) -> str:
    return f"{r.status_code} {r.text[:200]!r}"


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def _id(obj):
    return obj if isinstance(obj, str) else (obj or {}).get("id")


def _accepted(actor, follow_id: str) -> bool:
    for req in actor.received():
        doc = req.json()
        obj = doc.get("object")
        if doc.get("type") == "Accept" and (
            obj == follow_id or (isinstance(obj, dict) and obj.get("id") == follow_id)
        ):
            return True
    return False


def _follow(actor, target_actor: str, inbox: str) -> None:
    """``actor`` follows ``target_actor`` through ``inbox``; waits for the Accept."""
    follow = actor.follow(target_actor)
    r = ra.send_activity(actor, inbox, follow)
    assert r.status_code == 202, f"signed Follow of {target_actor} answered {_describe(r)}"
    wait_for(lambda: _accepted(actor, follow["id"]), what=f"the Accept of {follow['id']}")


def _inbox_worker_done(net) -> None:
    """Returns once B's inbox worker has applied everything queued so far.

    B applies received activities in order of arrival: a Follow sent now and
    answered with an Accept was applied after all that came before it.
    """
    _follow(net.remote.new_actor(), net.carol_actor, net.B.url("/inbox"))


# ---------------------------------------------------------------------------
# (a) An unknown actor deleting itself
# ---------------------------------------------------------------------------


def test_unknown_actor_deleting_itself_is_accepted_without_fetching(net):
    ghost = net.remote.new_actor()  # B has never seen it
    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": ghost.id + "#delete",
        "type": "Delete",
        "actor": ghost.id,
        "object": ghost.id,
        "to": [PUBLIC],
    }
    r = ra.send_activity(ghost, net.B.url("/inbox"), delete)
    assert r.status_code == 202, f"Delete of an unknown actor by itself answered {_describe(r)}, expected 202"
    # Control (and ordering): a Follow sent afterwards is applied, and B
    # fetched that actor's document for its key, so fetches are recorded.
    control = net.remote.new_actor()
    _follow(control, net.carol_actor, net.B.url("/inbox"))
    assert net.remote.get_requests(_path(control.id)), (
        f"B accepted a Follow from {control.id} without fetching it: fetch recording is broken"
    )
    fetched = [p for p, _ in net.remote.fetches() if p.startswith(_path(ghost.id))]
    assert not fetched, f"B fetched {fetched} for an unknown actor that deleted itself"
    found = net.carol.search_v2(ghost.id, resolve=False)
    assert not found["accounts"], f"B now knows the deleted actor: {found['accounts']!r}"


# ---------------------------------------------------------------------------
# (c) Delete of a note before its Create
# ---------------------------------------------------------------------------


def _note(actor, note_id: str, text: str, to: str) -> dict:
    return {
        "id": note_id,
        "type": "Note",
        "attributedTo": actor.id,
        "content": f"<p>{text}</p>",
        "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "to": [to],
        "cc": [],
        "tag": [{"type": "Mention", "href": to, "name": "@carol"}],
    }


def _create(actor, note: dict) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": actor.activity_id("creates"),
        "type": "Create",
        "actor": actor.id,
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }


def test_delete_before_create_keeps_the_note_out(net):
    author = net.remote.new_actor()
    inbox = net.B.url("/inbox")
    marker = unique("dbc")
    x_id = author.id + "/notes/" + marker + "-x"
    y_id = author.id + "/notes/" + marker + "-y"
    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": author.activity_id("deletes"),
        "type": "Delete",
        "actor": author.id,
        "to": [net.carol_actor],
        "object": {"id": x_id, "type": "Tombstone"},
    }
    r = ra.send_activity(author, inbox, delete)
    assert r.status_code == 202, f"Delete(Tombstone {x_id}) answered {_describe(r)}"
    x = _note(author, x_id, f"deleted before it was created {marker}-x", net.carol_actor)
    y = _note(author, y_id, f"control, created only {marker}-y", net.carol_actor)
    for note in (x, y):
        r = ra.send_activity(author, inbox, _create(author, note))
        assert r.status_code == 202, f"Create({note['id']}) answered {_describe(r)}"

    def x_shows():
        home = net.carol.timeline_home(limit=40)
        return find_by_uri(home, x_id) or [s for s in home if f"{marker}-x" in (s.get("content") or "")]

    assert_never(
        x_shows,
        what=f"note {x_id}, deleted before its Create, in carol's home timeline",
        until=lambda: home_find(net.carol, y_id) is not None,
    )

    # Sent again under a new activity id: still not recreated.
    r = ra.send_activity(author, inbox, _create(author, x))
    assert r.status_code == 202, f"second Create({x_id}) answered {_describe(r)}"
    _inbox_worker_done(net)
    assert not x_shows(), f"note {x_id} was recreated by a second Create after its Delete"
    found = net.carol.search_v2(x_id, resolve=False)
    assert not found["statuses"], f"search finds the deleted note {x_id}: {found['statuses']!r}"


# ---------------------------------------------------------------------------
# (b) coopol admin account delete
# ---------------------------------------------------------------------------


def _create_of(req, uri):
    try:
        doc = req.json()
    except ValueError:
        return False
    obj = doc.get("object")
    return doc.get("type") == "Create" and isinstance(obj, dict) and obj.get("id") == uri


def test_admin_account_delete_reaches_followers(net):
    A, B = net.A, net.B
    alice_acct = A.acct("alice")
    alice_actor = A.actor_url("alice")
    ensure_following(net.bob, alice_acct)
    peer = net.remote.new_actor()  # a peer server's user following alice
    _follow(peer, alice_actor, A.url("/users/alice/inbox"))
    alice_key_pem = ra.fetch_public_key(alice_actor + "#main-key")[1]

    alice = A.api("alice")
    marker = unique("del")
    posts = [
        alice.status_post(f"public, to be deleted {marker}-public", visibility="public"),
        alice.status_post(f"followers-only, to be deleted {marker}-private", visibility="private"),
    ]
    copies = [
        wait_for(lambda st=st: home_find(net.bob, st["uri"]), what=f"alice's {st['visibility']} post in bob's home")
        for st in posts
    ]
    alice_on_b = copies[0]["account"]
    delivered = wait_for(
        lambda: next((q for q in net.remote.received() if _create_of(q, posts[0]["uri"])), None),
        what="A's delivery of alice's public post (Create) to the peer",
    )

    out = A.admin("account", "delete", "alice", "--yes").stdout
    assert "alice" in out, f"`coopol admin account delete alice --yes` printed {out!r}"

    # bob sees her posts disappear from B.
    def gone_from_b():
        for copy in copies:
            try:
                net.bob.status(copy["id"])
                return False
            except MastodonNotFoundError:
                pass
        home = net.bob.timeline_home(limit=40)
        return all(find_by_uri(home, st["uri"]) is None for st in posts)

    wait_for(gone_from_b, what="alice's posts on B to answer 404 and leave bob's home after her account was deleted")

    # Her account is gone from B: 404, or at least no posts.
    try:
        shown = net.bob.account_statuses(alice_on_b["id"], limit=40)
    except MastodonNotFoundError:
        shown = []
    assert not shown, f"B still shows alice's posts on her account: {[s['uri'] for s in shown]}"
    found = net.bob.search_v2("@" + alice_acct, resolve=True)
    assert not found["accounts"], f"B still finds {alice_acct}: {found['accounts']!r}"

    # A no longer serves her actor, her posts, nor her WebFinger; her token is dead.
    s = harness.http_session()
    for url in [alice_actor] + [st["uri"] for st in posts]:
        r = fetch_ap(url, s)
        assert r.status_code in (404, 410), f"A still serves {url} after the deletion: {_describe(r)}"
    r = s.get(A.url("/.well-known/webfinger"), params={"resource": f"acct:{alice_acct}"}, timeout=15)
    assert r.status_code in (404, 410), f"A's WebFinger still answers for {alice_acct}: {_describe(r)}"
    with pytest.raises(MastodonUnauthorizedError):
        alice.account_verify_credentials()

    # The peer that followed her was told, with a request signed by her key.
    def delete_person():
        for q in net.remote.received():
            doc = q.json()
            if doc.get("type") == "Delete" and _id(doc.get("object")) == alice_actor:
                return q
        return None

    req = wait_for(delete_person, what="a Delete of alice's actor at the peer that followed her")
    assert req.json().get("actor") == alice_actor
    params = ra.parse_signature_header(req.headers.get("signature", ""))
    assert params.get("keyId") == alice_actor + "#main-key", f"Delete(Person) signed with {params.get('keyId')!r}"
    try:
        ra.verify_request(req.method, req.path, req.headers, req.body, alice_key_pem, max_skew=3600)
    except ra.SignatureError as exc:
        pytest.fail(f"the Delete(Person) is not validly signed with alice's key: {exc}")

    # Her post does not come back on B: not by pasting its link into search...
    uri = posts[0]["uri"]
    found = net.bob.search_v2(uri, resolve=True)
    assert not found["statuses"], f"search with resolve brought back the deleted post {uri}: {found['statuses']!r}"
    # ...nor by replaying, byte for byte, the signed Create A delivered to the
    # peer (to the same /inbox path, Host header as signed).
    r = ra.replay(delivered, B.url("/inbox"))
    _inbox_worker_done(net)
    home = net.bob.timeline_home(limit=40)
    assert find_by_uri(home, uri) is None, (
        f"the replayed Create (answered {r.status_code}) brought alice's deleted post back into bob's home"
    )
    found = net.bob.search_v2(uri, resolve=False)
    assert not found["statuses"], (
        f"the replayed Create (answered {r.status_code}) brought alice's deleted post back on B"
    )
