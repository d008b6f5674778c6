"""The browser walk of the staff web interface, on a real `clu serve`.

Run by tests/web/browser.rs (through scripts/browser-suite), which starts
the server and an administrator. Seeds a structure through the JSON API,
then drives Debian's chromium: signs in, visits every page at 1280 and
320 px wide, injects axe-core into each and fails on any WCAG 2.1 A/AA
violation, checks the CSRF refusal and that disabling an account ends its
session at the next click. Prints one line per check; exits non-zero on
the first failure, saying what failed.
"""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

BASE = os.environ["CLU_URL"].rstrip("/")
ADMIN_EMAIL = os.environ["CLU_ADMIN_EMAIL"]
ADMIN_PASSWORD = os.environ["CLU_ADMIN_PASSWORD"]
AXE_JS = os.environ["AXE_JS"]
SHOTS = os.environ["SCREENSHOTS_DIR"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "mot de passe du parcours 2031"
WIDTHS = (1280, 320)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What this closed network needs: no sandbox as root, nothing fetched.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

checks = 0
axe_counts = {}


def ok(message):
    global checks
    checks += 1
    print(f"ok {checks} - {message}", flush=True)


def fail(message):
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)
    ok(message)


def api(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + "/api/v1" + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def created(method, path, token, body):
    status, answer = api(method, path, token, body)
    if status not in (200, 201, 202):
        fail(f"seeding {method} {path}: {status} {answer}")
    return answer


def login(email, password):
    status, answer = api("POST", "/auth/login", body={"email": email, "password": password})
    if status != 200:
        fail(f"API login of {email}: {status} {answer}")
    return answer["access_token"]


def seed():
    """A structure, its secretariat, a reader, a committee of three members,
    a meeting in ten days to which they are invited, and one held before."""
    admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
    structure = created("POST", "/structures", admin, {
        "name": "Préfecture de la Haute-Marne",
        "department_code": "52",
        "city": "Chaumont",
        "service_name": "Secrétariat Général Commun Départemental",
        "letterhead": ["PRÉFÈTE DE LA HAUTE-MARNE"],
    })["id"]
    users = {}
    for role, email in (("secretariat", "secretariat@parcours.test"), ("reader", "lecteur@parcours.test")):
        users[role] = created("POST", "/users", admin, {
            "email": email, "display_name": "Mylène Bégué" if role == "secretariat" else "Louis Lecteur",
            "role": role, "structure_id": structure, "password": PASSWORD,
        })["id"]
    sec = login("secretariat@parcours.test", PASSWORD)
    committee = created("POST", "/committees", sec, {
        "name": "Comité Local des Usagers de la Haute-Marne", "kind": "clu"})["id"]
    members = []
    for first, last in (("Anne", "Titulaire"), ("Bruno", "Martin"), ("Claire", "Durand")):
        member = created("POST", "/members", sec, {
            "civility": "Mme" if first != "Bruno" else "M.", "first_name": first, "last_name": last,
            "email": f"{first.lower()}.{last.lower()}@example.fr"})["id"]
        created("POST", f"/committees/{committee}/memberships", sec, {"member_id": member, "role": "member"})
        members.append(member)
    day = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=10)
    start = day.replace(hour=13, minute=30, second=0, microsecond=0)
    meeting = created("POST", f"/committees/{committee}/meetings", sec, {
        "title": "Comité local des usagers — séance d’hiver",
        "starts_at": start.isoformat(), "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
        "location": "Salle Louise Michel", "mode": "hybrid"})["id"]
    created("POST", f"/meetings/{meeting}/invitations", sec, {})
    before = start - datetime.timedelta(days=40)
    created("POST", f"/committees/{committee}/meetings", sec, {
        "title": "Comité local des usagers — séance d’automne",
        "starts_at": before.isoformat(), "ends_at": (before + datetime.timedelta(hours=2)).isoformat(),
        "location": "Salle Louise Michel", "mode": "in_person"})
    ok("seeded a structure, a committee and a convened meeting through the API")
    return admin, users


