"""The hosts' console at 2,000 registrations, in-process; writes docs/benchmarks.md.

    .venv/bin/python bench/console.py [--registrations 2000] [--requests 50]

Builds the demo event in a scratch database, registers REGISTRATIONS delegates through the
registration service (varied countries, names in Latin and Cyrillic, passport spellings, visa
letters, hotels, arrival days, statuses, registered over two months), creates a coordinator and
signs in by posting the login form, as a host does. Then, with Flask's test client:

1. the dashboard and the registrations list (plain, searched in Latin and in Cyrillic, filtered,
   sorted, a later page, an htmx search): the median time of REQUESTS requests, and the SQL
   statements each request sends (a `before_cursor_execute` listener), at REGISTRATIONS and at a
   tenth of them, to see that the number does not grow with the registrations;
2. the exports of the whole list, CSV and XLSX (and XLSX with the passport details): median time
   of a few and their size.
"""
import argparse
import random
import re
import statistics
import sys
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path

from sqlalchemy import event as sa_event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import create_app  # noqa: E402
from bench.pages import REPORT, write_section  # noqa: E402
from bench.serve import portal_environment, scratch_folder  # noqa: E402

HEADING = "## Hosts' console at 2,000 registrations"
EMAIL, PASSWORD = "coordinator@example.org", "seven blue yaks at dawn"
GOAL_MS = 50
PAGES = [
    ("dashboard", "/en/hosts/"),
    ("list, newest first", "/en/hosts/registrations"),
    ("list, Mongolian", "/mn/hosts/registrations"),
    ("search `q=garcía` (Latin)", "/en/hosts/registrations?q=garc%C3%ADa"),
    ("search `q=батболд` (Cyrillic, lower case)", "/en/hosts/registrations?q=%D0%B1%D0%B0%D1%82%D0%B1%D0%BE%D0%BB%D0%B4"),
    ("search `q=bat` (also the passport spelling)", "/en/hosts/registrations?q=bat"),
    ("search `q=zzz` (no match)", "/en/hosts/registrations?q=zzz"),
    ("filters: confirmed, Germany, visa, hotel", "/en/hosts/registrations?status=confirmed&country=DE&visa=1&hotel=1"),
    ("filter: arrival day, sorted by arrival", "/en/hosts/registrations?arrival=2017-05-24&sort=arrival"),
    ("sorted by name, page 3", "/en/hosts/registrations?sort=name&page=3"),
    ("htmx: rows for `q=ан`", "/en/hosts/registrations?q=%D0%B0%D0%BD"),
]
HTMX = {"htmx: rows for `q=ан`"}
EXPORTS = [
    ("CSV", "/en/hosts/registrations.csv"),
    ("XLSX", "/en/hosts/registrations.xlsx"),
    ("XLSX with passport details", "/en/hosts/registrations.xlsx?passport=1"),
    ("CSV, Mongolian headers, `q=ан`", "/mn/hosts/registrations.csv?q=%D0%B0%D0%BD"),
]

