"""The walk's part: the action plan, the indicators and the annual report
(see walk.py, which calls run() after the meeting is held). Nothing here
depends on the minutes being signed."""

import csv
import io
import os
import re

from common import BASE, SHOTS, api, expect, fail, look, one_h1_and_title, visible


def run(walk):
    """`walk`: browser, context, page (the secrétariat, signed in), admin and
    sec (API tokens), users, people, committee_url/_id, meeting_url/_id."""
    page = walk.page
    menu = page.get_by_role("navigation", name="Menu principal")

    # The plans: every committee, each leading to its plan.
    menu.get_by_role("link", name="Plans d’action").click()
    expect(page.url.endswith("/plans-d-action"), "the navigation leads to the action plans")
    one_h1_and_title(page, "Plans d’action")
    look(page, "plans-d-action")
    plan_url = walk.committee_url + "/plan-d-action"
    page.locator(f"main a[href='{plan_url[len(BASE):]}']").click()
    expect(page.url == plan_url, "the committee's plan opens from the list")
    expect(visible(page.get_by_text("Aucune action pour ce comité")), "an empty plan says what to do next")
    look(page, "plan-d-action-vide")

    # Two actions, the first with two sources ticked (one dated).
    page.get_by_role("link", name="Nouvelle action").click()
    one_h1_and_title(page, "Nouvelle action")
    page.get_by_role("button", name="Enregistrer").click()
    finding = page.get_by_label("Constat / écart / dysfonctionnement")
    expect(finding.get_attribute("aria-describedby") == "constat-erreur",
           "an action without its finding is refused, the error linked to its field")
    look(page, "action-erreur")
    page.get_by_label("Numéro").fill("1")
    finding.fill("Horaires d’ouverture peu lisibles à l’entrée")
    page.get_by_label("Référentiel").fill("E1 § 1-1")
    # The DSFR draws its own box over the input: a person clicks the label.
    page.locator("label[for=source-survey]").click()
    page.get_by_label("Date de la source « Enquête de satisfaction »").fill("2026-03-15")
    page.locator("label[for=source-local_context]").click()
    expect(page.get_by_label("Enquête de satisfaction", exact=True).is_checked()
           and page.get_by_label("Contexte local", exact=True).is_checked(), "two sources are ticked")
    page.get_by_label("Échéance de réalisation").fill("2030-06-30")
    page.get_by_label("Nature du plan d’action").fill("Refaire l’affichage des horaires")
    page.get_by_label("Responsable").fill("DC / BLS")
    page.get_by_label("Réunion où le constat a été relevé").select_option(walk.meeting_id)
    page.get_by_role("button", name="Enregistrer").click()
    expect(visible(page.get_by_text("Action ajoutée au plan.")), "the first action is created")
    one_h1_and_title(page, "Action n° 1")
    expect(visible(page.get_by_text("Contexte local, Enquête de satisfaction (15 mars 2026)")),
           "its sources show, with the date given")
    first_url = page.url
    look(page, "action")

    page.goto(plan_url + "/nouvelle")
    page.get_by_label("Numéro").fill("2")
    page.get_by_label("Constat / écart / dysfonctionnement").fill("Pas de boucle auditive au guichet")
    page.get_by_label("Statut").select_option("in_progress")
    page.get_by_label("Responsable").fill("SGCD")
    look(page, "action-nouvelle")
    page.get_by_role("button", name="Enregistrer").click()
    expect(visible(page.get_by_text("Action ajoutée au plan.")), "the second action is created, in progress")

    # Done directly from planned, then its history names who did it.
    page.goto(first_url)
    page.get_by_label("Nouveau statut").select_option("done")
    page.get_by_role("button", name="Changer le statut").click()
    expect(visible(page.get_by_text("Action passée au statut « Réalisée »")),
           "a planned action is marked done directly")
    step = page.locator(".clu-timeline > li").first
    expect("Mylène Bégué" in step.inner_text().replace("\u00a0", " ").replace("\u202f", " ") and "Statut : Prévue → Réalisée" in step.inner_text().replace("\u00a0", " ").replace("\u202f", " "),
           "its history shows the status change, by Mylène Bégué")
    look(page, "action-historique")

    # The plan: the annex's columns, a filter by status.
    page.goto(plan_url)
    rows = page.locator("#actions tbody tr")
    expect(rows.count() == 2, "the plan lists both actions")
    heads = page.locator("#actions thead th").all_inner_texts()
    expect(heads[:3] == ["N°", "Constat / écart / dysfonctionnement", "Référentiel"] and len(heads) == 10,
           "the plan has the columns of the annex")
    look(page, "plan-d-action")
    page.get_by_label("Statut").select_option("done")
    page.get_by_role("button", name="Filtrer").click()
    expect("statut=done" in page.url and rows.count() == 1
           and "Horaires d’ouverture" in rows.first.inner_text().replace("\u00a0", " ").replace("\u202f", " "),
           "the status filter keeps the done action only")
    look(page, "plan-d-action-filtre")

    # The CSV: the compte-rendus' header, one row per action.
    page.goto(plan_url)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Exporter en CSV")).click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as f:
        table = list(csv.reader(io.StringIO(f.read()), delimiter=";"))
    expect(table[0][:3] == ["N°", "Constats / écarts / dysfonctionnements", "Référentiel"],
           "the CSV has the header of the action plan table")
    expect(len(table) == 3 and table[1][0] == "1" and table[1][5] == "X (15/03/2026)"
           and table[1][10] == "X" and table[2][9] == "X",
           "the CSV has one row per action: sources, done, in progress")

    # Indicators: one created, a value recorded, its band shown in words.
    page.goto(walk.committee_url)
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    one_h1_and_title(page, page.locator("h1").inner_text().replace("\u00a0", " ").replace("\u202f", " "))
    expect(visible(page.get_by_text("Aucun indicateur", exact=True)), "no indicator yet, and what to do")
    expect(page.locator(".clu-legend li").count() == 4, "the legend of the bilan has its four bands")
    look(page, "indicateurs-vide")
    page.get_by_label("Nom de l’indicateur").fill("Taux d’appels décrochés")
    page.get_by_label("Unité", exact=True).select_option("percent")
    page.get_by_label("Cible nationale").fill("90")
    page.get_by_role("button", name="Créer l’indicateur").click()
    expect(visible(page.get_by_text("Indicateur « Taux d’appels décrochés » créé")), "the indicator is created")
    status, meeting = api("GET", f"/meetings/{walk.meeting_id}", walk.sec)
    if status != 200:
        fail(f"reading the meeting: {status} {meeting}")
    year = meeting["starts_at"][:4]
    page.get_by_label("Période").fill(year)
    page.get_by_label(re.compile("^Valeur")).fill("72,5")
    page.get_by_role("button", name="Enregistrer la valeur").click()
    expect(visible(page.get_by_text(f"Valeur {year} enregistrée")), "the value is recorded")
    band = page.locator("section .clu-band").first
    expect(band.inner_text().replace("\u00a0", " ").replace("\u202f", " ") == "résultat avec un écart inférieur à 25 % de la cible",
           "the value's band is written in words beside its colour")
    look(page, "indicateurs")

    # The annual report of the meeting's year: charts and the roll call's figures.
    page.goto(walk.committee_url)
    page.get_by_role("link", name="Bilan annuel").click()
    look(page, "bilan-annees")
    page.get_by_role("link", name=f"Bilan {year}").click()
    expect(page.url.endswith(f"/bilan/{year}"), "the year chooser leads to the year's report")
    one_h1_and_title(page, page.locator("h1").inner_text().replace("\u00a0", " ").replace("\u202f", " "))
    charts = page.locator("svg[role=img]")
    expect(charts.count() == 3, "the report draws its three charts")
    labelled = charts.first.get_attribute("aria-labelledby").split()[0]
    expect(page.locator(f"#{labelled}").text_content() == f"Taux de présence par organisation en {year}",
           "each chart is an image labelled by its title")
    status, report = api("GET", f"/committees/{walk.committee_id}/report?year={year}", walk.sec)
    if status != 200:
        fail(f"reading the report: {status} {report}")
    held = [m for m in report["meetings"] if m["id"] == walk.meeting_id]
    expect(len(held) == 1 and held[0]["present"] == 2, "the held meeting counts its two present")
    cells = page.locator("#reunions-tenues tbody tr").first.locator("td").all_inner_texts()
    expect(cells[3] == "2" and cells[2] == str(held[0]["invited"]),
           "the report page shows the held meeting's invited and present")
    rows = page.locator("#assiduite-chiffres tbody tr")
    expect(rows.count() == len(report["attendance"]) and rows.count() > 0,
           "one attendance row per organization")
    for a in report["attendance"]:
        bar_text = f"({a['present']} sur {a['invited']})"
        expect(page.locator("#figure-assiduite text").filter(has_text=bar_text).count() >= 1,
               f"the chart has the bar of {a['organization']}")
    expect(page.locator("#figure-indicateurs text").filter(has_text="72,5 % (cible 90 %)").count() == 1,
           "the indicator is drawn against its target")
    look(page, "bilan-annuel")
    page.emulate_media(media="print")
    expect(not page.locator("header.fr-header").is_visible() and charts.first.is_visible(),
           "printed, the report keeps its charts and drops the header")
    page.screenshot(path=os.path.join(SHOTS, "bilan-annuel-impression.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(BASE + "/tableau-de-bord")
