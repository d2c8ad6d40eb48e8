# SPDX-License-Identifier: AGPL-3.0-or-later
"""Notifications from another instance, read with Mastodon.py as an app would.

bob@B follows alice@A, favourites, boosts and mentions her: alice gets one
notification of each kind, filtered, dismissed and cleared through the API.
"""

from types import SimpleNamespace

import pytest

from harness import ensure_following, resolve_account, unique, wait_for

CLUSTER = [["alice"], ["bob"]]


@pytest.fixture(scope="module")
def net(cluster):
    A, B = cluster
    return SimpleNamespace(A=A, B=B, alice=A.api("alice"), bob=B.api("bob"), alice_acct=A.acct("alice"),
                           bob_acct=B.acct("bob"))


def _kinds(api, **kw):
    return sorted(n["type"] for n in api.notifications(**kw))


def test_remote_follow_favourite_boost_and_mention_notify(net):
    net.alice.notifications_clear()
    ensure_following(net.bob, net.alice_acct)
    wait_for(lambda: "follow" in _kinds(net.alice), what="alice's follow notification")
    follow = [n for n in net.alice.notifications() if n["type"] == "follow"][0]
    assert follow["account"]["acct"] == net.bob_acct

    post = net.alice.status_post(unique("notif") + " public")
    found = wait_for(lambda: net.bob.search_v2(post["uri"], resolve=True)["statuses"], what="bob sees alice's post")
    remote_id = found[0]["id"]
    net.bob.status_favourite(remote_id)
    net.bob.status_favourite(remote_id)  # a second time: still one notification
    net.bob.status_reblog(remote_id)
    net.bob.status_post(f"@{net.alice_acct} {unique('mention')}")

    wait_for(lambda: _kinds(net.alice) == ["favourite", "follow", "mention", "reblog"],
             what="favourite, follow, mention and reblog notifications, once each")
    by_kind = {n["type"]: n for n in net.alice.notifications()}
    assert by_kind["favourite"]["status"]["id"] == post["id"]
    assert by_kind["reblog"]["status"]["id"] == post["id"]
    assert by_kind["mention"]["account"]["acct"] == net.bob_acct
    assert net.alice.notifications(types=["mention"])[0]["type"] == "mention"
    assert "favourite" not in _kinds(net.alice, exclude_types=["favourite"])
    assert net.alice.notifications(id=by_kind["follow"]["id"])["type"] == "follow"

    net.alice.notifications_dismiss(by_kind["reblog"]["id"])
    assert _kinds(net.alice) == ["favourite", "follow", "mention"]
    net.alice.notifications_clear()
    assert net.alice.notifications() == []
    # Bob's side is untouched: he was notified of nothing.
    assert net.bob.notifications() == []


def test_unread_count_follows_the_marker(net):
    net.alice.notifications_clear()
    account = resolve_account(net.bob, net.alice_acct)
    for _ in range(2):
        net.bob.status_post(f"@{net.alice_acct} {unique('count')}")
    wait_for(lambda: len(net.alice.notifications()) == 2, what="two mentions")
    newest = net.alice.notifications()[0]
    assert account["acct"] == net.alice_acct
    count = net.alice.session.get(net.A.url("/api/v1/notifications/unread_count"),
                                  headers={"Authorization": f"Bearer {net.A.token('alice')}"}).json()["count"]
    assert count >= 2
    net.alice.markers_set(["notifications"], [newest["id"]])
    assert net.alice.markers_get(["notifications"])["notifications"]["last_read_id"] == newest["id"]
    count = net.alice.session.get(net.A.url("/api/v1/notifications/unread_count"),
                                  headers={"Authorization": f"Bearer {net.A.token('alice')}"}).json()["count"]
    assert count == 0