# (country, language, given names, family names, Latin passport spellings or None)
PEOPLE = [
    ("MN", "mn",
     ["Батболд", "Оюунчимэг", "Энхжаргал", "Ганбаатар", "Сарантуяа", "Болормаа", "Төмөрбаатар", "Анударь"],
     ["Батбаяр", "Должинсүрэн", "Ганзориг", "Цэрэндулам", "Баатар", "Энхтуяа"],
     {"Батболд": "Batbold", "Оюунчимэг": "Oyuunchimeg", "Энхжаргал": "Enkhjargal", "Ганбаатар": "Ganbaatar",
      "Сарантуяа": "Sarantuya", "Болормаа": "Bolormaa", "Төмөрбаатар": "Tumurbaatar", "Анударь": "Anudari",
      "Батбаяр": "Batbayar", "Должинсүрэн": "Dolgorsuren", "Ганзориг": "Ganzorig", "Цэрэндулам": "Tserendulam",
      "Баатар": "Baatar", "Энхтуяа": "Enkhtuya"}),
    ("RU", "en", ["Анна", "Иван", "Мария", "Дмитрий"], ["Иванова", "Смирнов", "Кузнецова", "Попов"],
     {"Анна": "Anna", "Иван": "Ivan", "Мария": "Mariia", "Дмитрий": "Dmitrii", "Иванова": "Ivanova",
      "Смирнов": "Smirnov", "Кузнецова": "Kuznetsova", "Попов": "Popov"}),
    ("UA", "en", ["Олена", "Андрій", "Оксана"], ["Шевченко", "Бондаренко", "Коваленко"],
     {"Олена": "Olena", "Андрій": "Andrii", "Оксана": "Oksana", "Шевченко": "Shevchenko",
      "Бондаренко": "Bondarenko", "Коваленко": "Kovalenko"}),
    ("BG", "en", ["Георги", "Десислава"], ["Петров", "Иванова"],
     {"Георги": "Georgi", "Десислава": "Desislava", "Петров": "Petrov", "Иванова": "Ivanova"}),
    ("KZ", "en", ["Айгерим", "Нурлан"], ["Нурланова", "Сейткали"],
     {"Айгерим": "Aigerim", "Нурлан": "Nurlan", "Нурланова": "Nurlanova", "Сейткали": "Seitkali"}),
    ("ES", "en", ["Ana", "José", "Lucía", "Íñigo"], ["García", "Martínez", "Núñez", "López"], None),
    ("DE", "en", ["Jürgen", "Anna", "Sören"], ["Müller", "Schäfer", "Weiß"], None),
    ("SE", "en", ["Åsa", "Björn"], ["Lindqvist", "Öberg"], None),
    ("FR", "en", ["Élodie", "François"], ["Lefèvre", "Dubois"], None),
    ("GB", "en", ["Sarah", "James"], ["O'Brien", "Smith"], None),
    ("BR", "en", ["João", "Conceição"], ["da Silva", "Gonçalves"], None),
    ("ZA", "en", ["Thandiwe", "Sipho"], ["Nkosi", "Mokoena"], None),
    ("IN", "en", ["Priya", "Arjun"], ["Sharma", "Batra"], None),
    ("JP", "en", ["Yuki", "Haruto"], ["Tanaka", "Sato"], None),
    ("KR", "en", ["Ji-woo", "Min-jun"], ["Kim", "Park"], None),
    ("NP", "en", ["Sita", "Bishnu"], ["Adhikari", "Thapa"], None),
    ("US", "en", ["Emily", "Michael"], ["Johnson", "Batista"], None),
    ("TR", "en", ["Ayşe", "Çağrı"], ["Yılmaz", "Öztürk"], None),
]
# Mongolia is the host country: about a third of the delegates; the rest spread over the others.
WEIGHTS = [34, 6, 5, 3, 3, 6, 6, 3, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3]
PARTIES = {"MN": ["MPP", "Монгол Ардын Нам", "Ардчилсан Нам"], "ES": ["PSOE"], "DE": ["SPD"], "SE": ["SAP"],
           "FR": ["Parti socialiste"], "GB": ["Labour Party"], "BR": ["PT"], "ZA": ["ANC"], "IN": ["INC"],
           "JP": ["CDP"], "KR": ["Minjoo"], "NP": ["Nepali Congress"], "US": ["DSA"], "TR": ["CHP"],
           "RU": ["Яблоко"], "UA": ["Слуга народу"], "BG": ["БСП"], "KZ": ["Ак жол"]}


def delegate(rng: random.Random, number: int) -> dict:
    """One delegate's answers, as the registration form would give them."""
    country, language, givens, families, passport = rng.choices(PEOPLE, WEIGHTS)[0]
    given, family = rng.choice(givens), rng.choice(families)
    data = dict(
        given_name=given, family_name=family, email=f"delegate{number}@example.org",
        phone=f"+976 9{rng.randrange(10**6, 10**7)}", country=country, language=language,
        organisation=rng.choice(PARTIES[country] + ["Foundation for Progress", "Youth wing"]),
        position=rng.choice(["", "International secretary", "Member of parliament", "Youth officer"]),
        gender=rng.choice(["woman", "man", "woman", "man", "another", "undisclosed", ""]),
        days=rng.choice([["2017-05-25", "2017-05-26"], ["2017-05-25"], ["2017-05-26"]]),
        interpretation=rng.random() < 0.3, newsletter=rng.random() < 0.4,
        dietary_needs=rng.choice(["", "", "", "vegetarian", "halal", "no nuts"]),
    )
    if passport:
        data.update(passport_given_name=passport[given], passport_family_name=passport[family])
    if country != "MN":
        arrival = date(2017, 5, rng.choice([22, 23, 24, 24, 24, 25]))
        data.update(arrival_date=arrival, arrival_time=clock_time(rng.randrange(24), rng.choice([0, 15, 30, 45])),
                    arrival_flight=rng.choice(["OM302", "MU7133", "SU320", "KE867", "TK4150"]),
                    departure_date=date(2017, 5, rng.choice([26, 27, 28])), departure_time=clock_time(rng.randrange(24)))
        if rng.random() < 0.7:
            data.update(hotel_needed=True, hotel_check_in=arrival, hotel_check_out=date(2017, 5, 27),
                        room_type=rng.choice(["single", "shared"]))
        if rng.random() < 0.5:
            data.update(visa_letter=True, nationality=country, passport_number=f"P{rng.randrange(10**7, 10**8)}",
                        date_of_birth=date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29)),
                        passport_expiry=date(rng.randrange(2018, 2027), rng.randrange(1, 13), 1))
            data.setdefault("passport_given_name", given)
            data.setdefault("passport_family_name", family)
    return data


