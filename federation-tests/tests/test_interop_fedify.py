# SPDX-License-Identifier: AGPL-3.0-or-later
"""An independent ActivityPub implementation understands coopol's documents.

Fedify's vocabulary library (``@fedify/vocab``, TypeScript, JSON-LD based)
parses alice's actor document, the instance actor and one of her public
Notes, as fetched from coopol.  It must see the right types, ids, inbox,
public key (owner, id, and the same key bytes as the PEM) and the Note's
content and author.  A JSON-LD processor reads the documents through their
``@context``, so a wrong context or a term outside it shows up here while a
plain JSON reader would not notice.

Node 22 and the libraries come from the npm registry (``fedify/package.json``,
pinned by ``package-lock.json``), installed into ``fedify/node_modules`` on
first use.  Without npm, or when that install fails, the tests are skipped
with the reason.  The documents are fetched by the test (loopback only) and
handed to ``fedify/parse.mjs`` on stdin; the script loads nothing from the
network (JSON-LD contexts come from Fedify's preloaded copies).
"""

import base64
import json
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

import harness
import npm_node
from harness import fetch_ap, unique

CLUSTER = [["alice"]]

FEDIFY_DIR = harness.HERE / "fedify"


@pytest.fixture(scope="session")
def fedify():
    """Path of the Node 22 binary next to an installed @fedify/vocab."""
    return npm_node.node22_in(FEDIFY_DIR)


def fedify_parse(node, docs: list) -> list[dict]:
    res = subprocess.run(
        [str(node), str(FEDIFY_DIR / "parse.mjs")],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=FEDIFY_DIR,
    )
    assert res.returncode == 0, f"fedify/parse.mjs exited {res.returncode}: {res.stderr[-2000:]}"
    out = json.loads(res.stdout)
    assert len(out) == len(docs)
    return out


def _fetch(url: str) -> dict:
    r = fetch_ap(url)
    assert r.status_code == 200, f"GET {url} answered {r.status_code}: {r.text[:200]!r}"
    return r.json()


def _spki_b64(pem: str) -> str:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def _ok(parsed: dict, what: str) -> dict:
    assert parsed.get("ok"), f"Fedify could not parse {what}: {parsed.get('error')}"
    return parsed


def test_fedify_reads_actor_documents(cluster, fedify):
    inst = cluster[0]
    actor_url = inst.actor_url("alice")
    docs = [_fetch(actor_url), _fetch(inst.url("/actor"))]
    person, app = fedify_parse(fedify, docs)

    _ok(person, actor_url)
    assert person["type"] == "Person", person
    assert person["id"] == actor_url
    assert person["preferredUsername"] == "alice"
    assert person["inbox"] == docs[0]["inbox"] == actor_url + "/inbox", person
    assert person["sharedInbox"] == inst.url("/inbox"), person
    assert person["followers"] == actor_url + "/followers", person
    key = person.get("publicKey")
    assert key, f"Fedify found no public key in {actor_url}: {person}"
    assert key["id"] == actor_url + "#main-key" and key["owner"] == actor_url, key
    assert key["algorithm"] == "RSASSA-PKCS1-v1_5", key
    assert key["spkiBase64"] == _spki_b64(docs[0]["publicKey"]["publicKeyPem"]), (
        "Fedify read other key bytes than the PEM coopol serves"
    )

    _ok(app, inst.url("/actor"))
    assert app["type"] == "Application", app
    assert app["id"] == inst.url("/actor")
    assert app.get("publicKey", {}).get("owner") == inst.url("/actor"), app


def test_fedify_reads_a_public_note(cluster, fedify):
    inst = cluster[0]
    marker = unique("fedify")
    st = inst.api("alice").status_post(f"hello Fedify {marker}", visibility="public")
    note_doc = _fetch(st["uri"])
    create_doc = _fetch(st["uri"] + "/activity")
    note, create = fedify_parse(fedify, [note_doc, create_doc])

    _ok(note, st["uri"])
    assert note["type"] == "Note", note
    assert note["id"] == st["uri"]
    assert note["attributedTo"] == inst.actor_url("alice"), note
    assert marker in (note.get("content") or ""), note
    assert note.get("published"), f"Fedify read no published date: {note}"

    _ok(create, st["uri"] + "/activity")
    assert create["type"] == "Create", create
