# SPDX-License-Identifier: AGPL-3.0-or-later
"""An actor moves to another instance, carrying its followers and its posts.

Five instances: S (the old home of ``org``), O (its new home, where ``org``
also exists), and A, B, C with 50 followers of org@S between them.  The
admins export org's archive on S, import it on O (which also declares the
alias), and move org@S to org@O with the admin CLI.  Every follower's server
then follows org@O by itself, with no human action; org's posts are on O.
Finally S's admin turns hostile and deletes org@S: the followers stay on O.

The mechanism is the same for groups (Group actors) and accounts. The first
tests move an account; the last ones move groups: one whose 50 followers on
A, B and C are its members and whose members' posts (one with an image) go
with it in the archive.
"""

import io
import json
import struct
import zlib
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
    assert data["format"] == "coopol-archive" and data["version"] == 3
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
    new_ids = {}
    for inst in (net.A, net.B, net.C):
        names = net.followers_of[inst]
        new_ids[inst] = resolve_account(inst.api(names[0]), net.O.acct("org"))["id"]
        # Mastodon clients see where the old account went.
        old = resolve_account(inst.api(names[0]), net.S.acct("org"))
        assert old.get("moved") and old["moved"]["acct"] == net.O.acct("org"), old.get("moved")

    def moved():
        # As each follower's server sees it: O counts a follow before its Accept is back.
        return sum(
            bool(inst.api(n).account_relationships([new_ids[inst]])[0]["following"])
            for inst in (net.A, net.B, net.C)
            for n in net.followers_of[inst]
        )

    wait_for(lambda: moved() >= 50 * 0.99, timeout=MOVE_TIMEOUT, what="50 of 50 followers to follow org@O")


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


