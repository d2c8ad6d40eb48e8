# SPDX-License-Identifier: AGPL-3.0-or-later
"""Groups as federated actors (FEP-1b12), across four instances.

S is a section's instance (its secretary is the admin; mia administers groups
there), O is an off-grid instance (olga), A and B are where alice and bob live.
People follow groups from their own instance with Mastodon.py, members post by
mentioning the group, and the group announces their posts to its followers.
"""

import struct
import zlib
from types import SimpleNamespace

import pytest
from mastodon import MastodonNotFoundError

import remote_actor as ra
from harness import (
    assert_never,
    ensure_following,
    fetch_ap,
    http_session,
    resolve_account,
    unique,
    wait_for,
)

CLUSTER = [["mia", "nina"], ["olga"], ["alice"], ["bob"]]


class Coopol:
    """coopol's own group endpoints (/api/v1/coopol/groups), as one user."""

    def __init__(self, inst, user):
        self.inst = inst
        self.session = http_session()
        self.session.headers["Authorization"] = f"Bearer {inst.token(user)}"

    def call(self, method, path, expect=200, **data):
        r = self.session.request(method, self.inst.url("/api/v1/coopol/groups" + path), data=data or None, timeout=30)
        assert r.status_code == expect, f"{method} {path} answered {r.status_code}: {r.text[:300]}"
        return r.json()


@pytest.fixture(scope="module")
def net(cluster):
    S, O, A, B = cluster
    return SimpleNamespace(
        S=S,
        O=O,
        A=A,
        B=B,
        mia=S.api("mia"),
        nina=S.api("nina"),
        olga=O.api("olga"),
        alice=A.api("alice"),
        bob=B.api("bob"),
        mia_groups=Coopol(S, "mia"),
        olga_groups=Coopol(O, "olga"),
    )


def reblog_of(api, uri):
    """The boost of the post `uri` in `api`'s home timeline, if any."""
    for s in api.timeline_home(limit=40):
        if s.get("reblog") and s["reblog"].get("uri") == uri:
            return s
    return None


def group_post_arrives(api, group_acct, uri, what):
    found = wait_for(lambda: reblog_of(api, uri), what=what)
    # Local viewers see the group's acct without a domain, as Mastodon shows local accounts.
    acct = found["account"]["acct"]
    assert acct in (group_acct, group_acct.split("@")[0]), f"the boost should be the group's, not {acct!r}"
    assert found["account"]["group"] is True
    return found


def local_group_id(groups, name):
    return next(g["id"] for g in groups.call("GET", "") if g["account"]["username"] == name)


def make_group(inst, name, admin, *extra):
    res = inst.admin("group", "create", name, "--admin", admin, *extra)
    assert f"!{name}@{inst.domain}" in res.stdout, res.stdout


@pytest.fixture(scope="module")
def greens(net):
    """An open public group on S, followed by alice (A) and bob (B)."""
    make_group(net.S, "greens", "mia")
    acct = net.S.acct("greens")
    group_a = ensure_following(net.alice, acct)
    ensure_following(net.bob, acct)
    return SimpleNamespace(acct=acct, on_a=group_a)


def test_a_group_is_a_group_actor_found_both_ways(net, greens):
    assert greens.on_a["group"] is True
    for resource in (f"acct:!greens@{net.S.domain}", f"acct:greens@{net.S.domain}"):
        r = http_session().get(net.S.url("/.well-known/webfinger"), params={"resource": resource}, timeout=15)
        assert r.status_code == 200, (resource, r.status_code, r.text[:200])
        assert r.json()["subject"] == f"acct:greens@{net.S.domain}"
    doc = fetch_ap(net.S.actor_url("greens")).json()
    assert doc["type"] == "Group"
    for key in ("inbox", "outbox", "followers", "members", "moderators"):
        assert doc[key].startswith(net.S.base_url), key
    # Moderators are listed (other servers need them); members are only counted.
    mods = fetch_ap(doc["moderators"]).json()
    assert mods["orderedItems"] == [net.S.actor_url("mia")]
    members = fetch_ap(doc["members"]).json()
    assert members["totalItems"] == 3  # mia, alice, bob
    assert "orderedItems" not in members and "items" not in members


