"""The walk's part: administration (see walk.py, which calls run() after the meeting is held).

The administrator edits the Haute-Marne structure's letterhead, creates an
account, changes its role, disables it (its session ends at its next click)
and enables it again, then reads the audit log filtered by record and by
period. The secrétariat reads its own structure's log only and gets the 403
page on the structures' screens. Every page is looked at (axe-core, 1280 and
320 px). The walk's own accounts are left as they were.
"""

import datetime
import urllib.parse
from zoneinfo import ZoneInfo

from common import (ADMIN_EMAIL, ADMIN_PASSWORD, BASE, PASSWORD, api, expect, fail, look,
                    one_h1_and_title, sign_in, visible)

NEW_EMAIL = "nadia.nouvelle@parcours.test"
NEW_NAME = "Nadia Nouvelle"


def said(page, text, message):
    """The page says `text` (a flash, an empty state), or the walk stops with what it says instead."""
    if not visible(page.get_by_text(text)):
        fail(f"{message}: {page.url} says {page.locator('main').inner_text()[:1500]!r}")
    expect(True, message)


def rows(page):
    return page.locator("main tbody tr")


def run(walk):
    """`walk`: browser, context, page (the secrétariat, signed in), admin and
    sec (API tokens), users, people, committee_url/_id, meeting_url/_id."""
    today = datetime.datetime.now(ZoneInfo("Europe/Paris")).date()
    context = walk.browser.new_context(bypass_csp=True, locale="fr-FR",
                                       viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.url.endswith("/tableau-de-bord"), "the administrator signs in")
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Administration").click()
    one_h1_and_title(page, "Administration")
    expect(page.locator("h2.fr-tile__title").count() == 3,
           "the administrator may manage structures, users and read the log")
    look(page, "administration")

    # Structures: the list, then the Haute-Marne's letterhead.
    page.get_by_role("link", name="Structures").click()
    one_h1_and_title(page, "Structures")
    expect(visible(page.get_by_role("link", name="Préfecture de la Meuse")),
           "the administrator sees every structure")
    look(page, "administration-structures")
    page.get_by_role("link", name="Préfecture de la Haute-Marne").click()
    one_h1_and_title(page, "Modifier « Préfecture de la Haute-Marne »")
    letterhead = page.get_by_label("En-tête des documents")
    expect(letterhead.input_value() == "PRÉFÈTE DE LA HAUTE-MARNE", "the letterhead is in its field")
    letterhead.fill("PRÉFÈTE DE LA HAUTE-MARNE\nLiberté Égalité Fraternité")
    page.get_by_label("Nom", exact=True).fill("Mylène BÉGUÉ")
    look(page, "administration-structure")
    page.get_by_role("button", name="Enregistrer").click()
    expect(visible(page.get_by_text("Structure « Préfecture de la Haute-Marne » enregistrée.")),
           "saving the structure says so")
    status, structure = api("GET", f"/structures/{walk.users['structure']}", walk.admin)
    expect(status == 200 and structure["letterhead"] == ["PRÉFÈTE DE LA HAUTE-MARNE",
                                                        "Liberté Égalité Fraternité"]
           and structure["case_officer"]["name"] == "Mylène BÉGUÉ",
           "the letterhead is saved one line per line, with the case officer")

    # Users: filtered by structure, a new account, its role, disabled and enabled.
    menu.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Utilisateurs et rôles").click()
    one_h1_and_title(page, "Utilisateurs et rôles")
    page.get_by_label("Structure").select_option(label="Préfecture de la Meuse")
    page.get_by_role("button", name="Filtrer").click()
    expect(visible(page.get_by_text("signataire@meuse.test"))
           and page.get_by_text("secretariat@parcours.test").count() == 0,
           "the users are filtered by structure")
    look(page, "administration-utilisateurs")
    page.get_by_role("link", name="Créer un compte").click()
    one_h1_and_title(page, "Nouvel utilisateur")
    page.get_by_label("Adresse e-mail").fill(NEW_EMAIL)
    page.get_by_label("Nom affiché").fill(NEW_NAME)
    page.get_by_label("Rôle").select_option(label="Lecture seule")
    page.get_by_label("Structure").select_option(label="Préfecture de la Haute-Marne")
    page.get_by_label("Mot de passe initial").fill("court")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator("#mot-de-passe-erreur")
    expect(visible(error) and page.get_by_label("Mot de passe initial").get_attribute(
        "aria-describedby") == "mot-de-passe-erreur",
        "a short password is refused beside its field")
    expect(page.get_by_label("Nom affiché").input_value() == NEW_NAME, "what was typed stays")
    look(page, "administration-utilisateur-erreur")
    page.get_by_label("Mot de passe initial").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    said(page, f"Compte de {NEW_NAME} créé (Lecture seule).", "creating the account says so")
    status, listed = api("GET", f"/users?structure_id={walk.users['structure']}", walk.admin)
    new_id = next((u["id"] for u in listed["items"] if u["email"] == NEW_EMAIL), None) \
        if status == 200 else None
    if new_id is None:
        fail(f"the new account is not in the API's list: {status} {listed}")

    page.get_by_role("link", name=NEW_NAME).click()
    one_h1_and_title(page, f"Modifier le compte de {NEW_NAME}")
    page.get_by_label("Rôle").select_option(label="Secrétariat")
    look(page, "administration-utilisateur")
    page.get_by_role("button", name="Enregistrer").click()
    said(page, f"Compte de {NEW_NAME} enregistré (Secrétariat).", "changing the role says so")
    status, user = api("GET", f"/users/{new_id}", walk.admin)
    expect(status == 200 and user["role"] == "secretariat", "the role is changed")

    # Signed in elsewhere, the account's session ends once it is disabled.
    elsewhere = walk.browser.new_context(bypass_csp=True, locale="fr-FR")
    nadia = elsewhere.new_page()
    sign_in(nadia, NEW_EMAIL, PASSWORD)
    expect(nadia.url.endswith("/tableau-de-bord"), "the new account signs in")
    page.get_by_role("button", name=f"Désactiver le compte de {NEW_NAME}").click()
    expect(visible(page.get_by_text(f"Compte de {NEW_NAME} désactivé")), "disabling says so")
    look(page, "administration-utilisateur-desactive")
    nadia.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Comités").click()
    expect("/connexion" in nadia.url and visible(nadia.get_by_text("Votre session a pris fin")),
           "the disabled account's session ends at its next click")
    page.get_by_role("button", name=f"Réactiver le compte de {NEW_NAME}").click()
    expect(visible(page.get_by_text(f"Compte de {NEW_NAME} réactivé.")), "enabling says so")
    sign_in(nadia, NEW_EMAIL, PASSWORD)
    expect(nadia.url.endswith("/tableau-de-bord"), "enabled again, the account signs in")
    elsewhere.close()
    expect(page.get_by_role("button", name="Désactiver le compte de Administrateur").count() == 0,
           "no button disables one's own account")

    # The audit log, filtered by record and by period: the walk's own events.
    menu.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Journal des modifications").click()
    one_h1_and_title(page, "Journal des modifications")
    look(page, "journal")
    page.get_by_label("Type d’élément").select_option(label="Utilisateur")
    page.get_by_label("Identifiant de l’élément").fill(new_id)
    page.get_by_label("Du", exact=True).fill(today.isoformat())
    page.get_by_label("Au (inclus)").fill(today.isoformat())
    page.get_by_role("button", name="Filtrer").click()
    expect(rows(page).count() == 4, "the new account's four events: created, role, disabled, enabled")
    expect(visible(page.get_by_role("cell", name="Création d’un compte"))
           and page.get_by_role("cell", name="Modification d’un compte").count() == 3,
           "the actions read in French")
    expect(page.get_by_role("cell", name="Administrateur").count() == 4, "the log names who did it")
    look(page, "journal-filtre")
    page.get_by_label("Type d’élément").select_option(label="Structure")
    page.get_by_label("Identifiant de l’élément").fill(walk.users["structure"])
    page.get_by_role("button", name="Filtrer").click()
    expect(visible(page.get_by_role("link", name="Structure"))
           and visible(page.get_by_text("champs modifiés", exact=False)),
           "the structure's change is logged, linked to the structure")
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    page.goto(BASE + "/administration/journal?" + urllib.parse.urlencode({"from": tomorrow}))
    expect(visible(page.get_by_text("Aucune modification ne correspond")),
           "an empty period says what to do")
    look(page, "journal-vide")
    context.close()

    # The secrétariat: its own structure's log, no structures screens.
    sec = walk.page
    sec.goto(BASE + "/administration")
    one_h1_and_title(sec, "Administration")
    expect(sec.get_by_role("link", name="Structures").count() == 0,
           "the secrétariat is not offered the structures")
    look(sec, "administration-secretariat")
    sec.goto(BASE + "/administration/journal?entity=structure")
    count, meuse = rows(sec).count(), sec.get_by_text("Préfecture de la Meuse").count()
    expect(count >= 2 and meuse == 0,
           f"the secrétariat's log holds its own structure's events only ({count} rows, {meuse} of the Meuse)")
    look(sec, "journal-secretariat")
    for path in ("/administration/structures",
                 f"/administration/structures/{walk.users['structure']}/modifier"):
        sec.goto(BASE + path)
        expect(sec.title() == "Accès refusé — clu", f"the secrétariat gets the 403 page on {path}")
    look(sec, "structures-refuse")
    sec.goto(BASE + "/administration/utilisateurs")
    expect(visible(sec.get_by_text(NEW_EMAIL)) and sec.get_by_text("signataire@meuse.test").count() == 0,
           "the secrétariat manages its own structure's accounts")
    look(sec, "administration-utilisateurs-secretariat")
    sec.goto(BASE + "/tableau-de-bord")
