# SPDX-License-Identifier: AGPL-3.0-or-later
"""The inbox loses nothing when coopol is killed while it applies a burst.

A remote actor sends a burst of Creates of notes that mention alice@A, from several threads,
and A is SIGKILLed as soon as the last one is accepted (202), while its inbox worker is still
applying them; then A is started again. Every accepted note must be stored and notify alice:
a batch deletes its jobs in the transaction that applies them, and a new process releases the
leases of the one that was killed.
"""

from concurrent.futures import ThreadPoolExecutor

import harness
import remote_actor as ra
from harness import unique, wait_for

CLUSTER = [["alice"]]

BURST = 600


def _mentioned_uris(api) -> set:
    """The status URIs of all of alice's mention notifications."""
    uris, max_id = set(), None
    while True:
        page = api.notifications(types=["mention"], limit=80, max_id=max_id)
        if not page:
            return uris
        uris.update(n["status"]["uri"] for n in page if n.get("status"))
        max_id = page[-1]["id"]


def test_a_burst_survives_sigkill_while_it_is_applied(cluster, remote):
    A = cluster[0]
    actor = remote.new_actor()
    alice_uri = A.actor_url("alice")
    tag = unique("burst")
    uris, prepared = [], []
    for i in range(BURST):
        note_id = f"{actor.id}/notes/{tag}-{i}"
        uris.append(note_id)
        note = {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor.id,
            "content": f"<p>{tag} {i} @alice</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alice_uri],
            "tag": [{"type": "Mention", "href": alice_uri, "name": "@alice"}],
        }
        activity = {
            "@context": ra.AP_CONTEXT,
            "id": f"{note_id}/activity",
            "type": "Create",
            "actor": actor.id,
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        }
        prepared.append(ra.prepare_signed_post(actor, A.url("/inbox"), activity))

    def send(chunk):
        session = harness.http_session()
        return [ra.post_prepared(p, session=session).status_code for p in chunk]

    chunks = [prepared[i::8] for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = [c for part in pool.map(send, chunks) for c in part]
    assert codes == [202] * BURST, f"answers other than 202: {sorted(set(codes))}"
    A.kill9()
    A.start()

    alice = A.api("alice")
    wait_for(
        lambda: not (set(uris) - _mentioned_uris(alice)),
        what=f"a mention notification for each of the {BURST} accepted notes after the SIGKILL",
    )
