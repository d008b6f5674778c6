"""What every part of the browser walk shares: the settings the suite
passes in the environment, the checks and their count, the JSON API for
seeding, the SMTP server's maildir, axe-core and the screenshots."""

import datetime
import email
import email.policy
import glob
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect as eventually
from playwright.sync_api import sync_playwright

BASE = os.environ["CLU_URL"].rstrip("/")
ADMIN_EMAIL = os.environ["CLU_ADMIN_EMAIL"]
ADMIN_PASSWORD = os.environ["CLU_ADMIN_PASSWORD"]
AXE_JS = os.environ["AXE_JS"]
SHOTS = os.environ["SCREENSHOTS_DIR"]
MAILDIR = os.environ["MAILDIR"]
REGISTRY_CSV = os.environ["REGISTRY_CSV"]
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

def member_id(token, last_name):
    status, answer = api("GET", f"/members?q={urllib.parse.quote(last_name)}", token)
    if status != 200 or not answer["items"]:
        fail(f"no member {last_name} in the registry: {status} {answer}")
    return answer["items"][0]["id"]


def received(count, timeout=30):
    """The messages the SMTP server has received, once there are `count`."""
    deadline = time.time() + timeout
    while True:
        files = sorted(glob.glob(os.path.join(MAILDIR, "new", "*")), key=os.path.getmtime)
        if len(files) >= count or time.time() > deadline:
            break
        time.sleep(0.2)
    messages = []
    for name in files:
        with open(name, "rb") as f:
            messages.append(email.message_from_binary_file(f, policy=email.policy.default))
    return messages


def text_of(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


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


def visible(locator, timeout=15000):
    """Whether the element shows, waiting for it as a person would (the
    page may still be loading or htmx swapping)."""
    try:
        locator.first.wait_for(state="visible", timeout=timeout)
        return True
    except PlaywrightError:
        return False


def one_h1_and_title(page, title):
    expect(page.locator("h1").count() == 1, f"{page.url} has one h1")
    expect(page.title() == f"{title} — clu", f"{page.url} is titled '{title} — clu'")


def sign_in(page, email, password):
    page.goto(BASE + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def small_pdf(line):
    """A real one-page PDF showing `line` (ASCII), with its cross-reference
    table, as an office suite would upload one."""
    stream = f"BT /F1 18 Tf 20 100 Td ({line}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        pdf += f"{offset:010} 00000 n \n".encode()
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return pdf


def drop_file(page, zone, name, mime, data):
    """Drops a file on `zone` as a person dragging it from their desktop
    would: a `drop` event carrying it (clu.js puts it in the field)."""
    zone.evaluate(
        """(zone, file) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(file.bytes)], file.name, {type: file.mime}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""",
        {"name": name, "mime": mime, "bytes": list(data)},
    )
