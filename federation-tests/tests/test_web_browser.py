# SPDX-License-Identifier: AGPL-3.0-or-later
"""The web interface in a real browser: Debian's Chromium driven by Playwright,
with JavaScript on and off, on a real ``coopol serve`` (SQLite and PostgreSQL).

Each page is checked by axe-core (injected from federation-tests/browser's npm
package): no serious or critical violation.  A person signs in, posts and sees
the post with who can see it; a forged form (no CSRF token) is refused with 403
and stores nothing; a post carrying script is shown as inert text.

Groups: the directory lists a group; a person asks to join a group on approval
with a message, its admin accepts from the requests page, and the person then
sees that they are a member, opens the group's event and says they are coming.

Administration (issue 12, flow 3): the instance's admin blocks a server from the panel
with a reason, and that server's deliveries (a signed Follow from an actor there) are refused;
lifting the block lets them in again. Each admin page passes axe-core; others get 403.

Screenshots (FR and EN, desktop and 375 px wide) go to the run directory, and
to ``$COOPOL_WEB_SCREENSHOTS`` when it names a directory (docs/screenshots/).
"""

from __future__ import annotations

import re

import pytest

import browsing
import harness
import remote_actor as ra

playwright_sync = pytest.importorskip("playwright.sync_api")

CLUSTER = [["alice", "bob"]]


@pytest.fixture(scope="module")
def browser():
    yield from browsing.launch(playwright_sync)


@pytest.fixture(params=["js", "nojs"])
def js(request):
    return request.param == "js"


_context = browsing.context
_axe = browsing.axe
_screenshots = browsing.screenshots
_sign_in = browsing.sign_in


def _statuses_of(inst, user) -> int:
    api = inst.api(user)
    me = api.account_verify_credentials()
    return len(api.account_statuses(me["id"], limit=40))


def test_front_page_is_html_and_accessible(cluster, browser, js, run_dir):
    inst = cluster[0]
    # A public post so that the page shows one.
    inst.api("bob").status_post("Réunion de section jeudi à 19 h, salle Jaurès. #section", visibility="public")
    ctx = _context(browser, js)
    try:
        page = ctx.new_page()
        resp = page.goto(inst.url("/"))
        assert resp.status == 200
        assert resp.headers["content-type"].startswith("text/html")
        csp = resp.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("heading", level=1).inner_text() == "coopol"
        harness.wait_for(
            lambda: "Réunion de section" in page.reload().text() or None, timeout=20, what="the post on /"
        )
        assert page.get_by_role("main").is_visible()
        assert page.get_by_role("navigation").is_visible()
    finally:
        ctx.close()
    assert _axe(browser, inst.url("/")) == []
    assert _axe(browser, inst.url("/signin")) == []
    if js:
        _screenshots(browser, run_dir, inst.url("/"), "front")
        _screenshots(browser, run_dir, inst.url("/signin"), "signin")


def test_sign_in_compose_and_see_the_post(cluster, browser, js, run_dir):
    inst = cluster[0]
    alice = inst.users["alice"]
    ctx = _context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, alice)
        assert page.get_by_role("heading", level=1).inner_text() == "Home"
        text = f"Tractage samedi au marché ({'js' if js else 'nojs'})"
        page.get_by_label("Your message").fill(text)
        page.get_by_label("Content warning (optional)").fill("logistics")
        page.get_by_label("Followers only").check()
        assert "Followers of @alice" in page.locator("#vis-private-who").inner_text()
        page.get_by_role("button", name="Post", exact=True).click()
        page.wait_for_url(re.compile(r"/posts/\d+$"))
        focus = page.locator(".focus .post")
        assert "Followers of @alice" in focus.inner_text()
        # The content warning hides the text until opened (a <details>, no script needed).
        focus.locator("summary").click()
        assert text in focus.inner_text()
        cookies = ctx.cookies()
        session = [c for c in cookies if c["name"] == "coopol_session"]
        assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Lax"
        thread_url = page.url
        # Favourite it from its page, with a form.
        # The form posts back to the same address: wait for that navigation, not for the URL.
        with page.expect_navigation():
            page.get_by_role("button", name="Favourite").first.click()
        assert page.url == thread_url
        assert "1 favourite" in page.locator(".focus .post").inner_text()
    finally:
        ctx.close()
    for url in (inst.url("/home"), thread_url, inst.url("/settings"), inst.url("/people/alice"), inst.url("/local")):
        assert _axe(browser, url, cookies) == [], url
    if js:
        for name, url in (("home", "/home"), ("thread", thread_url), ("settings", "/settings"), ("profile", "/people/alice")):
            _screenshots(browser, run_dir, url if url.startswith("http") else inst.url(url), name, cookies)