def axe(page, name):
    page.add_script_tag(path=AXE_JS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    violations = result["violations"]
    axe_counts[name] = (len(violations), len(result["passes"]))
    if violations:
        lines = []
        for v in violations:
            targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
            lines.append(f"  {v['id']} ({v['impact']}): {v['help']} -> {targets}")
        fail(f"axe-core on {name} ({page.url}): {len(violations)} violation(s)\n" + "\n".join(lines))
    ok(f"axe-core on {name}: 0 violations, {len(result['passes'])} rules passed")


def look(page, name):
    """axe-core at each width, and a full-page screenshot at each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe(page, f"{name}@{width}")
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def one_h1_and_title(page, title):
    expect(page.locator("h1").count() == 1, f"{page.url} has one h1")
    expect(page.title() == f"{title} — clu", f"{page.url} is titled '{title} — clu'")


def sign_in(page, email, password):
    page.goto(BASE + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def main():
    os.makedirs(SHOTS, exist_ok=True)
    admin, users = seed()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # The pages' own CSP, enforced: nothing they load or run is refused.
        strict = browser.new_context(locale="fr-FR")
        strict_page = strict.new_page()
        refused = []
        strict_page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        strict_page.goto(BASE + "/connexion")
        strict_page.wait_for_load_state("networkidle")
        expect(not refused, f"the sign-in page breaks none of its CSP rules {refused}")
        sign_in(strict_page, "secretariat@parcours.test", PASSWORD)
        for path in ("/tableau-de-bord", "/compte"):
            strict_page.goto(BASE + path)
            strict_page.wait_for_load_state("networkidle")
            expect(not refused, f"{path} breaks none of its CSP rules {refused}")
        strict.close()

        # axe-core is injected: this context ignores the CSP.
        context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()

        page.goto(BASE + "/")
        expect(page.url.endswith("/connexion"), "/ sends a visitor to the sign-in page")
        one_h1_and_title(page, "Connexion")
        look(page, "connexion")

        sign_in(page, "secretariat@parcours.test", "pas le bon mot de passe")
        expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.").is_visible(),
               "a wrong password is said in words")
        look(page, "connexion-erreur")

        page.goto(BASE + "/connexion")
        page.get_by_role("button", name="Se connecter").click()
        field = page.get_by_label("Adresse e-mail")
        expect(field.get_attribute("aria-invalid") == "true"
               and field.get_attribute("aria-describedby") == "email-erreur"
               and page.locator("#email-erreur").inner_text() == "Indiquez votre adresse e-mail.",
               "an empty e-mail is reported next to its field and linked to it")
        look(page, "connexion-champs")

        sign_in(page, "secretariat@parcours.test", PASSWORD)
        expect(page.url.endswith("/tableau-de-bord"), "signing in leads to the dashboard")
        one_h1_and_title(page, "Tableau de bord")
        expect(page.get_by_text("Comité local des usagers — séance d’hiver").is_visible(),
               "the dashboard lists the meeting to come")
        expect(page.get_by_text("0 oui, 0 non, 3 en attente").is_visible(),
               "the dashboard shows the answers so far")
        expect(page.get_by_text("Comité local des usagers — séance d’automne").is_visible(),
               "the dashboard lists the past meeting apart")
        look(page, "tableau-de-bord")

        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon compte").click()
        expect(page.url.endswith("/compte"), "the navigation leads to the account page")
        one_h1_and_title(page, "Mon compte")
        expect(page.get_by_text("secretariat@parcours.test").is_visible(), "the account page shows the e-mail")
        look(page, "mon-compte")

        page.goto(BASE + "/nulle-part")
        one_h1_and_title(page, "Page introuvable")
        look(page, "introuvable")

        # A form posted without its token, with the session's cookie.
        forged = page.request.post(BASE + "/deconnexion", form={"x": "1"}, max_redirects=0)
        expect(forged.status == 403 and "Formulaire refusé" in forged.text(),
               "a form posted without its CSRF token is refused with a French 403 page")
        page.goto(BASE + "/compte")
        expect(page.url.endswith("/compte"), "the refused form did not sign the user out")

        # The reader, signed in elsewhere, is disabled: the next click ends it.
        other = browser.new_context(bypass_csp=True, locale="fr-FR")
        reader = other.new_page()
        sign_in(reader, "lecteur@parcours.test", PASSWORD)
        expect(reader.url.endswith("/tableau-de-bord"), "the reader signs in")
        status, answer = api("PATCH", f"/users/{users['reader']}", admin, {"active": False})
        if status != 200:
            fail(f"disabling the reader: {status} {answer}")
        reader.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Mon compte").click()
        expect("/connexion" in reader.url and reader.get_by_text("Votre session a pris fin").is_visible(),
               "a disabled user's session ends at the next click")
        other.close()

        page.get_by_role("button", name="Se déconnecter").first.click()
        expect(page.get_by_text("Vous êtes déconnecté.").is_visible(), "signing out says so")
        look(page, "deconnexion")
        page.goto(BASE + "/tableau-de-bord")
        expect(page.url.endswith("/connexion"), "after signing out the dashboard asks to sign in")

        browser.close()
    print("axe-core violations per page: " + ", ".join(
        f"{name} {count} ({passes} passed)" for name, (count, passes) in axe_counts.items()))
    print(f"screenshots in {SHOTS}")
    print(f"{checks} passed, 0 failed")


if __name__ == "__main__":
    main()
