"""The browser walk of the staff web interface, on a real `clu serve`.

Run by tests/web/browser.rs (through scripts/browser-suite), which starts
the server, a real SMTP server (its maildir in MAILDIR) and an
administrator. Seeds the structures and their accounts through the JSON
API, then drives Debian's chromium as the secrétariat does: signs in,
imports the Haute-Marne registry CSV (dry run, then for real), creates a
committee with a titular and a substitute, a meeting with four agenda
items and an annex, invites, opens one invitation's link from the e-mail the SMTP
server received and answers it, sees the answer on the attendance page,
does the roll call (one row saved by htmx, then the whole list), marks
the meeting held; convenes a second meeting whose calendar answer and
bounce come back through the IMAP server (steps_mailbox); signs out. On the way: a stale save is shown as such
and loses nothing, a reader sees no write button and a forged POST of
theirs is refused, another structure's record is a 404 page, a form
without its CSRF token is refused, a disabled user's session ends at the
next click. Every page visited is checked by axe-core at 1280 and 320 px
(WCAG 2.1 A/AA) and saved as a screenshot. Prints one line per check;
exits non-zero on the first failure, saying what failed.
"""

import datetime
import io
import os
import re
import time
import zipfile
from types import SimpleNamespace

from playwright.sync_api import expect as eventually
from playwright.sync_api import sync_playwright

import steps_actions
import steps_admin
import steps_mailbox
import steps_minutes
from common import (ADMIN_EMAIL, ADMIN_PASSWORD, BASE, CHROMIUM, CHROMIUM_ARGS, PASSWORD, REGISTRY_CSV, SHOTS,
                    api, axe_counts, created, expect, fail, login, look, member_id, ok, one_h1_and_title,
                    received, sign_in, small_pdf, drop_file, text_of, visible)
import common