def test_forged_form_is_refused_and_changes_nothing(cluster, browser):
    inst = cluster[0]
    alice = inst.users["alice"]
    before = _statuses_of(inst, "alice")
    ctx = _context(browser, True)
    try:
        page = ctx.new_page()
        _sign_in(page, inst, alice)
        # Same browser, same cookies, a form without the session's token (as another site on
        # this host would send it): 403, nothing stored.
        for token in (None, "forged"):
            form = {"text": "forged post", "visibility": "public", "key": "k"}
            if token:
                form["csrf"] = token
            resp = ctx.request.post(inst.url("/posts"), form=form, max_redirects=0)
            assert resp.status == 403, resp.text()
        resp = ctx.request.post(inst.url("/settings/sessions/end-all"), form={"csrf": ""}, max_redirects=0)
        assert resp.status == 403
        page.goto(inst.url("/home"))
        assert page.url == inst.url("/home"), "still signed in: nothing ended"
    finally:
        ctx.close()
    assert _statuses_of(inst, "alice") == before


def test_stored_script_is_inert(cluster, browser, js):
    inst = cluster[0]
    bob = inst.users["bob"]
    probe = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> probe'
    ctx = _context(browser, js)
    try:
        page = ctx.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _sign_in(page, inst, bob)
        page.get_by_label(re.compile("Votre message|Your message")).fill(probe)
        page.locator("#vis-public").check()
        page.locator(".compose button[type=submit]").click()
        page.wait_for_url(re.compile(r"/posts/\d+$"))
        for url in (page.url, inst.url("/"), inst.url("/people/bob")):
            page.goto(url)
            content = page.locator(".content", has_text="probe").first
            assert "<script>" in content.inner_text(), "shown as text"
            assert content.locator("script, img").count() == 0, url
            if js:
                assert page.evaluate("window.__xss") is None
        assert dialogs == []
    finally:
        ctx.close()


def test_language_setting_follows_the_account(cluster, browser, js):
    inst = cluster[0]
    alice = inst.users["alice"]
    ctx = _context(browser, js, "fr-FR")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, alice)
        page.goto(inst.url("/settings"))
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_label("English").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer la langue").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == "Settings"
        page.get_by_label("My browser's").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save the language").click()
        assert page.locator("html").get_attribute("lang") == "fr"
        # Sign out everywhere ends this session too.
        page.get_by_role("button", name="Se déconnecter partout").click()
        page.wait_for_url(inst.url("/"))
        page.goto(inst.url("/home"))
        assert page.url == inst.url("/signin")
    finally:
        ctx.close()


def test_federation_addresses_open_web_pages(cluster, browser, js):
    """A browser opening an actor, post or hashtag address gets the web page; a server asking
    for ActivityStreams at the same address gets the document."""
    inst = cluster[0]
    status = inst.api("bob").status_post("Affiches collées rue Victor-Hugo #collage", visibility="public")
    post_path = f"/@bob/{status['id']}"
    ctx = _context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        for path, heading in (("/@bob", "bob"), ("/users/bob", "bob"), ("/tags/collage", "#collage")):
            resp = page.goto(inst.url(path))
            assert resp.status == 200, path
            assert resp.headers["content-type"].startswith("text/html"), path
            assert "Accept" in resp.headers.get("vary", ""), path
            assert page.get_by_role("heading", level=1).first.inner_text() == heading, path
        resp = page.goto(inst.url(post_path))
        assert resp.status == 200
        assert "Affiches collées" in page.locator(".focus .post").inner_text()
        assert page.goto(inst.url(f"/@alice/{status['id']}")).status == 404, "the address names another author"
    finally:
        ctx.close()
    s = harness.http_session()
    for path in ("/users/bob", post_path):
        r = s.get(inst.url(path), headers={"Accept": "application/activity+json"}, timeout=15)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/activity+json"), path
    assert _axe(browser, inst.url("/tags/collage")) == []


