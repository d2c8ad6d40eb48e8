# SPDX-License-Identifier: AGPL-3.0-or-later
"""Personal lists with Mastodon.py: alice@A keeps a list with bob@B in it and
not carol@C; the list timeline shows bob's posts only."""

from types import SimpleNamespace

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from harness import ensure_following, find_by_uri, home_find, unique, wait_for

CLUSTER = [["alice"], ["bob"], ["carol"]]


@pytest.fixture(scope="module")
def net(cluster):
    A, B, C = cluster
    return SimpleNamespace(A=A, alice=A.api("alice"), bob=B.api("bob"), carol=C.api("carol"),
                           bob_acct=B.acct("bob"), carol_acct=C.acct("carol"))


def test_a_list_of_remote_accounts_and_its_timeline(net):
    bob = ensure_following(net.alice, net.bob_acct)
    carol = ensure_following(net.alice, net.carol_acct)
    lst = net.alice.list_create("Militants " + unique("l"))
    assert lst["replies_policy"] == "list"
    net.alice.list_accounts_add(lst["id"], [bob["id"]])
    assert [a["acct"] for a in net.alice.list_accounts(lst["id"])] == [net.bob_acct]
    assert [l["id"] for l in net.alice.account_lists(bob["id"])] == [lst["id"]]

    from_bob = net.bob.status_post(unique("list") + " de bob")
    from_carol = net.carol.status_post(unique("list") + " de carol")
    wait_for(lambda: find_by_uri(net.alice.timeline_list(lst["id"]), from_bob["uri"]), what="bob's post in the list")
    wait_for(lambda: home_find(net.alice, from_carol["uri"]), what="carol's post at home")
    assert find_by_uri(net.alice.timeline_list(lst["id"]), from_carol["uri"]) is None

    renamed = net.alice.list_update(lst["id"], title="Sympathisants")
    assert renamed["title"] == "Sympathisants"
    assert [l["title"] for l in net.alice.lists()] == ["Sympathisants"]

    net.alice.list_accounts_delete(lst["id"], [bob["id"]])
    assert net.alice.list_accounts(lst["id"]) == []
    net.alice.list_delete(lst["id"])
    with pytest.raises(MastodonNotFoundError):
        net.alice.list(lst["id"])
    assert carol["acct"] == net.carol_acct


def test_only_followed_accounts_join_a_list(net):
    lst = net.alice.list_create("Refus")
    stranger = net.alice.search_v2("@" + net.carol_acct, resolve=True)["accounts"][0]
    net.alice.account_unfollow(stranger["id"])
    with pytest.raises(MastodonAPIError) as err:
        net.alice.list_accounts_add(lst["id"], [stranger["id"]])
    assert "follow" in str(err.value)
    net.alice.list_delete(lst["id"])