def png(width: int, height: int) -> bytes:
    """A real RGB PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + b"".join(bytes(((x * 7) % 256, (y * 5) % 256, 120)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _group_statuses(api, name):
    """The statuses of the local group `name`, as a client of its instance sees them."""
    group = api.account_lookup(name)
    return api.account_statuses(group["id"], limit=40)


def _announced(statuses, marker):
    """The posts the group announced, by their marker."""
    return {
        m: s["reblog"]
        for s in statuses
        if s.get("reblog")
        for m in ("a", "b", "img")
        if f"{marker}-{m}" in s["reblog"]["content"]
    }


def test_a_group_with_fifty_followers_moves_with_its_members_posts(net):
    """band@S has the 50 people of A, B and C as members, and members' posts (one with an
    image, posted on S) it announced. Its admins export it, import it into band@O (which
    approves members by hand), and move it: all 50 follow band@O with no human action, they
    are its members again, and band@O shows the posts, with their authors and the image."""
    S, O = net.S, net.O
    marker = unique("band")
    S.create_user("bandadm")
    O.create_user("bandadm")
    S.admin("group", "create", "band", "--admin", "bandadm")
    O.admin("group", "create", "band", "--admin", "bandadm", "--join-mode", "approval")

    def join_all(inst):
        for n in net.followers_of[inst]:
            ensure_following(inst.api(n), S.acct("band"))

    with ThreadPoolExecutor(max_workers=3) as pool:
        for fut in [pool.submit(join_all, inst) for inst in (net.A, net.B, net.C)]:
            fut.result()
    band_s = S.actor_url("band")
    # The group's admin follows it too.
    wait_for(lambda: collection_total(band_s + "/followers") == 51, what="50 followers of band@S and its admin")

    # Members post to the group: from A and B, and from S with an image.
    author_a = net.A.api(net.followers_of[net.A][0])
    author_b = net.B.api(net.followers_of[net.B][0])
    posted = {
        "a": author_a.status_post(f"@{S.acct('band')} from A {marker}-a", visibility="public"),
        "b": author_b.status_post(f"@{S.acct('band')} from B {marker}-b", visibility="public"),
    }
    S.create_user("bandpic")
    pic = S.api("bandpic")
    assert pic.account_follow(pic.account_lookup("band")["id"])["following"], "bandpic joins band"
    image = pic.media_post(io.BytesIO(png(48, 32)), mime_type="image/png", file_name="map.png", description="the map")
    posted["img"] = pic.status_post(f"@band the map {marker}-img", media_ids=[image["id"]], visibility="public")
    viewer_s = S.api("bandadm")
    wait_for(lambda: len(_announced(_group_statuses(viewer_s, "band"), marker)) == 3,
             what="band@S to announce its members' three posts")

    # The group has an avatar, set by its admin.
    admin_s = harness.http_session()
    admin_s.headers["Authorization"] = f"Bearer {S.token('bandadm')}"
    groups = admin_s.get(S.url("/api/v1/coopol/groups"), timeout=30).json()
    gid = next(g["id"] for g in groups if g["account"]["username"] == "band")
    r = admin_s.patch(S.url(f"/api/v1/coopol/groups/{gid}"),
                      files={"avatar": ("band.png", png(200, 200), "image/png")}, timeout=30)
    assert r.status_code == 200, r.text[:300]

    archive = net.workdir / "band.json"
    out = S.admin("group", "export", "band", "--out", str(archive)).stdout
    assert "3 group posts, 1 media files, 52 followers, 52 members" in out, out  # 50 + bandadm + bandpic
    data = json.loads(archive.read_text())
    assert data["version"] == 3
    assert data["actor"]["avatar"]["data"], "the avatar's file is in the archive"
    by_id = {g["id"]: g for g in data["group_posts"]}
    for key, status in posted.items():
        assert status["uri"] in by_id, (key, list(by_id))
    assert by_id[posted["a"]["uri"]]["author"]["id"] == net.A.actor_url(net.followers_of[net.A][0])
    assert by_id[posted["img"]["uri"]]["attachments"][0]["data"], "the image file is in the archive"

    out = O.admin("group", "import", str(archive)).stdout
    assert "3 group posts (0 already there, 0 left out" in out and "1 media files" in out, out
    assert "1 profile images" in out, out
    icon = harness.fetch_ap(O.actor_url("band")).json()["icon"]["url"]
    assert icon.startswith(O.base_url), "band@O has the avatar, served by O"
    assert harness.http_session().get(icon, timeout=15).status_code == 200
    again = O.admin("group", "import", str(archive)).stdout
    assert "0 group posts (3 already there" in again and "0 media files" in again, again

    # Nothing was sent for the imported posts: the authors' servers see no new announce.
    out = S.admin("group", "move", "band", "--to", O.acct("band")).stdout
    assert O.actor_url("band") in out, out

    band_o = O.actor_url("band")
    # band@O's admin, the 50 of A, B, C, and bandadm and bandpic of S (moved by S itself).
    wait_for(lambda: collection_total(band_o + "/followers") >= 53, timeout=MOVE_TIMEOUT,
             what="the 50 followers of A, B and C (and the two of S) to follow band@O")
    new_ids = {inst: resolve_account(inst.api(net.followers_of[inst][0]), O.acct("band"))["id"]
               for inst in (net.A, net.B, net.C)}

    def moved():
        # As each follower's server sees it (the Accept has come back).
        return sum(
            bool(inst.api(n).account_relationships([new_ids[inst]])[0]["following"])
            for inst in (net.A, net.B, net.C)
            for n in net.followers_of[inst]
        )

    # At least 99% of 50: the test sees all of them.
    wait_for(lambda: moved() >= 50 * 0.99, timeout=MOVE_TIMEOUT, what="50 of 50 members to follow band@O")
    # They are members again although band@O approves members by hand.
    members_url = harness.fetch_ap(band_o).json()["members"]
    assert collection_total(members_url) >= 50, "members of band@O"

    # band@O shows the members' posts, by their authors, at their time, with the image.
    shown = _announced(_group_statuses(O.api("bandadm"), "band"), marker)
    assert set(shown) == {"a", "b", "img"}, list(shown)
    for key, original in posted.items():
        copy = shown[key]
        assert copy["uri"] == original["uri"], (copy["uri"], original["uri"])
        # S knew the remote posts' time to the second (as ActivityPub's `published` says it).
        when = [t.replace(microsecond=0) for t in (copy["created_at"], original["created_at"])]
        assert when[0] == when[1], (copy["created_at"], original["created_at"])
    assert shown["a"]["account"]["acct"] == net.A.acct(net.followers_of[net.A][0])
    assert shown["img"]["account"]["acct"] == S.acct("bandpic")
    media = shown["img"]["media_attachments"]
    assert len(media) == 1 and media[0]["type"] == "image" and media[0]["description"] == "the map", media
    assert media[0]["url"].startswith(O.base_url), "the image is served by O"
    r = harness.http_session().get(media[0]["url"], timeout=15)
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG"), r.status_code

    # Once the move is done, the new group's admin may take the alias back; the followers stay.
    out = O.admin("group", "alias", "band", "--remove", S.acct("band")).stdout
    assert "no longer declares" in out, out
    assert harness.fetch_ap(band_o).json().get("alsoKnownAs", []) == []
    with pytest.raises(RuntimeError, match="does not declare"):
        O.admin("group", "alias", "band", "--remove", S.acct("band"))
    assert collection_total(band_o + "/followers") >= 53