def test_oauth_authorize_needs_only_consent_when_signed_in(cluster, browser, js):
    """An app asking a signed-in person for access: the authorize page asks for consent only
    (no password) and its form carries the session's token; a forged token gets 403."""
    from urllib.parse import urlencode

    from mastodon import Mastodon

    inst = cluster[0]
    oob = "urn:ietf:wg:oauth:2.0:oob"
    client_id, _ = Mastodon.create_app(
        "coopol-ft-web-consent", scopes=["read"], redirect_uris=oob,
        api_base_url=inst.base_url, session=harness.http_session(), request_timeout=30,
    )
    query = urlencode({"client_id": client_id, "redirect_uri": oob, "response_type": "code", "scope": "read"})
    ctx = _context(browser, js)
    try:
        page = ctx.new_page()
        _sign_in(page, inst, inst.users["bob"])
        page.goto(inst.url(f"/oauth/authorize?{query}"))
        assert "@bob" in page.inner_text("body")
        assert page.locator("input[type=password]").count() == 0
        forged = ctx.request.post(
            inst.url("/oauth/authorize"),
            form={"client_id": client_id, "redirect_uri": oob, "response_type": "code", "scope": "read", "csrf": "x"},
            max_redirects=0,
        )
        assert forged.status == 403
        page.get_by_role("button").filter(has_text="Authorize").click()
        page.wait_for_selector("#code")
        assert len(page.inner_text("#code").strip()) > 20
    finally:
        ctx.close()


_api_session = browsing.api_session
_create_group = browsing.create_group
_group_event = browsing.group_event


def test_groups_directory_and_a_request_to_join(cluster, browser, js, run_dir):
    """A person finds a group in the directory and asks to join with a message; the group's
    admin accepts from the requests page; the person is then a member."""
    inst = cluster[0]
    alice, bob = inst.users["alice"], inst.users["bob"]
    name = f"quartier{'js' if js else 'nojs'}"
    group = _create_group(
        inst, "alice", name=name, display_name="Comité de quartier Fives",
        description="Le comité des habitantes et habitants de Fives : logement, écoles, transports.",
        rules="1. Respect des personnes\n2. Pas de publicité\n3. Les décisions se prennent en réunion",
        join_mode="approval",
    )
    _group_event(inst, "alice", group["id"], "Tractage au marché")
    group_url = inst.url(f"/groups/{name}")
    message = "Habitant de la rue Pierre-Legrand, je veux aider pour les écoles."
    ctx = _context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, bob)
        page.get_by_role("navigation").get_by_role("link", name="Groups").click()
        page.wait_for_url(inst.url("/groups"))
        assert page.get_by_role("heading", level=1).inner_text() == "Groups"
        card = page.locator(".group-card", has_text=f"!{name}")
        assert "On approval" in card.inner_text() and "1 member" in card.inner_text()
        card.get_by_role("link", name="Comité de quartier Fives").click()
        page.wait_for_url(group_url)
        assert "Tractage au marché" in page.get_by_role("region", name="Upcoming events").inner_text()
        # The group's calendar link opens its iCalendar feed (served beside the page's routes).
        feed = page.get_by_role("link", name=re.compile("iCalendar")).get_attribute("href")
        ics = ctx.request.get(inst.url(feed))
        assert ics.status == 200 and "Tractage au marché" in ics.text(), ics.text()[:200]
        page.get_by_label("Message to the moderators (optional)").fill(message)
        with page.expect_navigation():
            page.get_by_role("button", name="Ask to join").click()
        assert "waiting for a moderator" in page.locator("#membership").inner_text()
        bob_cookies = ctx.cookies()
    finally:
        ctx.close()

    ctx = _context(browser, js, "fr-FR")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, alice)
        page.goto(group_url)
        page.get_by_role("link", name=re.compile(r"Demandes d’adhésion \(1 en attente\)")).click()
        page.wait_for_url(group_url + "/requests")
        row = page.locator(".people li", has_text="@bob")
        assert message in row.inner_text()
        with page.expect_navigation():
            row.get_by_role("button", name="Accepter").click()
        assert "Aucune demande en attente" in page.inner_text("main")
        alice_cookies = ctx.cookies()
    finally:
        ctx.close()

    ctx = _context(browser, js, "en-GB")
    try:
        ctx.add_cookies(bob_cookies)
        page = ctx.new_page()
        page.goto(group_url)
        assert "You are in this group as: member" in page.locator("#membership").inner_text()
        assert page.get_by_role("button", name="Leave the group").is_visible()
        # From the group's agenda to the event, and "I'm coming".
        page.get_by_role("region", name="Upcoming events").get_by_role("link", name="Tractage au marché").click()
        page.wait_for_url(re.compile(r"/events/\d+$"))
        event_url = page.url
        assert "(Europe/Paris)" in page.inner_text("main")
        with page.expect_navigation():
            page.get_by_role("button", name="I'm coming").click()
        assert "You are coming." in page.locator("#rsvp").inner_text()
        assert "1 person coming" in page.inner_text("main")
    finally:
        ctx.close()

    assert _axe(browser, inst.url("/groups")) == []
    assert _axe(browser, group_url) == []
    for url in (inst.url("/groups"), group_url, group_url + "/requests", group_url + "/members", event_url):
        assert _axe(browser, url, alice_cookies) == [], url
    assert _axe(browser, inst.url("/events")) == []
    assert _axe(browser, event_url, bob_cookies) == []
    if js:
        # bob posts in the group, so that its page shows a post.
        inst.api("bob").status_post(f"@{name} Réunion jeudi 19 h à la maison de quartier : qui vient ?", visibility="public")
        harness.wait_for(
            lambda: "Réunion jeudi" in harness.http_session().get(group_url, timeout=15).text or None,
            timeout=20, what="the group's post on its page",
        )
        _screenshots(browser, run_dir, inst.url("/groups"), "groups", bob_cookies)
        _screenshots(browser, run_dir, group_url, "group", alice_cookies)
        _screenshots(browser, run_dir, event_url, "event", bob_cookies)