def png(width: int, height: int) -> bytes:
    """A real RGB PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(bytes((x % 256, y % 256, 90)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_the_group_admin_sets_an_avatar_and_rules_that_followers_elsewhere_see(net, greens):
    gid = local_group_id(net.mia_groups, "greens")
    url = net.S.url(f"/api/v1/coopol/groups/{gid}")
    # nina is not the group's admin: refused.
    nina = Coopol(net.S, "nina")
    r = nina.session.patch(url, data={"rules": "mine"}, timeout=30)
    assert r.status_code == 403, r.text[:300]
    r = net.mia_groups.session.patch(
        url,
        data={"description": "Ecology in our town", "rules": "Be kind.\nNo ads."},
        files={"avatar": ("logo.png", png(500, 300), "image/png")},
        timeout=30,
    )
    assert r.status_code == 200, r.text[:300]
    group = r.json()
    avatar = group["account"]["avatar"]
    assert avatar.startswith(net.S.url("/")), avatar
    assert group["rules"] == "Be kind.\nNo ads."
    doc = fetch_ap(net.S.actor_url("greens")).json()
    assert doc["icon"] == {"type": "Image", "mediaType": "image/jpeg", "url": avatar}
    assert doc["rules"] == "Be kind.\nNo ads."
    assert doc["summary"] == "<p>Ecology in our town</p><hr><p>Be kind.</p><p>No ads.</p>"
    # The Update of the group reaches bob's server, which shows the new avatar and description.
    group_on_b = resolve_account(net.bob, greens.acct)
    # The account's row and its images are read by separate statements, so one read may fall
    # between two writes: wait until B shows both.
    seen = wait_for(
        lambda: (lambda a: a if a["avatar"] == avatar and "No ads." in a["note"] else None)(
            net.bob.account(group_on_b["id"])
        ),
        what="the group's new avatar and rules on B",
    )
    assert "Ecology in our town" in seen["note"], seen["note"]


def test_followers_on_other_servers_see_the_posts_the_group_announces(net, greens):
    text = f"@{greens.acct} {unique('to-the-group')}"
    post = net.alice.status_post(text, visibility="public")
    group_post_arrives(net.bob, greens.acct, post["uri"], "bob (B) to see the group's boost of alice's post")
    group_post_arrives(net.mia, greens.acct, post["uri"], "mia (S, local) to see the group's boost")
    # A reply in the thread is announced too, without mentioning the group.
    original_on_b = reblog_of(net.bob, post["uri"])["reblog"]
    reply = net.bob.status_post(f"{unique('reply')}", in_reply_to_id=original_on_b["id"], visibility="public")
    group_post_arrives(net.mia, greens.acct, reply["uri"], "mia to see the group's boost of bob's reply")


def test_edits_and_deletion_reach_the_groups_followers_who_do_not_follow_the_author(net, greens):
    """berenice (B) follows greens, not mia: she holds the group's boost of mia's post, and the
    edit and then the deletion of that post reach her all the same."""
    net.B.create_user("berenice")
    berenice = net.B.api("berenice")
    ensure_following(berenice, greens.acct)
    post = net.mia.status_post(f"@{greens.acct} {unique('avant')}", visibility="public")
    boost = group_post_arrives(berenice, greens.acct, post["uri"], "berenice (B) to see the group's boost")
    on_b = boost["reblog"]["id"]

    edited = unique("après")
    net.mia.status_update(post["id"], status=f"@{greens.acct} {edited}")
    wait_for(lambda: edited in berenice.status(on_b)["content"], what="the edit to reach berenice's copy (B)")

    net.mia.status_delete(post["id"])

    def gone():
        try:
            berenice.status(on_b)
            return False
        except MastodonNotFoundError:
            return True

    wait_for(gone, what="the deletion to reach berenice's server (B)")
    assert reblog_of(berenice, post["uri"]) is None


def test_a_lemmy_server_following_a_group_gets_its_posts_as_lemmy_reads_them(net, greens):
    """Lemmy reads a group's post only as Announce(Create(Page)) and never fetches an announced
    id. A Python server whose NodeInfo says "lemmy" follows greens: mia's post reaches it in that
    shape, signed by the group, while bob's coopol server (B) still sees the group's boost."""
    group_url = net.S.actor_url("greens")
    group_doc = fetch_ap(group_url).json()
    with ra.RemoteServer() as lemmy:
        lemmy.software = "lemmy"
        dom = lemmy.new_actor("dom")
        r = ra.send_activity(dom, group_doc["inbox"], dom.follow(group_url))
        assert r.status_code in (200, 202), r.text
        wait_for(lambda: any(q.json().get("type") == "Accept" for q in dom.received()),
                 what="the group's Accept at the Lemmy server")

        title = unique("Réunion jeudi")
        post = net.mia.status_post(f"@{greens.acct} {title}\n\nSalle des fêtes, 19 h", visibility="public")

        def announced():
            for q in lemmy.received():
                a = q.json()
                if a.get("type") == "Announce" and isinstance(a.get("object"), dict):
                    if a["object"].get("object", {}).get("id") == post["uri"]:
                        return q
            return None

        q = wait_for(announced, what="Announce(Create(Page)) of mia's post at the Lemmy server")
        ra.verify_request(q.method, q.path, q.headers, q.body, group_doc["publicKey"]["publicKeyPem"])
        a = q.json()
        assert a["actor"] == group_url
        create, page = a["object"], a["object"]["object"]
        assert create["type"] == "Create" and create["actor"] == net.S.actor_url("mia")
        assert page["type"] == "Page" and page["audience"] == group_url
        assert page["name"].startswith(title.split()[0]) and title in page["name"], page["name"]
        assert "Salle des fêtes" in page["content"]
        # Only that shape: an Announce of the bare id would be refused by Lemmy anyway.
        assert not any(r.json().get("object") == post["uri"] for r in lemmy.received())
        group_post_arrives(net.bob, greens.acct, post["uri"], "bob (B, coopol) to see the group's boost")


def test_someone_who_does_not_follow_the_group_cannot_post_to_it(net, greens):
    post = net.olga.status_post(f"@{greens.acct} {unique('outsider')}", visibility="public")
    assert_never(lambda: reblog_of(net.mia, post["uri"]), what="the group announcing a non-member's post")


def test_approval_flow(net):
    make_group(net.S, "council", "mia", "--join-mode", "approval")
    acct = net.S.acct("council")
    group_id = local_group_id(net.mia_groups, "council")
    on_b = resolve_account(net.bob, acct)
    on_a = resolve_account(net.alice, acct)
    assert net.bob.account_follow(on_b["id"])["requested"] is True
    assert net.alice.account_follow(on_a["id"])["requested"] is True

    def pending():
        people = net.mia_groups.call("GET", f"/{group_id}/members")
        return {p["account"]["acct"]: p["account"]["id"] for p in people if p["pending"]}

    waiting = wait_for(lambda: len(pending()) == 2 and pending(), what="both requests pending at S")
    # Member lists are never public: nina (not a member) may not read them.
    Coopol(net.S, "nina").call("GET", f"/{group_id}/members", expect=403)
    net.mia_groups.call("POST", f"/{group_id}/requests/{waiting[net.B.acct('bob')]}/accept")
    net.mia_groups.call("POST", f"/{group_id}/requests/{waiting[net.A.acct('alice')]}/reject")
    wait_for(
        lambda: net.bob.account_relationships([on_b["id"]])[0]["following"],
        what="bob's follow of the group to be accepted",
    )
    wait_for(
        lambda: not net.alice.account_relationships([on_a["id"]])[0]["requested"],
        what="alice's request to be rejected",
    )
    assert not net.alice.account_relationships([on_a["id"]])[0]["following"]
    log = net.mia_groups.call("GET", f"/{group_id}/moderation_log")
    assert [e["action"] for e in log][:2] == ["reject_member", "accept_member"]


def test_moderator_removal_propagates(net, greens):
    post = net.alice.status_post(f"@{greens.acct} {unique('to-remove')}", visibility="public")
    group_post_arrives(net.bob, greens.acct, post["uri"], "bob to see the boost before its removal")
    on_s = group_post_arrives(net.mia, greens.acct, post["uri"], "mia to see it at S")
    group_id = local_group_id(net.mia_groups, "greens")
    net.mia_groups.call("POST", f"/{group_id}/statuses/{on_s['reblog']['id']}/remove", reason="off topic")
    wait_for(lambda: reblog_of(net.bob, post["uri"]) is None, what="the removal to reach bob (B)")
    assert reblog_of(net.mia, post["uri"]) is None
    # Members read the moderation log; it says what was removed and why.
    entry = net.mia_groups.call("GET", f"/{group_id}/moderation_log")[0]
    assert entry["action"] == "remove_post" and entry["target_uri"] == post["uri"]
    assert entry["reason"] == "off topic"


def test_banned_member_is_blocked_and_no_longer_announced(net, greens):
    group_id = local_group_id(net.mia_groups, "greens")
    bob_on_s = resolve_account(net.mia, net.B.acct("bob"))
    net.mia_groups.call("POST", "/{}/bans".format(group_id), account_id=bob_on_s["id"], reason="spam")
    group_on_b = resolve_account(net.bob, greens.acct)
    wait_for(
        lambda: not net.bob.account_relationships([group_on_b["id"]])[0]["following"],
        what="bob's server to drop his follow after the group's Block",
    )
    post = net.bob.status_post(f"@{greens.acct} {unique('banned')}", visibility="public")
    assert_never(lambda: reblog_of(net.mia, post["uri"]), what="the group announcing a banned account's post")


def test_private_invite_only_group_keeps_its_posts_to_itself(net):
    make_group(net.S, "cell", "mia", "--join-mode", "invite", "--private")
    acct = net.S.acct("cell")
    on_a = resolve_account(net.alice, acct)
    net.alice.account_follow(on_a["id"])
    wait_for(
        lambda: not net.alice.account_relationships([on_a["id"]])[0]["requested"],
        what="alice's uninvited follow to be rejected",
    )
    assert not net.alice.account_relationships([on_a["id"]])[0]["following"]
    # bob follows mia, the author: a private group's post must still never reach him.
    ensure_following(net.bob, net.S.acct("mia"))
    post = net.mia.status_post(f"@{acct} {unique('private')}", visibility="direct")
    status_url = post["uri"]
    for anonymous_fetch in (fetch_ap(status_url), fetch_ap(status_url + "/activity")):
        assert anonymous_fetch.status_code == 404, anonymous_fetch.text[:200]
    assert_never(
        lambda: reblog_of(net.alice, post["uri"]) or reblog_of(net.bob, post["uri"]),
        what="a private group's post reaching non-members",
    )
    # Nothing of it is public at S either.
    assert all(s["uri"] != post["uri"] for s in net.S.api().timeline_public(limit=40))


def test_a_private_group_reaches_its_remote_members_and_nobody_else(net, remote):
    """circle: private, invite-only, on S. alice (A) is invited and joins; nadia (A) follows mia,
    the author, but not the group; bob (B) joined and was banned. mia's post to circle reaches
    alice only, as a followers-only post, and its URI answers 404 to anyone else."""
    make_group(net.S, "circle", "mia", "--join-mode", "invite", "--private")
    acct = net.S.acct("circle")
    group_id = local_group_id(net.mia_groups, "circle")
    net.A.create_user("nadia")
    nadia = net.A.api("nadia")
    for member in (net.A.acct("alice"), net.B.acct("bob")):
        on_s = resolve_account(net.mia, member)
        net.mia_groups.call("POST", f"/{group_id}/invitations", account_id=on_s["id"])
    ensure_following(net.alice, acct)
    group_on_b = ensure_following(net.bob, acct)
    bob_on_s = resolve_account(net.mia, net.B.acct("bob"))
    net.mia_groups.call("POST", f"/{group_id}/bans", account_id=bob_on_s["id"], reason="leaks")
    wait_for(
        lambda: not net.bob.account_relationships([group_on_b["id"]])[0]["following"],
        what="bob's server to drop his follow after the group's Block",
    )
    ensure_following(nadia, net.S.acct("mia"))

    marker = unique("circle")
    post = net.mia.status_post(f"@{acct} {marker}", visibility="direct")
    uri = post["uri"]
    seen = group_post_arrives(net.alice, acct, uri, "alice (A), a remote member, to receive circle's post")
    assert marker in seen["reblog"]["content"]
    assert seen["visibility"] == "private" and seen["reblog"]["visibility"] == "private", seen
    # alice opens it on her own server, as any post she may read.
    opened = net.alice.status(seen["reblog"]["id"])
    assert opened["uri"] == uri and opened["visibility"] == "private"
    on_a_id = seen["reblog"]["id"]

    def leaked():
        for api, who in ((nadia, "nadia"), (net.bob, "bob")):
            if reblog_of(api, uri) or any(s["uri"] == uri for s in api.timeline_home(limit=40)):
                return f"{who}'s home timeline"
        for local in (True, False):
            if any(s["uri"] == uri for s in net.A.api().timeline_public(limit=40, local=local)):
                return "A's public timelines"
        if nadia.search_v2(uri, resolve=True)["statuses"]:
            return "nadia's search by URL"
        return None

    assert_never(leaked, what="circle's post reaching a non-member or a banned member")
    with pytest.raises(MastodonNotFoundError):
        nadia.status(on_a_id)
    # At the origin: unsigned, or signed by someone who is not a member, it does not exist.
    stranger = remote.new_actor()
    for url in (uri, uri + "/activity"):
        assert fetch_ap(url).status_code == 404, url
        r = ra.signed_get(stranger, url)
        assert r.status_code == 404, (url, r.status_code, r.text[:200])
    # mia deletes it: alice's copy goes too.
    net.mia.status_delete(post["id"])
    wait_for(lambda: reblog_of(net.alice, uri) is None, what="mia's deletion to reach alice's copy on A")
    with pytest.raises(MastodonNotFoundError):
        net.alice.status(on_a_id)


def test_a_pending_follower_of_a_private_group_receives_nothing(net):
    make_group(net.S, "caucus", "mia", "--join-mode", "approval", "--private")
    acct = net.S.acct("caucus")
    group_id = local_group_id(net.mia_groups, "caucus")
    on_o = resolve_account(net.olga, acct)
    assert net.olga.account_follow(on_o["id"])["requested"] is True
    on_a = resolve_account(net.alice, acct)
    net.alice.account_follow(on_a["id"])

    def pending():
        people = net.mia_groups.call("GET", f"/{group_id}/members")
        return {p["account"]["acct"]: p["account"]["id"] for p in people if p["pending"]}

    waiting = wait_for(lambda: len(pending()) == 2 and pending(), what="both requests pending at S")
    net.mia_groups.call("POST", f"/{group_id}/requests/{waiting[net.A.acct('alice')]}/accept")
    wait_for(
        lambda: net.alice.account_relationships([on_a["id"]])[0]["following"],
        what="alice's follow of caucus to be accepted",
    )
    post = net.mia.status_post(f"@{acct} {unique('caucus')}", visibility="direct")
    group_post_arrives(net.alice, acct, post["uri"], "alice (A), an accepted member, to receive caucus's post")
    assert_never(lambda: reblog_of(net.olga, post["uri"]), what="caucus's post reaching olga, still pending")
    # A moderator's removal reaches the remote member.
    on_s = reblog_of(net.mia, post["uri"])
    net.mia_groups.call("POST", f"/{group_id}/statuses/{on_s['reblog']['id']}/remove", reason="wrong group")
    wait_for(lambda: reblog_of(net.alice, post["uri"]) is None, what="the removal to reach alice (A)")


def test_a_blocking_secretary_cannot_silence_the_members(net, greens):
    """S's admin suspends greens; its members start greens2 on O; A and B carry on."""
    net.S.admin("group", "suspend", "greens")
    r = fetch_ap(net.S.actor_url("greens"))
    assert r.status_code == 410, r.status_code
    wf = http_session().get(
        net.S.url("/.well-known/webfinger"), params={"resource": f"acct:greens@{net.S.domain}"}, timeout=15
    )
    assert wf.status_code == 404
    wait_for(
        lambda: not net.alice.account_relationships([greens.on_a["id"]])[0]["following"],
        what="A to hear that greens is gone",
    )
    # The members regroup off-grid, on O, with olga as admin.
    created = net.olga_groups.call("POST", "", name="greens2", join_mode="open", description="off-grid")
    assert created["role"] == "admin" and created["account"]["group"] is True
    acct = net.O.acct("greens2")
    ensure_following(net.alice, acct)
    ensure_following(net.bob, acct)
    post = net.alice.status_post(f"@{acct} {unique('off-grid')}", visibility="public")
    group_post_arrives(net.bob, acct, post["uri"], "bob (B) to receive the off-grid group's boost")
    post = net.bob.status_post(f"@{acct} {unique('off-grid-b')}", visibility="public")
    group_post_arrives(net.alice, acct, post["uri"], "alice (A) to receive the off-grid group's boost")


def test_a_report_reaches_the_moderators_of_a_group_on_another_instance(net):
    """alice (A) reports a post to greens2 (O): olga, its admin, finds it in the log."""
    acct = net.O.acct("greens2")
    post = net.bob.status_post(f"@{acct} {unique('reported')}", visibility="public")
    seen = group_post_arrives(net.alice, acct, post["uri"], "alice (A) to receive the post she reports")
    group_on_a = resolve_account(net.alice, acct)
    Coopol(net.A, "alice").call(
        "POST", f"/{group_on_a['id']}/reports", **{"status_ids[]": [seen["reblog"]["id"]], "comment": "not ok"}
    )
    group_id = local_group_id(net.olga_groups, "greens2")

    def reported():
        log = net.olga_groups.call("GET", f"/{group_id}/moderation_log")
        return next((e for e in log if e["action"] == "report"), None)

    entry = wait_for(reported, what="alice's Flag to reach greens2's moderation log on O")
    assert entry["target_uri"] == post["uri"] and entry["reason"] == "not ok"
    assert entry["actor"] == net.A.acct("alice")