def seed():
    """Two structures with their accounts (the walk creates everything else
    through the pages), and a member of the other structure."""
    admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
    structure = created("POST", "/structures", admin, {
        "name": "Préfecture de la Haute-Marne",
        "department_code": "52",
        "city": "Chaumont",
        "service_name": "Secrétariat Général Commun Départemental",
        "letterhead": ["PRÉFÈTE DE LA HAUTE-MARNE"],
    })["id"]
    users = {"structure": structure}
    for role, address, name in (("secretariat", "secretariat@parcours.test", "Mylène Bégué"),
                                ("reader", "lecteur@parcours.test", "Louis Lecteur"),
                                ("signatory", "signataire@parcours.test", "Hervé Delaunay")):
        users[role] = created("POST", "/users", admin, {
            "email": address, "display_name": name, "role": role, "structure_id": structure, "password": PASSWORD,
        })["id"]
    other = created("POST", "/structures", admin, {
        "name": "Préfecture de la Meuse", "department_code": "55", "city": "Bar-le-Duc",
        "service_name": "Secrétariat général", "letterhead": ["PRÉFET DE LA MEUSE"]})["id"]
    created("POST", "/users", admin, {
        "email": "secretariat@meuse.test", "display_name": "Secrétariat de la Meuse",
        "role": "secretariat", "structure_id": other, "password": PASSWORD})
    users["other_structure"] = other
    users["other_signatory"] = created("POST", "/users", admin, {
        "email": "signataire@meuse.test", "display_name": "Claire Meusienne",
        "role": "signatory", "structure_id": other, "password": PASSWORD})["id"]
    meuse = login("secretariat@meuse.test", PASSWORD)
    users["other_member"] = created("POST", "/members", meuse, {
        "civility": "M.", "first_name": "Paul", "last_name": "Meusien", "email": "paul.meusien@example.fr"})["id"]
    ok("seeded two structures and their accounts through the API")
    return admin, users


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
        for path in ("/tableau-de-bord", "/registre/membres", "/comites", "/reunions", "/compte"):
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
        expect(visible(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")),
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
        expect(visible(page.get_by_text("Votre structure n’a pas encore de comité")),
               "the empty dashboard says what to do first")
        look(page, "tableau-de-bord-vide")
        sec = login("secretariat@parcours.test", PASSWORD)

        # The registry: the Haute-Marne CSV, checked line by line, then imported.
        menu = page.get_by_role("navigation", name="Menu principal")
        menu.get_by_role("link", name="Registre").click()
        expect(visible(page.get_by_text("Aucun membre").first), "the empty registry says what to do")
        look(page, "registre-vide")
        page.get_by_role("link", name="Importer un fichier CSV").first.click()
        one_h1_and_title(page, page.title().removesuffix(" — clu"))
        look(page, "import")
        page.get_by_label("Fichier CSV").set_input_files(REGISTRY_CSV)
        page.get_by_role("button", name="Vérifier le fichier").click()
        expect(visible(page.get_by_text("THIRARD").first), "the dry run lists the file's lines")
        status, answer = api("GET", "/members", sec)
        expect(status == 200 and answer["total"] == 0, "the dry run created nobody")
        look(page, "import-verification")
        page.get_by_role("button", name=re.compile(r"^Importer \d+ membres?")).click()
        status, answer = api("GET", "/members", sec)
        expect(status == 200 and answer["total"] == 15, f"the import created the 15 members ({answer['total']})")
        look(page, "registre")
        # Typing is enough: htmx searches as you type.
        page.get_by_label(re.compile("Nom, prénom ou organisation")).fill("begue")
        rows = page.locator("#resultats tbody tr")
        eventually(rows).to_have_count(1, timeout=15000)
        expect("BÉGUÉ" in rows.first.inner_text(),
               "searching 'begue' as you type finds Mylène BÉGUÉ alone, accents ignored")

        # Members of the committee need addresses to get the e-mail.
        people = {name: member_id(sec, name) for name in ("THIRARD", "PIERRON", "MARIA", "BÉGUÉ")}
        for name, address in (("PIERRON", "jean-paul.pierron@example.fr"), ("MARIA", "christine.maria@example.fr")):
            created("PATCH", f"/members/{people[name]}", sec, {"email": address})

        # Another structure's record is a 404 page.
        page.goto(BASE + f"/registre/membres/{users['other_member']}")
        expect(page.title() == "Page introuvable — clu", "another structure's member is a 404 page")
        look(page, "introuvable")

        # A committee, its chair, a titular and her substitute.
        page.goto(BASE + "/tableau-de-bord")
        menu.get_by_role("link", name="Comités").click()
        look(page, "comites-vide")
        page.get_by_role("link", name="Créer un comité").click()
        page.get_by_label("Nom du comité").fill("Comité Local des Usagers de la Haute-Marne")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("heading", level=1).inner_text() == "Comité Local des Usagers de la Haute-Marne",
               "the committee is created")

        def seat(last_name, role, substitute_of=None):
            options = page.locator("#membre option").all_inner_texts()
            label = next((o for o in options if o.startswith(last_name + " ")), None)
            if label is None:
                fail(f"{last_name} is not offered in the seat form: {options}")
            page.get_by_label("Membre du registre").select_option(label=label)
            page.get_by_label("Rôle").select_option(label=role)
            if substitute_of:
                titulars = page.locator("#suppleant-de option").all_inner_texts()
                pair = next((o for o in titulars if substitute_of in o), None)
                if pair is None:
                    fail(f"no titular {substitute_of} offered: {titulars}")
                page.get_by_label("Titulaire ou suppléant").select_option(label=pair)
            page.get_by_role("button", name="Enregistrer le siège").click()
            expect(visible(page.get_by_text("siège désormais au comité")), f"{last_name} is seated as {role}")

        seat("THIRARD", "Présidence")
        seat("BÉGUÉ", "Secrétariat")
        seat("PIERRON", "Membre")
        seat("MARIA", "Membre", substitute_of="PIERRON")
        expect(page.locator("td", has_text="Suppléé par Mme Christine MARIA").count() == 1
               and page.locator("td", has_text="Suppléant de M. Jean-Paul PIERRON").count() == 1,
               "the committee shows the titular / substitute pair")
        committee_url = page.url.split("#")[0]
        look(page, "comite")

        # A meeting in ten days, with four agenda items.
        page.get_by_role("link", name="Nouvelle réunion").click()
        day = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
        page.get_by_label("Intitulé", exact=True).fill("Comité local des usagers — séance d’hiver")
        page.get_by_label("Heure de début").fill("14:30")
        page.get_by_label("Heure de fin").fill("16:30")
        page.get_by_role("button", name="Enregistrer la réunion").click()
        date_field = page.get_by_label("Date", exact=True)
        expect(date_field.get_attribute("aria-describedby") == "date-erreur",
               "a meeting without a date is refused, the error linked to its field")
        look(page, "reunion-erreur")
        date_field.fill(day)
        page.get_by_label("Lieu (facultatif)").fill("Salle Louise Michel")
        page.get_by_label("Présidence").select_option(index=1)
        page.get_by_role("button", name="Enregistrer la réunion").click()
        expect(visible(page.get_by_text("Réunion créée")), "the meeting is created")
        meeting_url = page.url.split("#")[0]
        for title in ("Bilan qualité 2026", "Indicateurs de qualité de service", "Programme Services Publics +", "Questions diverses"):
            page.get_by_label("Intitulé du point").fill(title)
            page.get_by_role("button", name="Ajouter le point").click()
        expect(page.locator(".clu-agenda > li").count() == 4, "the agenda has its four items")
        page.get_by_role("button", name="Monter le point 4").click()
        expect(page.locator(".clu-agenda > li strong").nth(2).inner_text() == "Questions diverses",
               "an item moves up")
        page.get_by_role("button", name="Descendre le point 3").click()
        expect(page.locator(".clu-agenda > li strong").nth(3).inner_text() == "Questions diverses",
               "and down again")
        # An annex for item 2, with the plain file field.
        page.get_by_label("Rattacher au point").select_option(label="2. Indicateurs de qualité de service")
        page.get_by_label(re.compile("^Fichier")).set_input_files({
            "name": "indicateurs-2026.csv", "mimeType": "text/csv",
            "buffer": "Indicateur;Objectif;Résultat\nAccueil téléphonique;90;87\n".encode()})
        page.get_by_role("button", name="Ajouter l’annexe").click()
        annex_row = page.locator("#annexes + .fr-table tbody tr")
        expect(annex_row.count() == 1 and "Point 2" in annex_row.first.inner_text()
               and "tableau CSV" in annex_row.first.inner_text(),
               "the annex is listed on the meeting's page with its item and type")
        # Another, dropped on the field (clu.js), for item 3.
        page.get_by_label("Rattacher au point").select_option(label="3. Programme Services Publics +")
        zone = page.locator("[data-clu-dropzone]")
        drop_file(page, zone, "programme-sp-plus.pdf", "application/pdf", small_pdf("Services Publics +"))
        expect(visible(zone.get_by_text("Fichier choisi : programme-sp-plus.pdf.")),
               "a file dropped on the field is chosen, and the page says which")
        page.get_by_role("button", name="Ajouter l’annexe").click()
        expect(annex_row.count() == 2 and "Point 3" in annex_row.nth(1).inner_text()
               and "PDF" in annex_row.nth(1).inner_text(),
               "the dropped file is uploaded as the plain field's would be")
        expect(page.get_by_role("link", name="Télécharger le dossier en un seul PDF").count() == 0,
               "one CSV among the annexes: the dossier is offered as a ZIP only")
        # A new version of the indicators, in PDF, in place of the CSV.
        page.get_by_role("link", name="Remplacer l’annexe indicateurs-2026.csv").click()
        one_h1_and_title(page, "Remplacer une annexe")
        look(page, "annexe-remplacer")
        page.get_by_label(re.compile("^Nouvelle version")).set_input_files({
            "name": "indicateurs-2026.pdf", "mimeType": "application/pdf",
            "buffer": small_pdf("Accueil telephonique 90 87")})
        page.get_by_role("button", name="Remplacer l’annexe").click()
        expect(visible(page.get_by_text("Annexe « indicateurs-2026.csv » remplacée par « indicateurs-2026.pdf ».")),
               "the replacement is confirmed")
        expect(annex_row.count() == 2 and "indicateurs-2026.pdf" in annex_row.first.inner_text()
               and "Point 2" in annex_row.first.inner_text(),
               "the new version keeps the annex's item and place")
        one_pdf = page.get_by_role("link", name="Télécharger le dossier en un seul PDF")
        pdf_dossier = page.request.get(BASE + one_pdf.get_attribute("href"))
        expect(pdf_dossier.status == 200 and pdf_dossier.body().startswith(b"%PDF")
               and pdf_dossier.headers["content-type"] == "application/pdf",
               "every annex a PDF: the dossier downloads as one PDF")
        look(page, "reunion")

        # Two tabs edit the meeting: the second save is stale, shown, nothing lost.
        tab = context.new_page()
        tab.goto(meeting_url + "/modifier")
        page.goto(meeting_url + "/modifier")
        page.get_by_label("Lieu (facultatif)").fill("Salle des fêtes de Chaumont")
        page.get_by_role("button", name="Enregistrer la réunion").click()
        tab.get_by_label("Intitulé", exact=True).fill("Comité local des usagers — décembre")
        tab.get_by_role("button", name="Enregistrer la réunion").click()
        expect(visible(tab.get_by_text("Modifiée entre-temps"))
               and tab.get_by_label("Intitulé", exact=True).input_value() == "Comité local des usagers — décembre"
               and visible(tab.get_by_text("Valeur enregistrée : Salle des fêtes de Chaumont")),
               "a stale save is shown as such, the typed text kept, the saved value beside it")
        look(tab, "reunion-modifiee-entre-temps")
        tab.get_by_label("Lieu (facultatif)").fill("Salle des fêtes de Chaumont")
        tab.get_by_role("button", name="Enregistrer la réunion").click()
        expect(tab.get_by_role("heading", level=1).inner_text() == "Comité local des usagers — décembre",
               "saving again from the warning keeps both changes")
        tab.close()

        # Invite: who gets the e-mail, who the letter; then send through SMTP.
        page.goto(meeting_url + "/invitations")
        expect(visible(page.get_by_text("2 membres recevront l’invitation par e-mail")),
               "two members will get the e-mail")
        expect(visible(page.get_by_text("M. Guillaume THIRARD")), "the chair without an address gets the letter")
        look(page, "invitations-avant")
        page.get_by_role("button", name="Envoyer les invitations").click()
        expect(visible(page.get_by_text("2 invitations envoyées")), "the invitations are sent")
        messages = received(2)
        expect(len(messages) == 2, f"the SMTP server received the two invitations ({len(messages)})")
        page.reload()
        for _ in range(50):
            if page.locator(".fr-badge", has_text="envoyée").count() == 2:
                break
            time.sleep(0.2)
            page.reload()
        expect(page.locator(".fr-badge", has_text="envoyée").count() == 2, "both invitations show as sent")
        look(page, "invitations")
        # Convened, with an annex: the invited can be told of the documents.
        page.goto(meeting_url)
        look(page, "reunion-convoquee")
        page.get_by_role("button", name="Prévenir les invités des documents de la réunion").click()
        expect(visible(page.get_by_text("2 invités sont prévenus des documents de la réunion.")),
               "one click tells the invited of the meeting's documents")

        # Mylène answers from the link in her e-mail, without an account.
        hers = next((m for m in messages if "mylene.begue" in str(m["To"])), None)
        if hers is None:
            fail("no invitation to Mylène BÉGUÉ")
        link = re.search(r"https?://\S+/rsvp/\S+", text_of(hers))
        if link is None:
            fail("no answer link in the invitation's text")
        member = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
        answer = member.new_page()
        answer.goto(link.group(0).rstrip(".>)"))
        document = answer.get_by_role("link", name="indicateurs-2026.pdf")
        expect(visible(document), "the member's answer page lists the annex")
        fetched = answer.request.get(document.get_attribute("href") if document.get_attribute("href").startswith("http")
                                     else BASE + document.get_attribute("href"))
        expect(fetched.status == 200 and b"Accueil telephonique 90 87" in fetched.body()
               and fetched.headers["content-disposition"].startswith("attachment"),
               "the member downloads its last version through their link")
        theirs = answer.get_by_role("link", name="Télécharger le dossier en un seul PDF")
        expect(visible(theirs) and answer.request.get(BASE + theirs.get_attribute("href")).body().startswith(b"%PDF"),
               "the member gets the dossier as one PDF too")
        dossier_link = answer.get_by_role("link", name="Télécharger le dossier de séance")
        dossier = answer.request.get(BASE + dossier_link.get_attribute("href"))
        entries = zipfile.ZipFile(io.BytesIO(dossier.body())).namelist() if dossier.status == 200 else []
        expect(any(name.endswith("indicateurs-2026.pdf") for name in entries) and "MANIFESTE.txt" in entries
               and "00-convocation.html" in entries,
               f"the member's dossier de séance holds the convocation, the annex and the manifest {entries}")
        look(answer, "reponse")
        answer.get_by_label("Je participerai à la réunion").check()
        answer.get_by_label(re.compile("En présentiel")).check()
        answer.get_by_role("button", name="Enregistrer ma réponse").click()
        expect(visible(answer.locator(".notice[role=status]")), "the answer page confirms the answer")
        member.close()

        # The answer on the attendance page; the roll call.
        page.goto(meeting_url + "/presences")
        expect(visible(page.get_by_text("accepte (sur place)")), "the answer shows on the attendance page")
        page.get_by_role("group", name="Présence de Guillaume THIRARD").get_by_text("présent", exact=True).click()
        page.get_by_text(re.compile("Enregistré à")).first.wait_for(timeout=10000)
        expect(True, "with htmx, one row saves by itself, saying so")
        status, attendance = api("GET", "/meetings/" + meeting_url.rsplit("/", 1)[1] + "/attendance", sec)
        saved = {e["last_name"]: e["presence"] for e in attendance["items"]}
        expect(saved.get("THIRARD") == "present", "the row saved is in the database")
        page.get_by_role("group", name="Présence de Mylène BÉGUÉ").get_by_text("présent", exact=True).click()
        page.get_by_role("group", name="Présence de Jean-Paul PIERRON").get_by_text("excusé", exact=True).click()
        page.get_by_role("button", name="Enregistrer l’appel").click()
        expect(visible(page.get_by_text("présences enregistrées")), "the whole roll call is saved")
        expect(visible(page.get_by_text("2 présents, 1 excusés")), "the counts follow")
        look(page, "presences")
        page.get_by_role("button", name="Marquer la réunion comme tenue").click()
        expect(visible(page.get_by_text("marquée comme tenue")), "the meeting is marked held")
        look(page, "reunion-tenue")

        # After the meeting: the minutes and their signature, the action
        # plan and the annual report, the administration.
        walk = SimpleNamespace(
            browser=browser, context=context, page=page, admin=admin, sec=sec, users=users, people=people,
            committee_url=committee_url, committee_id=committee_url.rsplit("/", 1)[1],
            meeting_url=meeting_url, meeting_id=meeting_url.rsplit("/", 1)[1])
        steps_mailbox.run(walk)
        steps_minutes.run(walk)
        steps_actions.run(walk)
        steps_admin.run(walk)

        menu.get_by_role("link", name="Réunions").click()
        look(page, "reunions")
        page.goto(BASE + "/tableau-de-bord")
        expect(visible(page.get_by_text("Comité local des usagers — décembre").first),
               "the dashboard lists the meeting")
        look(page, "tableau-de-bord")

        menu.get_by_role("link", name="Mon compte").click()
        expect(page.url.endswith("/compte"), "the navigation leads to the account page")
        one_h1_and_title(page, "Mon compte")
        expect(visible(page.get_by_text("secretariat@parcours.test")), "the account page shows the e-mail")
        look(page, "mon-compte")

        # A form posted without its token, with the session's cookie.
        forged = page.request.post(BASE + "/deconnexion", form={"x": "1"}, max_redirects=0)
        expect(forged.status == 403 and "Formulaire refusé" in forged.text(),
               "a form posted without its CSRF token is refused with a French 403 page")
        page.goto(BASE + "/compte")
        expect(page.url.endswith("/compte"), "the refused form did not sign the user out")

        # The reader sees no write button; a forged POST of theirs is refused;
        # disabled, the reader's session ends at the next click.
        other = browser.new_context(bypass_csp=True, locale="fr-FR")
        reader = other.new_page()
        sign_in(reader, "lecteur@parcours.test", PASSWORD)
        expect(reader.url.endswith("/tableau-de-bord"), "the reader signs in")
        reader.goto(committee_url)
        expect(reader.get_by_role("link", name="Nouvelle réunion").count() == 0
               and reader.get_by_role("button", name="Enregistrer le siège").count() == 0,
               "a reader sees no write button on the committee")
        reader.goto(meeting_url + "/presences")
        expect(reader.get_by_role("button", name="Enregistrer l’appel").count() == 0,
               "a reader sees no roll call form")
        token = reader.locator("input[name=csrf]").first.get_attribute("value")
        forged = reader.request.post(committee_url + "/reunions/nouvelle",
                                     form={"csrf": token, "title": "Réunion pirate"}, max_redirects=0)
        expect(forged.status == 403 and "Accès refusé" in forged.text(),
               "a reader's forged POST, with a valid token, is refused with a 403 page")
        status, answer = api("PATCH", f"/users/{users['reader']}", admin, {"active": False})
        if status != 200:
            fail(f"disabling the reader: {status} {answer}")
        reader.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Comités").click()
        expect("/connexion" in reader.url and visible(reader.get_by_text("Votre session a pris fin")),
               "a disabled user's session ends at the next click")
        other.close()

        page.get_by_role("button", name="Se déconnecter").first.click()
        expect(visible(page.get_by_text("Vous êtes déconnecté.")), "signing out says so")
        look(page, "deconnexion")
        page.goto(BASE + "/tableau-de-bord")
        expect(page.url.endswith("/connexion"), "after signing out the dashboard asks to sign in")

        browser.close()
    summary = "axe-core violations per page: " + ", ".join(
        f"{name} {count} ({passes} passed)" for name, (count, passes) in axe_counts.items())
    print(summary)
    with open(os.path.join(SHOTS, "summary.txt"), "w") as f:
        f.write(f"{summary}\n{len(axe_counts)} page checks, {common.checks} checks passed\n")
    print(f"screenshots in {SHOTS}")
    print(f"{common.checks} passed, 0 failed")


if __name__ == "__main__":
    main()
