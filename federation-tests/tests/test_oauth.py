# SPDX-License-Identifier: AGPL-3.0-or-later
"""OAuth as Mastodon apps use it: an app registers, the user signs in on the
real login page, the app exchanges the code (with PKCE) for a token and uses it
through Mastodon.py.  Codes are single use, a wrong verifier or password gets
nothing, and a revoked token stops working."""

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlparse

from mastodon import Mastodon

import harness

CLUSTER = [["alice"]]
REDIRECT = "https://app.invalid/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"


def _app(inst):
    client_id, client_secret = Mastodon.create_app(
        "coopol-ft-app", scopes=["read", "write"], redirect_uris=[REDIRECT, OOB],
        api_base_url=inst.base_url, session=harness.http_session(), request_timeout=30,
    )
    return client_id, client_secret


def _pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def _sign_in(inst, client_id, user, password, redirect=REDIRECT, challenge=None):
    """Opens the login page like a browser, fills it in, returns the response to the POST."""
    s = harness.http_session()
    params = {"client_id": client_id, "redirect_uri": redirect, "response_type": "code", "scope": "read write",
              "state": "xyz"}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    page = s.get(inst.url("/oauth/authorize"), params=params, timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert 'name="password"' in page.text and "coopol-ft-app" in page.text
    form = _hidden_fields(page.text.replace("&amp;", "&"))
    form.update(username=user.name, password=password)
    return s.post(inst.url("/oauth/authorize"), data=form, allow_redirects=False, timeout=30)


def _code_from(resp):
    assert resp.status_code in (302, 303), f"{resp.status_code}: {resp.text[:300]}"
    q = parse_qs(urlparse(resp.headers["location"]).query)
    assert q["state"] == ["xyz"]
    return q["code"][0]


def _token(inst, **form):
    return harness.http_session().post(inst.url("/oauth/token"), data=form, timeout=30)


def test_authorization_code_with_pkce_through_the_login_page(cluster):
    inst = cluster[0]
    alice = inst.users["alice"]
    client_id, client_secret = _app(inst)
    verifier, challenge = _pkce()

    wrong = _sign_in(inst, client_id, alice, "not-her-password", challenge=challenge)
    assert wrong.status_code == 401 and "location" not in wrong.headers

    code = _code_from(_sign_in(inst, client_id, alice, alice.password, challenge=challenge))
    bad = _token(inst, grant_type="authorization_code", client_id=client_id, code=code, redirect_uri=REDIRECT,
                 code_verifier="wrong-" + verifier)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"

    # The failed exchange used the code up: sign in again for a fresh one.
    code = _code_from(_sign_in(inst, client_id, alice, alice.password, challenge=challenge))
    ok = _token(inst, grant_type="authorization_code", client_id=client_id, code=code, redirect_uri=REDIRECT,
                code_verifier=verifier)
    assert ok.status_code == 200, ok.text
    token = ok.json()["access_token"]
    assert ok.json()["token_type"] == "Bearer" and ok.json()["scope"] == "read write"

    again = _token(inst, grant_type="authorization_code", client_id=client_id, code=code, redirect_uri=REDIRECT,
                   code_verifier=verifier)
    assert again.status_code == 400, "a code must be single use"

    api = Mastodon(access_token=token, api_base_url=inst.base_url, mastodon_version=harness.CLIENT_MASTODON_VERSION,
                   version_check_mode="created", session=harness.http_session(), request_timeout=30)
    assert api.account_verify_credentials()["username"] == "alice"
    posted = api.status_post("signed in through OAuth", visibility="unlisted")
    assert api.status(posted["id"])["content"] == "<p>signed in through OAuth</p>"

    revoked = harness.http_session().post(inst.url("/oauth/revoke"), timeout=10,
                                          data={"client_id": client_id, "client_secret": client_secret, "token": token})
    assert revoked.status_code == 200
    r = harness.http_session().get(inst.url("/api/v1/accounts/verify_credentials"), timeout=10,
                                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and "error" in r.json()


def test_out_of_band_code_with_mastodon_py_log_in(cluster):
    inst = cluster[0]
    alice = inst.users["alice"]
    client_id, client_secret = _app(inst)
    page = _sign_in(inst, client_id, alice, alice.password, redirect=OOB)
    assert page.status_code == 200
    code = re.search(r'<pre id="code">([^<]+)</pre>', page.text).group(1)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=inst.base_url,
                   mastodon_version=harness.CLIENT_MASTODON_VERSION, version_check_mode="created",
                   session=harness.http_session(), request_timeout=30)
    # Plain http is allowed by the client only on request (development instances).
    token = api.log_in(code=code, redirect_uri=OOB, scopes=["read", "write"], allow_http=True)
    assert token
    assert api.account_verify_credentials()["username"] == "alice"


def test_scopes_are_enforced(cluster):
    inst = cluster[0]
    alice = inst.users["alice"]
    client_id, client_secret = _app(inst)
    s = harness.http_session()
    params = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": "read", "state": "xyz"}
    page = s.get(inst.url("/oauth/authorize"), params=params, timeout=10)
    form = _hidden_fields(page.text)
    form.update(username=alice.name, password=alice.password)
    code = _code_from(s.post(inst.url("/oauth/authorize"), data=form, allow_redirects=False, timeout=30))
    tok = _token(inst, grant_type="authorization_code", client_id=client_id, client_secret=client_secret, code=code,
                 redirect_uri=REDIRECT).json()["access_token"]
    h = {"Authorization": f"Bearer {tok}"}
    assert s.get(inst.url("/api/v1/timelines/home"), headers=h, timeout=10).status_code == 200
    denied = s.post(inst.url("/api/v1/statuses"), headers=h, data={"status": "nope"}, timeout=10)
    assert denied.status_code == 403 and "error" in denied.json()
    # An app cannot be granted more than it registered.
    too_much = s.get(inst.url("/oauth/authorize"), timeout=10,
                     params={**params, "scope": "read write push"})
    assert too_much.status_code == 400
