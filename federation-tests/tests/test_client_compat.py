# SPDX-License-Identifier: AGPL-3.0-or-later
"""A Mastodon.py client in its default configuration works against coopol.

The other tests give Mastodon.py the API version up front.  By default the
library detects it itself: it requests ``GET /api/v1/instance/`` (with a
trailing slash) and ``/api/v2/instance/``.  If the v1 request fails,
Mastodon.py 2.3.3 assumes version 1.0.0 and its version checks then recurse
until RecursionError (e.g. inside ``search_v2``), so real clients break.
"""

from mastodon import Mastodon

import harness

CLUSTER = [["alice"]]


def _default_client(inst, token=None):
    return Mastodon(access_token=token, api_base_url=inst.base_url, session=harness.http_session(),
                    request_timeout=30)


def test_instance_answers_with_trailing_slash_as_mastodon_py_asks(cluster):
    inst = cluster[0]
    s = harness.http_session()
    for path in ("/api/v1/instance", "/api/v1/instance/"):
        r = s.get(inst.url(path), timeout=10)
        assert r.status_code == 200, f"GET {path} answered {r.status_code}: {r.text[:200]!r}"
        version = r.json().get("version")
        assert isinstance(version, str) and version[:1].isdigit(), (
            f"GET {path}: version {version!r} is not a Mastodon-style version string"
        )


def test_default_client_detects_version_and_searches(cluster):
    inst = cluster[0]
    r = harness.http_session().get(inst.url("/api/v1/instance/"), timeout=10)
    if r.status_code != 200:
        # Going on would end in RecursionError inside Mastodon.py.
        raise AssertionError(
            f"GET /api/v1/instance/ answered {r.status_code}: a default Mastodon.py client cannot "
            "detect the version and its search_v2 recurses until RecursionError"
        )
    api = _default_client(inst, inst.token("alice"))
    # Without fail_hard: /api/v2/instance/ is optional; a failed v1 request
    # makes Mastodon.py fall back to "1.0.0".
    version = api.retrieve_mastodon_version()
    assert version != "1.0.0", (
        "Mastodon.py could not read the version from GET /api/v1/instance/ (trailing slash)"
    )
    assert api.account_verify_credentials()["username"] == "alice"
    # search_v2 is where a failed detection ends in RecursionError.
    found = api.search_v2("@" + inst.acct("alice"), resolve=True)
    assert [a["username"] for a in found["accounts"]] == ["alice"]
