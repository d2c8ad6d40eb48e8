# SPDX-License-Identifier: AGPL-3.0-or-later
"""The client API of statuses through Mastodon.py, across two instances.

alice and dora on A, bob on B.  An edit reaches the other instance with its
history; a thread is one context on both sides; 100 statuses page through
``Link`` headers with ``fetch_next``/``fetch_remaining``; a locked account
answers a remote follow request.
"""

from types import SimpleNamespace

import pytest

from harness import ensure_following, fetch_ap, home_find, resolve_account, unique, wait_for

CLUSTER = [["alice", "dora"], ["bob"]]


@pytest.fixture(scope="module")
def net(cluster):
    A, B = cluster
    return SimpleNamespace(
        A=A,
        B=B,
        alice=A.api("alice"),
        dora=A.api("dora"),
        bob=B.api("bob"),
        alice_acct=A.acct("alice"),
        dora_acct=A.acct("dora"),
        bob_acct=B.acct("bob"),
    )


def test_an_edit_reaches_the_other_instance_with_its_history(net):
    ensure_following(net.bob, net.alice_acct)
    marker = unique("edit")
    st = net.alice.status_post(f"first version {marker}")
    copy = wait_for(lambda: home_find(net.bob, st["uri"]), what="alice's post on B")
    assert "first version" in copy["content"]

    edited = net.alice.status_update(st["id"], status=f"second version {marker}", spoiler_text="cw")
    assert edited["edited_at"], edited
    assert net.alice.status_source(st["id"])["text"] == f"second version {marker}"
    assert len(net.alice.status_history(st["id"])) == 2

    def updated_on_b():
        s = net.bob.status(copy["id"])
        return s if "second version" in s["content"] else None

    s = wait_for(updated_on_b, what="the edit of alice's post on B")
    assert s["spoiler_text"] == "cw", s
    assert s["edited_at"], s
    history = net.bob.status_history(copy["id"])
    assert [("first version" in h["content"], "second version" in h["content"]) for h in history] == [
        (True, False),
        (False, True),
    ], history


def test_a_thread_is_one_context_on_both_instances(net):
    ensure_following(net.bob, net.alice_acct)
    root = net.alice.status_post(f"root of a thread {unique('ctx')}")
    root_on_b = wait_for(lambda: home_find(net.bob, root["uri"]), what="the root on B")
    reply = net.bob.status_post(f"@{net.alice_acct} a reply from B", in_reply_to_id=root_on_b["id"])

    ctx_b = net.bob.status_context(reply["id"])
    assert [s["uri"] for s in ctx_b["ancestors"]] == [root["uri"]], ctx_b

    def reply_below_root_on_a():
        ctx = net.alice.status_context(root["id"])
        return [s for s in ctx["descendants"] if s["uri"] == reply["uri"]]

    found = wait_for(reply_below_root_on_a, what="bob's reply in the context of alice's post on A")
    reply_on_a = found[0]
    assert reply_on_a["in_reply_to_id"] == root["id"]
    ctx_a = net.alice.status_context(reply_on_a["id"])
    assert [s["id"] for s in ctx_a["ancestors"]] == [root["id"]], ctx_a


def test_one_hundred_statuses_page_through_link_headers(net):
    marker = unique("page")
    posted = [net.dora.status_post(f"{marker} number {n}")["id"] for n in range(100)]
    me = net.dora.account_verify_credentials()
    first = net.dora.account_statuses(me["id"], limit=40)
    assert len(first) == 40
    second = net.dora.fetch_next(first)
    assert second is not None and len(second) == 40, "fetch_next follows the Link header"
    assert int(second[0]["id"]) < int(first[-1]["id"])
    everything = net.dora.fetch_remaining(first)
    ids = [s["id"] for s in everything]
    assert len(ids) == len(set(ids)), "no status twice across pages"
    assert [int(i) for i in ids] == sorted((int(i) for i in ids), reverse=True), "newest first"
    assert set(posted) <= set(ids), f"{len(set(posted) - set(ids))} statuses never came"
    # The public timeline pages the same way.
    local = net.dora.fetch_remaining(net.dora.timeline_public(local=True, limit=40))
    assert set(posted) <= {s["id"] for s in local}


def test_a_locked_account_answers_a_remote_follow_request(net):
    me = net.dora.account_update_credentials(locked=True, note="Sur demande")
    assert me["locked"] is True
    dora_on_b = resolve_account(net.bob, net.dora_acct)
    rel = net.bob.account_follow(dora_on_b["id"])
    assert rel["requested"] is True and rel["following"] is False, rel

    bob_on_a = wait_for(
        lambda: [a for a in net.dora.follow_requests() if a["acct"] == net.bob_acct],
        what="bob's follow request on A",
    )[0]
    rel = net.dora.follow_request_authorize(bob_on_a["id"])
    assert rel["followed_by"] is True, rel
    wait_for(
        lambda: net.bob.account_relationships(dora_on_b["id"])[0]["following"],
        what="bob's follow of dora to be accepted on B",
    )
    post = net.dora.status_post(f"for my followers {unique('locked')}", visibility="private")
    wait_for(lambda: home_find(net.bob, post["uri"]), what="dora's followers-only post on B")


def test_pinned_posts_are_the_featured_collection(net):
    post = net.alice.status_post(f"pinned {unique('pin')}")
    hidden = net.alice.status_post(f"followers only {unique('pin')}", visibility="private")
    assert net.alice.status_pin(post["id"])["pinned"] is True
    net.alice.status_pin(hidden["id"])
    me = net.alice.account_verify_credentials()
    assert post["id"] in [s["id"] for s in net.alice.account_statuses(me["id"], pinned=True)]

    actor = fetch_ap(net.A.actor_url("alice")).json()
    featured = fetch_ap(actor["featured"])
    assert featured.status_code == 200, featured.text
    items = [n["id"] for n in featured.json()["orderedItems"]]
    assert post["uri"] in items, items
    assert hidden["uri"] not in items, "a followers-only post is not served to anyone"
    net.alice.status_unpin(post["id"])
    items = [n["id"] for n in fetch_ap(actor["featured"]).json()["orderedItems"]]
    assert post["uri"] not in items


def test_a_profile_update_reaches_followers_servers(net):
    ensure_following(net.bob, net.alice_acct)
    name = f"Alice {unique('n')}"
    me = net.alice.account_update_credentials(
        display_name=name, note="Militante", fields=[("Site", "https://a.example/")]
    )
    assert me["display_name"] == name and me["fields"][0]["name"] == "Site", me
    alice_on_b = resolve_account(net.bob, net.alice_acct)

    def updated_on_b():
        a = net.bob.account(alice_on_b["id"])
        return a if a["display_name"] == name else None

    a = wait_for(updated_on_b, what="alice's new profile on B (Update of the actor)")
    assert [f["name"] for f in a["fields"]] == ["Site"], a["fields"]
    assert 'href="https://a.example/"' in a["fields"][0]["value"], a["fields"]