def build(app, count: int) -> None:
    """COUNT registrations with their statuses and proofs of address, and a coordinator's account.
    The last few go through the registration service (their emails wait in the outbox); the rest,
    whose emails went out long ago, are the same rows the service makes, added in one flush."""
    from app.email_address import canonical_email
    from app.events.models import Event
    from app.extensions import db
    from app.hosts.services import create_host
    from app.registration import services as registration
    from app.registration.models import Registration

    rng = random.Random(2017)
    first = datetime(2017, 3, 1, 1, tzinfo=timezone.utc)
    span = (datetime(2017, 5, 1, tzinfo=timezone.utc) - first).total_seconds()
    through_service = min(25, count)
    with app.app_context():
        event = db.session.scalars(select(Event)).first()
        moments = sorted(first + timedelta(seconds=rng.random() * span) for _ in range(count))
        for number, moment in enumerate(moments):
            data = delegate(rng, number)
            if number >= count - through_service:
                made = registration.register(event, data, moment)
            else:
                made = Registration(event_id=event.id, email_key=canonical_email(data["email"]), privacy_consent_at=moment,
                                    created_at=moment, updated_at=moment, **data)
                db.session.add(made)
            made.status = rng.choices(Registration.ACTIVE + (Registration.DECLINED, Registration.CANCELLED),
                                      [30, 55, 7, 8])[0]
            if rng.random() < 0.8:
                made.email_proven_at = moment + timedelta(minutes=rng.randrange(1, 600))
        create_host(EMAIL, "coordinator", PASSWORD, None, datetime(2017, 3, 1, tzinfo=timezone.utc))
        db.session.commit()


