# SPDX-License-Identifier: AGPL-3.0-or-later
"""Avatars and headers across two instances, driven with Mastodon.py.

bob@B follows alice@A.  alice sets an avatar and a header with
account_update_credentials; A serves them, its actor document carries them as
`icon` and `image`, and the `Update` of her actor makes bob's server show them
on her account.  alice removes her avatar; B goes back to its default one.
"""

import io
import struct
import zlib
from types import SimpleNamespace

import pytest

import harness
from harness import ensure_following, fetch_ap, resolve_account, wait_for

CLUSTER = [["alice"], ["bob"]]


def png(width: int, height: int) -> bytes:
    """A real RGB PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(
        b"\x00" + b"".join(bytes(((x * 3) % 256, (y * 11) % 256, 40)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def net(cluster):
    A, B = cluster
    n = SimpleNamespace(A=A, B=B, alice=A.api("alice"), bob=B.api("bob"), alice_acct=A.acct("alice"))
    ensure_following(n.bob, n.alice_acct)
    return n


def _alice_on_b(net):
    return net.bob.account(resolve_account(net.bob, net.alice_acct)["id"])


def test_an_avatar_set_on_one_instance_shows_on_the_other(net):
    default_on_b = _alice_on_b(net)["avatar"]
    me = net.alice.account_update_credentials(
        avatar=io.BytesIO(png(600, 500)),
        avatar_mime_type="image/png",
        header=io.BytesIO(png(1600, 600)),
        header_mime_type="image/png",
    )
    avatar, header = me["avatar"], me["header"]
    assert avatar.startswith(net.A.url("/")), avatar
    assert avatar != default_on_b and header != avatar

    # A serves the re-encoded file, cropped to 400x400.
    r = harness.http_session().get(avatar, timeout=15)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content[:3] == b"\xff\xd8\xff"

    # The actor document says so.
    doc = fetch_ap(net.A.actor_url("alice")).json()
    assert doc["icon"] == {"type": "Image", "mediaType": "image/jpeg", "url": avatar}
    assert doc["image"]["url"] == header

    # The Update of the actor reaches B, which shows the avatar and header in apps.
    seen = wait_for(
        lambda: (lambda a: a if a["avatar"] == avatar else None)(_alice_on_b(net)),
        what=f"alice's new avatar {avatar} on B",
    )
    assert seen["avatar_static"] == avatar
    assert seen["header"] == header


def test_a_removed_avatar_goes_back_to_the_default_on_the_other_instance(net):
    me = net.alice.account_update_credentials(avatar=io.BytesIO(png(64, 64)), avatar_mime_type="image/png")
    wait_for(
        lambda: _alice_on_b(net)["avatar"] == me["avatar"],
        what="alice's avatar on B",
    )
    r = net.alice.account_delete_avatar()
    assert r["avatar"].endswith("/static/missing.png"), r["avatar"]
    assert harness.http_session().get(me["avatar"], timeout=15).status_code == 404
    wait_for(
        lambda: _alice_on_b(net)["avatar"].endswith("/static/missing.png"),
        what="alice's default avatar on B after the removal",
    )
