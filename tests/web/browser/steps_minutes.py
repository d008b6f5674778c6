"""The walk's part: the minutes of the held meeting, from the first line to
the distributed signed compte-rendu.

The secrétariat writes the minutes over two visits (the draft is there on
return), lets htmx save by itself, meets a stale save from a second tab
(both texts shown, nothing lost), previews the PROJET and its PDF, submits.
The signatory, told by e-mail, finds it in "À signer", returns it with a
comment, which the secrétariat reads on its editor and by e-mail; fixed and
resubmitted, it is signed (a wrong password first: refused, nothing
signed). The signed PDF is downloaded: its text read with pdftotext, its
SHA-256 the one shown; the public verification page says it is authentic.
A secrétariat cannot reach the signing form (403 page), another
structure's signatory gets a 404 page. Distributed, every member's message
reaches the SMTP server with the PDF attached, and the page shows each
delivery.
"""

import hashlib
import os
import re
import subprocess
import time

from common import (BASE, PASSWORD, api, expect, fail, look, one_h1_and_title, received, sign_in, text_of,
                    visible)


def mails(to, subject, count=1, timeout=30):
    """The messages to `to` whose subject starts with `subject`, once there
    are `count` of them."""
    deadline = time.time() + timeout
    while True:
        found = [m for m in received(0, timeout=0)
                 if to in str(m["To"]) and plain(str(m["Subject"])).startswith(subject)]
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.3)