def test_notifications_page_shows_a_mention_and_a_follow(cluster, browser, js, run_dir):
    inst = cluster[0]
    alice = inst.users["alice"]
    bob = inst.api("bob")
    posted = bob.status_post(f"@alice on colle les affiches ce soir ? ({'js' if js else 'nojs'})", visibility="public")
    bob.account_follow(posted["mentions"][0]["id"])
    ctx = _context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, alice)
        page.get_by_role("link", name="Notifications").click()
        page.wait_for_url(inst.url("/notifications"))
        assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
        lines = page.locator(".notifications").inner_text()
        assert re.search(r"mentioned you", lines) and re.search(r"follows you", lines), lines
        assert "on colle les affiches" in lines
        page.get_by_role("link", name="Mentions only").click()
        page.wait_for_url(re.compile(r"only=mentions"))
        lines = page.locator(".notifications").inner_text()
        assert "mentioned you" in lines and "follows you" not in lines, lines
        cookies = ctx.cookies()
    finally:
        ctx.close()
    assert _axe(browser, inst.url("/notifications"), cookies) == []
    if js:
        _screenshots(browser, run_dir, inst.url("/notifications"), "notifications", cookies)


def test_unknown_address_is_a_page_for_browsers_and_json_for_apps(cluster, browser, js, run_dir):
    import json
    import urllib.error
    import urllib.request

    inst = cluster[0]
    ctx = _context(browser, js, "fr-FR")
    try:
        page = ctx.new_page()
        resp = page.goto(inst.url("/nope"))
        assert resp.status == 404
        assert resp.headers["content-type"].startswith("text/html")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("heading", level=1).is_visible()
        assert "Record not found" not in page.content()
    finally:
        ctx.close()
    req = urllib.request.Request(inst.url("/nope"), headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 404
    assert json.loads(err.value.read()) == {"error": "Record not found"}
    assert _axe(browser, inst.url("/nope")) == []
    if js:
        _screenshots(browser, run_dir, inst.url("/nope"), "not-found")


@pytest.fixture(scope="module")
def nadia(cluster):
    """The instance's admin (role ``admin``), made once per cluster."""
    inst = cluster[0]
    return inst.users.get("nadia") or inst.create_user("nadia", "admin")


def _follow_status(inst, actor) -> int:
    """What the instance answers a signed Follow of alice from ``actor`` (a delivery to it)."""
    follow = actor.follow(inst.actor_url("alice"))
    return ra.send_activity(actor, inst.url("/users/alice/inbox"), follow).status_code


def test_admin_blocks_a_server_from_the_panel_and_its_deliveries_are_refused(
    cluster, browser, js, run_dir, remote, nadia
):
    inst = cluster[0]
    reason = f"Spam en rafale ({'js' if js else 'nojs'})"
    assert _follow_status(inst, remote.new_actor()) == 202, "before the block, the server's Follow is accepted"
    # Someone who is not an admin is refused the panel.
    ctx = _context(browser, js, "en-GB")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, inst.users["bob"])
        assert page.goto(inst.url("/admin")).status == 403
        assert page.get_by_role("link", name="Administration").count() == 0
    finally:
        ctx.close()

    ctx = _context(browser, js, "fr-FR")
    try:
        page = ctx.new_page()
        _sign_in(page, inst, nadia)
        page.get_by_role("link", name="Administration").click()
        page.wait_for_url(inst.url("/admin"))
        assert page.get_by_role("heading", level=1).inner_text() == "Administration"
        assert "comptes locaux" in page.locator(".stats").inner_text()
        page.get_by_role("navigation", name="Pages d’administration").get_by_role("link", name="Serveurs bloqués").click()
        page.wait_for_url(inst.url("/admin/domains"))
        # A mistake first: the error summary links to the field, which says what is wrong.
        page.get_by_label("Domaine du serveur").fill("pas un domaine")
        # The form answers at its own address: wait for that navigation, not for the URL.
        with page.expect_navigation():
            page.get_by_role("button", name="Bloquer ce serveur").click()
        assert "Il y a un problème" in page.locator(".error-summary").inner_text()
        assert page.get_by_label("Domaine du serveur").get_attribute("aria-invalid") == "true"
        page.get_by_label("Domaine du serveur").fill(remote.domain)
        page.get_by_label("Raison (facultatif)").fill(reason)
        page.get_by_role("button", name="Bloquer ce serveur").click()
        page.wait_for_url(inst.url("/admin/domains?done=blocked"))
        assert "Le serveur est bloqué." in page.get_by_role("status").inner_text()
        listed = page.locator(".admin-list").inner_text()
        assert remote.domain in listed and reason in listed
        cookies = ctx.cookies()

        if js:
            _screenshots(browser, run_dir, inst.url("/admin"), "admin", cookies)
            _screenshots(browser, run_dir, inst.url("/admin/domains"), "admin-domains", cookies)

        # The blocked server's deliveries are refused.
        status = _follow_status(inst, remote.new_actor())
        assert 400 <= status < 500, f"a Follow from the blocked {remote.domain} answered {status}"
        assert remote.domain in inst.admin("domain-block", "list").stdout

        # The log says who did it and why.
        page.goto(inst.url("/admin/log"))
        log = page.locator(".admin-list").inner_text()
        assert "Serveur bloqué" in log and remote.domain in log and reason in log and "@nadia" in log

        # Lifted from the panel, the server's deliveries are accepted again.
        page.goto(inst.url("/admin/domains"))
        page.get_by_role("button", name=f"Lever le blocage de {remote.domain}").click()
        page.wait_for_url(inst.url("/admin/domains?done=lifted"))
        assert "Aucun serveur n’est bloqué." in page.get_by_role("main").inner_text()
    finally:
        ctx.close()
    harness.wait_for(lambda: _follow_status(inst, remote.new_actor()) == 202, what="a Follow accepted after the lift")

    for path in ("/admin", "/admin/domains", "/admin/accounts", "/admin/groups", "/admin/log"):
        assert _axe(browser, inst.url(path), cookies) == [], path
    bob = inst.api("bob").account_verify_credentials()["id"]
    assert _axe(browser, inst.url(f"/admin/accounts/{bob}/delete"), cookies) == []
