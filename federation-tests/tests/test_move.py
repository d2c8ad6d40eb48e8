# SPDX-License-Identifier: AGPL-3.0-or-later
"""An actor moves to another instance, carrying its followers and its posts.

Five instances: S (the old home of ``org``), O (its new home, where ``org``
also exists), and A, B, C with 50 followers of org@S between them.  The
admins export org's archive on S, import it on O (which also declares the
alias), and move org@S to org@O with the admin CLI.  Every follower's server
then follows org@O by itself, with no human action; org's posts are on O.
Finally S's admin turns hostile and deletes org@S: the followers stay on O.

The mechanism is the same for groups (Group actors) and accounts; this module
moves an account, the group commands check the actor kind.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

import harness
from harness import (
    assert_never,
    collection_total,
    ensure_following,
    resolve_account,
    unique,
    wait_for,
)

CLUSTER = [["org"], ["org"], [], [], []]
FOLLOWERS = {0: 17, 1: 17, 2: 16}  # on A, B, C: 50 in all
MOVE_TIMEOUT = max(harness.DELIVERY_TIMEOUT * 4, 90.0)


def _make_followers(inst, count, prefix):
    names = [f"{prefix}{i}" for i in range(count)]
    for n in names:
        inst.create_user(n)
    return names


@pytest.fixture(scope="module")
def net(cluster, tmp_path_factory):
    S, O, A, B, C = cluster
    marker = unique("move")
    org = S.api("org")
    posts = [
        org.status_post(f"first public post {marker}-1 #moving", visibility="public"),
        org.status_post(f"an unlisted post {marker}-2", visibility="unlisted"),
        org.status_post(f"for followers only {marker}-3", visibility="private"),
    ]
    followers_of = {A: [], B: [], C: []}
    with ThreadPoolExecutor(max_workers=3) as pool:
        made = {
            inst: pool.submit(_make_followers, inst, FOLLOWERS[i], f"f{'abc'[i]}")
            for i, inst in enumerate((A, B, C))
        }
        for inst, fut in made.items():
            followers_of[inst] = fut.result()

    def follow_all(inst):
        for n in followers_of[inst]:
            ensure_following(inst.api(n), S.acct("org"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        for fut in [pool.submit(follow_all, inst) for inst in (A, B, C)]:
            fut.result()
    return SimpleNamespace(
        S=S, O=O, A=A, B=B, C=C, marker=marker, posts=posts, followers_of=followers_of,
        workdir=tmp_path_factory.mktemp("archive"),
    )


def _followers(inst):
    return collection_total(inst.actor_url("org") + "/followers")


def test_fifty_followers_on_three_instances(net):
    assert wait_for(lambda: _followers(net.S) == 50, what="50 accepted followers of org@S")


def test_export_import_alias_and_move(net):
    archive = net.workdir / "org.json"
    out = net.S.admin("account", "export", "org", "--out", str(archive)).stdout
    assert "3 posts" in out and "50 followers" in out, out
    data = json.loads(archive.read_text())
    assert data["format"] == "coopol-archive" and data["version"] == 1
    assert data["actor"]["id"] == net.S.actor_url("org")
    assert len(data["followers"]) == 50

    out = net.O.admin("account", "import", str(archive)).stdout
    assert "3 posts" in out, out
    # Importing again adds nothing.
    again = net.O.admin("account", "import", str(archive)).stdout
    assert "0 posts (3 already there)" in again, again
    # The alias was recorded by the import; the explicit command is idempotent.
    net.O.admin("account", "alias", "org", "--add", net.S.acct("org"))
    doc = harness.fetch_ap(net.O.actor_url("org")).json()
    assert doc.get("alsoKnownAs") == [net.S.actor_url("org")], doc

    # A group command refuses a Person.
    with pytest.raises(RuntimeError, match="no local group named org"):
        net.S.admin("group", "move", "org", "--to", net.O.acct("org"))

    out = net.S.admin("account", "move", "org", "--to", net.O.acct("org")).stdout
    assert net.O.actor_url("org") in out, out
    doc = harness.fetch_ap(net.S.actor_url("org")).json()
    assert doc.get("movedTo") == net.O.actor_url("org"), doc


def test_followers_end_on_the_new_actor(net):
    # At least 99% of 50 follows: all of them.
    wait_for(lambda: _followers(net.O) >= 50, timeout=MOVE_TIMEOUT, what="50 followers of org@O")
    wait_for(lambda: _followers(net.S) == 0, timeout=MOVE_TIMEOUT, what="org@S to lose its followers")
    moved = 0
    for inst in (net.A, net.B, net.C):
        names = net.followers_of[inst]
        new_id = resolve_account(inst.api(names[0]), net.O.acct("org"))["id"]
        for n in names:
            rel = inst.api(n).account_relationships([new_id])[0]
            moved += bool(rel["following"])
        # Mastodon clients see where the old account went.
        old = resolve_account(inst.api(names[0]), net.S.acct("org"))
        assert old.get("moved") and old["moved"]["acct"] == net.O.acct("org"), old.get("moved")
    assert moved >= 50 * 0.99, f"only {moved} of 50 followers follow org@O"


def test_posts_are_on_the_new_instance(net):
    org_o = net.O.api("org")
    me = org_o.account_verify_credentials()
    statuses = org_o.account_statuses(me["id"], limit=40)
    texts = [s["content"] for s in statuses]
    for i, original in enumerate(net.posts, start=1):
        # The HTML is sanitised again on import: compare by the post's own marker.
        copy = next((s for s in statuses if f"{net.marker}-{i}<" in s["content"]
                     or f"{net.marker}-{i} " in s["content"]), None)
        assert copy, f"{original['content']!r} not among {list(texts)}"
        assert copy["visibility"] == original["visibility"]
        assert copy["created_at"] == original["created_at"], (copy["created_at"], original["created_at"])
        assert copy["uri"].startswith(net.O.base_url), copy["uri"]


def test_a_hostile_old_admin_cannot_take_the_followers_back(net):
    # The old admin deletes org@S after the move: its servers' follows stay on org@O.
    net.S.admin("account", "delete", "org", "--yes")
    assert_never(
        lambda: _followers(net.O) < 50,
        what="followers of org@O dropping after the old admin deleted org@S",
        until=lambda: harness.fetch_ap(net.S.actor_url("org")).status_code != 200,
    )
    api = net.A.api(net.followers_of[net.A][0])
    new_id = resolve_account(api, net.O.acct("org"))["id"]
    assert api.account_relationships([new_id])[0]["following"]


def test_a_bad_archive_is_refused_with_a_clear_message(net):
    bad = net.workdir / "bad.json"
    bad.write_text(json.dumps({"format": "coopol-archive", "version": 99}))
    with pytest.raises(RuntimeError, match="not a coopol archive|not supported"):
        net.O.admin("account", "import", str(bad))


def test_a_group_moves_and_its_members_rejoin_without_approval(cluster, tmp_path):
    """A Group on S moves to a Group on O that approves members by hand: the members
    listed in the archive are accepted at once, with no moderator action."""
    S, O, A, B, C = cluster
    S.create_user("gadmin")
    O.create_user("gadmin")
    S.admin("group", "create", "club", "--admin", "gadmin")
    O.admin("group", "create", "club", "--admin", "gadmin", "--join-mode", "approval")
    joiners = []
    for inst in (A, B, C):
        name = "j" + unique("x").split("-")[1][:6]
        inst.create_user(name)
        ensure_following(inst.api(name), S.acct("club"))
        joiners.append((inst, name))

    archive = tmp_path / "club.json"
    out = S.admin("group", "export", "club", "--out", str(archive)).stdout
    data = json.loads(archive.read_text())
    assert data["actor"]["type"] == "Group", data["actor"]
    member_ids = {m["id"] for m in data["members"]}
    for inst, name in joiners:
        assert inst.actor_url(name) in member_ids, (name, data["members"])
    # An account command refuses a group archive, with a clear message.
    with pytest.raises(RuntimeError, match="archive of a group"):
        O.admin("account", "import", str(archive))
    O.admin("group", "import", str(archive))
    out = S.admin("group", "move", "club", "--to", O.acct("club")).stdout
    assert O.actor_url("club") in out, out

    for inst, name in joiners:
        api = inst.api(name)
        new_id = resolve_account(api, O.acct("club"))["id"]
        wait_for(
            lambda: api.account_relationships([new_id])[0]["following"],
            timeout=MOVE_TIMEOUT,
            what=f"{name}@{inst.domain} to be a member of club@O (approval mode, listed in the archive)",
        )