def plain(text):
    """The text with its French no-break spaces as plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def field(page, label):
    """The field whose label starts with `label` (a hint follows it)."""
    return page.get_by_label(re.compile("^" + re.escape(label)))


def run(walk):
    page = walk.page
    minutes_url = walk.meeting_url + "/compte-rendu"
    minutes_api = f"/meetings/{walk.meeting_id}/minutes"

    # First visit: from the meeting to the editor, the opening and point 1.
    page.goto(walk.meeting_url)
    page.get_by_role("link", name="Compte-rendu", exact=True).click()
    one_h1_and_title(page, "Compte-rendu")
    expect(visible(page.get_by_text("Pas encore enregistré.")), "a new editor says nothing is saved yet")
    field(page, "Ouverture").fill("Mme la Présidente ouvre la séance à 14h30 et remercie les participants.")
    field(page, "Ce qui a été dit (point 1)").fill(
        "Le bilan qualité 2026 est présenté par le secrétariat.\n\nIl est adopté à l’unanimité.")
    field(page, "Remarques des représentants des usagers (point 1)").fill(
        "L’UFC Que Choisir demande le détail des délais d’attente par guichet.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(visible(page.get_by_text("Brouillon enregistré.", exact=True)), "the draft is saved by its button")
    look(page, "compte-rendu-editeur")

    # Leave, come back: the draft is there.
    page.goto(BASE + "/tableau-de-bord")
    page.goto(minutes_url)
    expect(field(page, "Remarques des représentants des usagers (point 1)").input_value()
           == "L’UFC Que Choisir demande le détail des délais d’attente par guichet.",
           "the second visit finds the draft as it was left")

    # Typing stops: htmx saves by itself, and says when.
    field(page, "Ce qui a été dit (point 2)").fill("Les indicateurs de qualité de service sont commentés.")
    expect(visible(page.get_by_text(re.compile(r"Brouillon enregistré à \d+h\d\d")), timeout=20000),
           "a few seconds after typing stops, the draft saves itself and says at what time")
    status, saved = api("GET", minutes_api, walk.sec)
    expect(status == 200 and any("commentés" in (i.get("body") or "") for i in saved["items"]),
           "the automatic save is in the database")

    # Two tabs: the second save of a stale version is refused, nothing lost.
    tab = walk.context.new_page()
    tab.goto(minutes_url)
    field(page, "Heure de clôture").fill("16h30")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(visible(page.get_by_text("Brouillon enregistré.", exact=True)), "the first tab saves")
    notes = "La date de l’audit externe sera communiquée aux membres."
    field(tab, "Notes postérieures à la réunion").fill(notes)
    tab.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(visible(tab.get_by_text("Modifié entre-temps"))
           and field(tab, "Notes postérieures à la réunion").input_value() == notes
           and visible(tab.locator(".clu-saved", has_text="16:30")),
           "the stale save is refused: the typed text kept, the text saved meanwhile beside it")
    look(tab, "compte-rendu-modifie-entre-temps")
    field(tab, "Heure de clôture").fill("16h30")
    tab.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(visible(tab.get_by_text("Brouillon enregistré.", exact=True)), "saving again keeps both texts")
    tab.close()
    status, saved = api("GET", minutes_api, walk.sec)
    expect(saved["post_meeting_notes"] == notes and saved["closing_time"] == "16:30",
           "both tabs' texts are saved")

    # The preview is the compte-rendu marked PROJET; its PDF one click away.
    page.goto(minutes_url)
    preview = page.frame_locator("iframe.clu-preview")
    expect(visible(preview.get_by_text("PROJET").first) and visible(preview.get_by_text("délais d’attente").first),
           "the preview shows the draft compte-rendu, marked PROJET")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l’aperçu en PDF").click()
    draft_pdf = download.value.path()
    with open(draft_pdf, "rb") as f:
        expect(f.read(5) == b"%PDF-", "the PDF preview downloads")
    expect("PROJET" in pdf_text(draft_pdf), "the PDF preview is marked PROJET")

    page.get_by_role("button", name="Enregistrer et soumettre à la signature").click()
    expect(visible(page.get_by_text("Compte-rendu soumis à la signature")), "the minutes are submitted")
    look(page, "compte-rendu-soumis")
    told = mails("signataire@parcours.test", "Compte-rendu à signer")
    expect(len(told) == 1 and "/compte-rendu/signature" in text_of(told[0]),
           "the signatory is told by e-mail, with the link to the signing page")

    # The signatory: "À signer", then returned with a comment.
    signing = walk.browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 1280, "height": 900})
    sig = signing.new_page()
    sign_in(sig, "signataire@parcours.test", PASSWORD)
    sig.get_by_role("navigation", name="Menu principal").get_by_role("link", name="À signer").click()
    one_h1_and_title(sig, "À signer")
    row = sig.locator("tbody tr", has_text="Comité local des usagers — décembre")
    expect(visible(row) and "par Mylène Bégué" in row.inner_text(),
           "the waiting minutes are listed with who submitted them")
    look(sig, "a-signer")
    row.get_by_role("link").click()
    one_h1_and_title(sig, "Signer le compte-rendu")
    expect(visible(sig.frame_locator("iframe.clu-preview").get_by_text("délais d’attente").first),
           "the signatory reads the compte-rendu")
    look(sig, "signature")
    comment = "Merci de préciser le délai moyen annoncé au point 1."
    sig.get_by_label("Commentaire").fill(comment)
    sig.get_by_role("button", name="Renvoyer avec ce commentaire").click()
    expect(visible(sig.get_by_text("Compte-rendu renvoyé en rédaction")), "the minutes are returned")
    expect(visible(sig.get_by_text("Aucun compte-rendu n’attend votre signature")), "nothing is left to sign")

    # The secrétariat reads the comment on its editor and by e-mail; fixes; submits again.
    page.goto(minutes_url)
    expect(visible(page.locator(".fr-callout", has_text=comment)), "the editor shows the signatory's comment")
    back = mails("secretariat@parcours.test", "Compte-rendu renvoyé")
    expect(len(back) == 1 and comment in text_of(back[0]), "the secrétariat gets the comment by e-mail")
    body = field(page, "Ce qui a été dit (point 1)")
    body.fill(body.input_value() + "\n\nLe délai moyen annoncé est de douze jours.")
    page.get_by_role("button", name="Enregistrer et soumettre à la signature").click()
    expect(visible(page.get_by_text("Compte-rendu soumis à la signature")), "submitted again")

    # A secrétariat cannot reach the signing form; another structure's signatory gets a 404.
    page.goto(minutes_url + "/signature")
    expect(page.title() == "Accès refusé — clu", "the secrétariat gets the 403 page on the signing form")
    look(page, "signature-refusee")
    meuse = walk.browser.new_context(locale="fr-FR")
    other = meuse.new_page()
    sign_in(other, "signataire@meuse.test", PASSWORD)
    other.goto(minutes_url + "/signature")
    expect(other.title() == "Page introuvable — clu", "another structure's signatory gets the 404 page")
    meuse.close()

    # Signing: the lines proposed; a wrong password first, nothing signed.
    sig.goto(BASE + "/a-signer")
    sig.locator("tbody tr", has_text="Comité local des usagers — décembre").get_by_role("link").click()
    expect(field(sig, "Délégation").input_value() == "Pour la Préfète et par délégation"
           and "Secrétaire Général" in field(sig, "Fonction").input_value(),
           "the delegation and the function are proposed from the letterhead and the chair")
    field(sig, "Fonction").fill("Le Secrétaire Général")
    field(sig, "Votre mot de passe").fill("pas le bon mot de passe")
    sig.get_by_role("button", name="Signer le compte-rendu").click()
    expect(visible(sig.get_by_text("Mot de passe incorrect : rien n’a été signé.")),
           "a wrong password is refused, said next to its field")
    status, still = api("GET", minutes_api, walk.sec)
    expect(still["status"] == "submitted" and not still["documents"], "nothing was signed")
    look(sig, "signature-mot-de-passe")
    field(sig, "Votre mot de passe").fill(PASSWORD)
    sig.get_by_role("button", name="Signer le compte-rendu").click()
    expect(visible(sig.get_by_text("Compte-rendu signé.")), "the minutes are signed")
    expect(visible(sig.get_by_text("signature électronique PAdES", exact=False)),
           "the signed page says what the PDF's electronic signature is")
    look(sig, "compte-rendu-signe")

    # The signed PDF: its text, and its fingerprint the one shown.
    pdf_row = sig.locator("tbody tr", has_text="PDF/A")
    shown = pdf_row.locator("code").inner_text().strip()
    with sig.expect_download() as download:
        pdf_row.get_by_role("link").click()
    signed_pdf = download.value.path()
    with open(signed_pdf, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    expect(digest == shown, f"the downloaded PDF's SHA-256 is the one shown ({shown[:12]}…)")
    text = pdf_text(signed_pdf)
    expect("douze jours" in text and "Le Secrétaire Général" in text and "Pour la Préfète et par délégation" in text
           and "PROJET" not in text,
           "the signed PDF holds the fixed text and the signature block, without the PROJET mark")
    sig.get_by_role("link", name="page de vérification publique").click()
    expect(visible(sig.get_by_text("Document authentique")) and shown in sig.content(),
           "the public verification page says the document is authentic")
    look(sig, "verification")
    # The same page checks a copy: the downloaded PDF, sent by its form.
    sig.get_by_label("Fichier PDF (20 Mo au plus)").set_input_files(signed_pdf)
    sig.get_by_role("button", name="Vérifier la signature").click()
    expect(visible(sig.get_by_text("Signature valide")) and "octet pour octet" in sig.content(),
           "the copy sent through the form is reported valid and identical")
    look(sig, "verification-copie")
    signing.close()
    signed_mail = mails("secretariat@parcours.test", "Compte-rendu signé")
    expect(len(signed_mail) == 1, "the secrétariat is told of the signature by e-mail")

    # Distribution: each member's message reaches the SMTP server, the page shows each delivery.
    page.goto(minutes_url)
    page.get_by_role("button", name="Diffuser le compte-rendu signé").click()
    sent = re.search(r"envoyé à (\d+) membres?", page.locator(".fr-alert--success").first.inner_text())
    if sent is None:
        fail("the distribution does not say how many members it reached")
    count = int(sent.group(1))
    copies = mails("", "Compte-rendu :", count=count)
    expect(count >= 2 and len(copies) == count
           and all(any(p.get_filename() and p.get_filename().endswith(".pdf") for p in m.iter_attachments())
                   for m in copies),
           f"the SMTP server received the {count} messages, each with the signed PDF")
    for _ in range(50):
        if page.locator("#diffusion ~ div .fr-badge", has_text="envoyé").count() == count:
            break
        time.sleep(0.2)
        page.reload()
    expect(page.locator("#diffusion ~ div .fr-badge", has_text="envoyé").count() == count,
           "the page shows each message as sent")
    look(page, "compte-rendu-diffuse")


def pdf_text(path):
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())
