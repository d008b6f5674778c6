"""The ProConnect sign-in in a real browser, on a real `clu serve` whose
provider is a real local OpenID provider (oidc-provider, started by
tests/web/proconnect.rs). Seeds the secrétariat's account through the
JSON API, then, in chromium with the pages' own CSP enforced: the sign-in
page shows "S'identifier avec ProConnect" beside the password form
(axe-core at 1280 and 320 px, screenshots); the button leads to the
provider, where the secrétariat signs in, and back to clu's dashboard;
"Se déconnecter" ends clu's session, then the provider's, and comes back
to clu's sign-in page saying so; the provider then asks who signs in
again; an identity without a clu account gets the page saying whom to
ask. Prints one line per check; exits non-zero on the first failure."""

import os

from playwright.sync_api import sync_playwright

import common
from common import (ADMIN_EMAIL, ADMIN_PASSWORD, BASE, CHROMIUM, CHROMIUM_ARGS, PASSWORD, SHOTS, created,
                    expect, login, look, one_h1_and_title, visible)

ISSUER = os.environ["OIDC_ISSUER"]
SECRETARIAT = "secretariat@parcours.test"
UNKNOWN = "inconnu@culture.gouv.fr"


def seed():
    admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
    structure = created("POST", "/structures", admin, {
        "name": "Préfecture de la Haute-Marne",
        "department_code": "52",
        "city": "Chaumont",
        "service_name": "Secrétariat Général Commun Départemental",
        "letterhead": ["PRÉFÈTE DE LA HAUTE-MARNE"],
    })["id"]
    created("POST", "/users", admin, {
        "email": SECRETARIAT, "display_name": "Mylène Bégué", "role": "secretariat",
        "structure_id": structure, "password": PASSWORD})


def main():
    os.makedirs(SHOTS, exist_ok=True)
    seed()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        # The sign-in page, looked at (axe-core is injected: no CSP here).
        looked = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = looked.new_page()
        page.goto(BASE + "/connexion")
        one_h1_and_title(page, "Connexion")
        button = page.get_by_role("link", name="S’identifier avec ProConnect")
        expect(visible(button), "the sign-in page offers “S’identifier avec ProConnect”")
        expect(visible(page.get_by_role("link", name="Qu’est-ce que ProConnect ?")),
               "with the link “Qu’est-ce que ProConnect ?”")
        expect(visible(page.get_by_label("Mot de passe")), "beside the password form")
        look(page, "connexion-proconnect")
        looked.close()

        # The whole way with the pages' own CSP enforced: nothing is refused.
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(BASE + "/connexion")
        page.get_by_role("link", name="S’identifier avec ProConnect").click()
        page.wait_for_url(ISSUER + "/interaction/**")
        expect(True, "the button leads to the provider's sign-in page")
        page.get_by_label("Adresse e-mail").fill(SECRETARIAT)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(BASE + "/tableau-de-bord")
        one_h1_and_title(page, "Tableau de bord")
        expect(visible(page.get_by_text("Mylène Bégué")), "signed in as the secrétariat, on the dashboard")

        page.get_by_role("button", name="Se déconnecter").first.click()
        page.wait_for_url(BASE + "/connexion?sortie=proconnect")
        expect(visible(page.get_by_text("Vous êtes déconnecté de clu et de ProConnect.")),
               "signed out of clu and of the provider, back on clu's sign-in page")
        page.goto(BASE + "/tableau-de-bord")
        expect(page.url.startswith(BASE + "/connexion"), "clu's session has ended")
        page.get_by_role("link", name="S’identifier avec ProConnect").click()
        page.wait_for_url(ISSUER + "/interaction/**")
        expect(visible(page.get_by_label("Adresse e-mail")), "the provider's session has ended: it asks again")
        expect(not refused, f"no CSP refusal on the way {refused}")
        context.close()

        # An identity clu has no account for: the French page saying whom
        # to ask, looked at.
        looked = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = looked.new_page()
        page.goto(BASE + "/connexion")
        page.get_by_role("link", name="S’identifier avec ProConnect").click()
        page.wait_for_url(ISSUER + "/interaction/**")
        page.get_by_label("Adresse e-mail").fill(UNKNOWN)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(BASE + "/connexion/proconnect/retour**")
        one_h1_and_title(page, "Aucun compte clu à cette adresse")
        expect(visible(page.get_by_text("Demandez au secrétariat de votre structure")),
               "an unknown identity is told whom to ask")
        look(page, "proconnect-compte-inconnu")
        page.goto(BASE + "/tableau-de-bord")
        expect(page.url.startswith(BASE + "/connexion"), "and has no session")
        looked.close()
        browser.close()
    print(f"{common.checks} passed, 0 failed")


if __name__ == "__main__":
    main()
