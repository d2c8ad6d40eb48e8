# SPDX-License-Identifier: AGPL-3.0-or-later
"""Media attachments and polls across two instances, driven with Mastodon.py.

alice@A uploads an image (with description and focal point) and posts it;
bob@B, who follows her, sees the attachment (its URL on A, its blurhash and
description).  alice posts a poll; bob sees it on B, votes there, and the
vote is counted on A (once), which sends the new counts back to B.
"""

import io
import struct
import zlib
from types import SimpleNamespace

import pytest
from mastodon import MastodonAPIError

import harness
from harness import ensure_following, home_find, unique, wait_for

CLUSTER = [["alice"], ["bob"]]


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


@pytest.fixture(scope="module")
def net(cluster):
    A, B = cluster
    n = SimpleNamespace(A=A, B=B, alice=A.api("alice"), bob=B.api("bob"), alice_acct=A.acct("alice"))
    ensure_following(n.bob, n.alice_acct)
    return n


def test_an_image_is_uploaded_posted_and_seen_on_the_other_instance(net):
    media = net.alice.media_post(
        io.BytesIO(png(300, 200)),
        mime_type="image/png",
        file_name="banner.png",
        description="a demonstration banner",
        focus=(0.25, -0.5),
    )
    assert media["type"] == "image"
    assert media["description"] == "a demonstration banner"
    assert media["meta"]["original"]["width"] == 300
    assert media["meta"]["focus"] == {"x": 0.25, "y": -0.5}
    assert media["blurhash"]
    # The file is served with the sniffed type, never as something a browser would sniff.
    r = harness.http_session().get(media["url"], timeout=15)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.content.startswith(b"\x89PNG")
    assert harness.http_session().get(media["preview_url"], timeout=15).status_code == 200

    st = net.alice.status_post(f"banner for saturday {unique()}", media_ids=[media["id"]])
    assert [m["id"] for m in st["media_attachments"]] == [media["id"]]

    copy = wait_for(lambda: home_find(net.bob, st["uri"]), what=f"alice's post {st['uri']} on B")
    [att] = copy["media_attachments"]
    assert att["type"] == "image"
    assert att["url"] == media["url"], "remote media are linked, not copied"
    assert att["remote_url"] == media["url"]
    assert att["description"] == "a demonstration banner"
    assert att["blurhash"] == media["blurhash"]
    assert att["meta"]["original"]["width"] == 300
    assert att["meta"]["focus"] == {"x": 0.25, "y": -0.5}


def test_a_pdf_is_a_document_and_html_is_refused(net):
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    doc = net.alice.media_post(io.BytesIO(pdf), mime_type="application/pdf", file_name="tract.pdf")
    assert doc["type"] == "unknown"
    r = harness.http_session().get(doc["url"], timeout=15)
    assert r.headers["Content-Type"] == "application/pdf"
    with pytest.raises(MastodonAPIError) as err:
        net.alice.media_post(
            io.BytesIO(b"<html><script>alert(1)</script></html>"), mime_type="image/png", file_name="x.png"
        )
    assert "422" in str(err.value) or "not supported" in str(err.value)


def test_a_poll_is_seen_voted_remotely_and_counted_on_its_origin(net):
    poll = net.alice.make_poll(["Saturday", "Sunday"], expires_in=3600)
    st = net.alice.status_post(f"which day for the march? {unique()}", poll=poll)
    assert [o["title"] for o in st["poll"]["options"]] == ["Saturday", "Sunday"]

    copy = wait_for(lambda: home_find(net.bob, st["uri"]), what=f"alice's poll {st['uri']} on B")
    assert copy["poll"] is not None, f"B shows the Question without its poll: {copy}"
    assert [o["title"] for o in copy["poll"]["options"]] == ["Saturday", "Sunday"]
    assert copy["poll"]["multiple"] is False
    assert copy["poll"]["voted"] is False

    voted = net.bob.poll_vote(copy["poll"]["id"], [1])
    assert voted["own_votes"] == [1]
    with pytest.raises(MastodonAPIError):
        net.bob.poll_vote(copy["poll"]["id"], [0])

    # The vote travels to A as Create(Note) and is counted there, once.
    origin = wait_for(
        lambda: (p := net.alice.poll(st["poll"]["id"]))["votes_count"] == 1 and p,
        what="bob's vote counted on A",
    )
    assert [o["votes_count"] for o in origin["options"]] == [0, 1]
    assert origin["voters_count"] == 1

    # A sends the new counts back (Update(Question)): B shows them.
    wait_for(
        lambda: [o["votes_count"] for o in net.bob.poll(copy["poll"]["id"])["options"]] == [0, 1],
        what="the new counts of alice's poll on B",
    )
    harness.assert_never(
        lambda: net.alice.poll(st["poll"]["id"])["votes_count"] != 1,
        what="bob's vote counted more than once on A",
        duration=2.0,
    )