def signed_in(app):
    """A test client signed in as the coordinator, through the login form."""
    client = app.test_client()
    page = client.get("/en/hosts/login").get_data(as_text=True)
    response = client.post("/en/hosts/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token(page)})
    assert response.status_code == 303, response.status_code
    return client


def token(page: str) -> str:
    """The form token a page's forms carry."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class QueryCounter:
    """Counts the SQL statements the app sends through SQLAlchemy (as tests/test_program.py does)."""

    def __init__(self, app):
        from app.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.count = 0
        sa_event.listen(self.engine, "before_cursor_execute", self.tick)

    def tick(self, *args):
        self.count += 1

    def close(self):
        sa_event.remove(self.engine, "before_cursor_execute", self.tick)


def measure(client, counter, path: str, requests: int, htmx: bool = False) -> tuple[float, float, int, int, int]:
    """Median milliseconds (wall clock and this process's CPU), statements per request (the same
    for every request, or an error), the response's bytes and the registrations it lists."""
    headers = {"HX-Request": "true"} if htmx else {}
    for _ in range(3):  # warm up: templates compiled, catalogs loaded
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
    times, cpu, counts = [], [], set()
    for _ in range(requests):
        counter.count = 0
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        counts.add(counter.count)
    assert len(counts) == 1, (path, counts)
    body = response.get_data()
    rows = len(re.findall(rb'<th scope="row"><a href="/\w+/hosts/registrations/\d+"', body))  # a registration's row
    return statistics.median(times), statistics.median(cpu), counts.pop(), len(body), rows


def run(count: int, requests: int, exports: bool) -> tuple[list, list]:
    """Build COUNT registrations in a scratch database and measure the pages (and the exports)."""
    with scratch_folder() as folder:
        env = portal_environment(folder)
        app = create_app(settings={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                                   "PORTAL_NOW": env["PORTAL_NOW"], "RATELIMIT_ENABLED": False})
        began = time.perf_counter()
        build(app, count)
        print(f"{count} registrations built in {time.perf_counter() - began:.1f} s", flush=True)
        client = signed_in(app)
        counter = QueryCounter(app)
        pages, files = [], []
        try:
            for name, path in PAGES:
                median, cpu, queries, size, rows = measure(client, counter, path, requests, name in HTMX)
                pages.append((name, path, median, cpu, queries, size, rows))
                print(f"{count}: {name}: {median:.1f} ms ({cpu:.1f} ms CPU), {queries} queries, {rows} rows, "
                      f"{size / 1024:.0f} KB", flush=True)
            for name, path in EXPORTS if exports else ():
                times, cpu = [], []
                for _ in range(5):
                    counter.count = 0
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    times.append((time.perf_counter() - began) * 1000)
                    cpu.append((time.process_time() - began_cpu) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                lines = response.get_data().count(b"\n") - 1 if "CSV" in name else None
                files.append((name, path, statistics.median(times), statistics.median(cpu), counter.count,
                              len(response.get_data()), lines))
                print(f"{name}: {files[-1][2]:.0f} ms ({files[-1][3]:.0f} ms CPU), {files[-1][5] / 1024:.0f} KB, "
                      f"{counter.count} queries", flush=True)
        finally:
            counter.close()
    return pages, files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    small, _ = run(max(args.registrations // 10, 1), args.requests, exports=False)
    pages, files = run(args.registrations, args.requests, exports=True)

    few = max(args.registrations // 10, 1)
    command = f".venv/bin/python bench/console.py --registrations {args.registrations} --requests {args.requests}"
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `{command}`: the demo event with "
        f"{args.registrations:,} registrations (a third from Mongolia, names in Cyrillic with their passport "
        "spelling; the rest from 17 countries, in Latin and Cyrillic script; half of those from abroad ask for a "
        "visa letter, most for a hotel; pending, confirmed, declined and cancelled; made over two months), "
        "in-process (Flask's test client, SQLite, no network), signed in as a coordinator through the login "
        f"form. Time: the median of {args.requests} requests, on the clock and in this process's CPU (the "
        "machine is shared: when the two differ, other work took the processor). Queries: the SQL statements "
        "one request sends (a `before_cursor_execute` listener; every request of a page sent as many), at "
        f"{args.registrations:,} and at {few:,} registrations. Goal: under {GOAL_MS} ms, and as many queries "
        "whatever the number of registrations.",
        "",
        f"| page | time | CPU | queries ({args.registrations:,}) | queries ({few:,}) | registrations shown | HTML |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (name, path, median, cpu, queries, size, rows), (_, _, _, _, queries_few, _, _) in zip(pages, small):
        shown = rows if "registrations" in path else "–"
        lines.append(f"| {name}: `{path}` | {median:.1f} ms | {cpu:.1f} ms | {queries} | {queries_few} | {shown} "
                     f"| {size / 1024:.0f} KB |")
    lines += [
        "",
        f"Exports of the list as filtered ({args.registrations:,} registrations unless searched), median of 5:",
        "",
        "| export | time | CPU | size | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, path, median, cpu, queries, size, csv_lines in files:
        rows = f" ({csv_lines:,} rows)" if csv_lines is not None else ""
        lines.append(f"| {name}: `{path}` | {median:.0f} ms | {cpu:.0f} ms | {size / 1024:.0f} KB{rows} | {queries} |")
    lines += [
        "",
        "A search reads the matching registrations' numbers in one pass and then the page's 50 by number "
        "(app/hosts/registrations.py): on SQLite the case-insensitive match folds the names in Python, once "
        "per registration over the six searched fields joined (before: six folds a registration, twice, for "
        "the count and for the page; a search of 2,000 cost 63 ms CPU in all, the search alone 30 ms, now 10). "
        "An export translates each status, yes and no once (before: in every cell), and hands openpyxl plain "
        "values where no format is needed (before: a cell object for each; CSV 445 → about 230 ms CPU, XLSX "
        "1,650 → about 1,100 ms); what remains of an XLSX export is openpyxl writing its XML.",
        "",
        "The list's remaining time is rendering, nearly the same at 200 registrations as at 2,000: the 50 rows "
        "and the filter form, whose country picker WTForms builds option by option (about 250 options, 7 ms "
        "of the 40; app/i18n/collation.py's `country_options` has them rendered once per language). The "
        "dashboard counts registrations by day in Python (about 14 ms CPU of its time at 2,000, growing with "
        "the registrations); its other numbers are grouped queries.",
    ]
    write_section(REPORT, HEADING, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
