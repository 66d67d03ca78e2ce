"""Write N distinct race articles in the bundled articles' format, for the build benchmark.

    python benchmarks/make_articles.py N OUT_DIR [--cars 37] [--seed 11] [--translations 0.2]

Each article is its own event: a title no other article has ("2007 1000 km of Monza"), its own
date, a circuit from a list of real ones, an organiser and a series in the lead, a two-line-per-car
results table of --cars cars, and a statistics list (pole, fastest lap, distance, average speed).
The people and machinery come from fixed pools, each driver and team always with the same flag,
so drivers have careers across events and the shared resources grow the way a season archive's do.

The tables follow the rules the articles state: positions 1..k by laps, NC cars below the stated
threshold, DNF anywhere, DNS with '-' laps. About one event in eight classifies a car under the
threshold, as the bundled 2003 Le Mans article does (car #4), so the build reports warnings at
scale too. A share of events (--translations) also get a Spanish translation that names the same
date and place, as data/articles/*.es.txt do.

Deterministic: the same N, --cars and --seed always write the same files.
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

MONTHS_EN = "January February March April May June July August September October November December".split()
MONTHS_ES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()

# (circuit, locality, country as prose writes it, Spanish country name, lap length in km)
CIRCUITS = [
    ("Bugatti Circuit", "Le Mans", "France", "Francia", Decimal("4.180")),
    ("Nürburgring", "Nürburg", "Germany", "Alemania", Decimal("5.148")),
    ("Circuit de Spa-Francorchamps", "Stavelot", "Belgium", "Bélgica", Decimal("6.968")),
    ("Autodromo Nazionale Monza", "Monza", "Italy", "Italia", Decimal("5.793")),
    ("Silverstone Circuit", "Silverstone", "United Kingdom", "Reino Unido", Decimal("5.141")),
    ("Circuit de Catalunya", "Montmeló", "Spain", "España", Decimal("4.627")),
    ("Autódromo do Estoril", "Estoril", "Portugal", "Portugal", Decimal("4.182")),
    ("Hungaroring", "Mogyoród", "Hungary", "Hungría", Decimal("4.381")),
    ("Sebring International Raceway", "Sebring", "United States", "Estados Unidos", Decimal("6.019")),
    ("Road Atlanta", "Braselton", "United States", "Estados Unidos", Decimal("4.088")),
    ("Fuji Speedway", "Oyama", "Japan", "Japón", Decimal("4.563")),
    ("Zhuhai International Circuit", "Zhuhai", "China", "China", Decimal("4.319")),
    ("Circuit Paul Ricard", "Le Castellet", "France", "Francia", Decimal("5.842")),
    ("Red Bull Ring", "Spielberg", "Austria", "Austria", Decimal("4.318")),
    ("Mosport International Raceway", "Bowmanville", "Canada", "Canadá", Decimal("3.957")),
    ("Autódromo José Carlos Pace", "São Paulo", "Brazil", "Brasil", Decimal("4.309")),
    ("Sepang International Circuit", "Sepang", "Malaysia", "Malasia", Decimal("5.543")),
    ("Bahrain International Circuit", "Sakhir", "Bahrain", "Baréin", Decimal("5.412")),
    ("Autodromo Enzo e Dino Ferrari", "Imola", "Italy", "Italia", Decimal("4.909")),
    ("Circuit Zolder", "Heusden-Zolder", "Belgium", "Bélgica", Decimal("4.011")),
    ("Circuit Park Zandvoort", "Zandvoort", "Netherlands", "Países Bajos", Decimal("4.307")),
    ("Mount Panorama Circuit", "Bathurst", "Australia", "Australia", Decimal("6.213")),
    ("Kyalami Grand Prix Circuit", "Midrand", "South Africa", "Sudáfrica", Decimal("4.529")),
    ("Donington Park", "Castle Donington", "United Kingdom", "Reino Unido", Decimal("4.020")),
]
FORMATS = [("1000 km", 1000), ("500 km", 500), ("6 Hours", 900), ("1000 Miles", 1609), ("12 Hours", 1800)]
ORGANISERS = [
    ("Automobile Club de l'Ouest", "ACO"), ("Allgemeiner Deutscher Automobil-Club", "ADAC"),
    ("International Motor Sports Association", "IMSA"), ("Automobile Club d'Italia", "ACI"),
]
SERIES = ["Le Mans Endurance Series", "European Le Mans Series", "American Le Mans Series", "Asian Le Mans Series"]

FIRST_NAMES = [
    ("DNK", "Tom"), ("JPN", "Seiji"), ("FRA", "Stéphane"), ("FRA", "Franck"), ("FRA", "Sébastien"),
    ("NLD", "Jan"), ("GBR", "Andy"), ("BEL", "Wim"), ("RUS", "Roman"), ("ITA", "Enrico"), ("GBR", "Jamie"),
    ("GBR", "Darren"), ("NLD", "Peter"), ("USA", "Jon"), ("USA", "Duncan"), ("USA", "Larry"), ("DEU", "Frank"),
    ("DEU", "Marco"), ("CHE", "Roland"), ("MCO", "Olivier"), ("BRA", "Thomas"), ("CAN", "Robbie"),
    ("ZAF", "Werner"), ("ESP", "Marc"), ("PRT", "Pedro"), ("AUT", "Karl"), ("SWE", "Rickard"),
    ("FIN", "Mika"), ("AUS", "David"), ("ARG", "Esteban"), ("IRL", "Patrick"), ("MEX", "Adrián"),
]
LAST_NAMES = [
    "Kristensen", "Ara", "Sarrazin", "Lagorce", "Bourdais", "Lammers", "Wallace", "Eyckmans", "Rusinov",
    "Muscioni", "Davies", "Turner", "Kox", "Sugden", "Field", "Dayton", "Connor", "Biela", "Werner",
    "Bossy", "Beretta", "Erdos", "Stirling", "Lupberger", "Gené", "Lamy", "Wendlinger", "Rydell", "Salo",
    "Brabham", "Guerrieri", "Dumas", "Ortelli", "Lehto", "Herbert", "Brundle", "Collard", "Fässler",
    "Capello", "Pirro", "McNish", "Montagny", "Pagenaud", "Lotterer", "Tréluyer", "Bernhard", "Dumbreck",
]
TEAM_WORDS = [
    ("GBR", "Care Racing"), ("FRA", "Pescarolo Sport"), ("NLD", "Racing for Holland"), ("FRA", "Courage Compétition"),
    ("USA", "Intersport Racing"), ("FRA", "Didier Bonnet Racing"), ("USA", "JML Team Panoz"), ("FRA", "XL Racing"),
    ("GBR", "Team Nasamax"), ("JPN", "Audi Sport Japan Team Goh"), ("GBR", "Audi Sport UK Team Veloqx"),
    ("DEU", "Kolles Racing"), ("CHE", "Rebellion Racing"), ("GBR", "Aston Martin Racing"), ("ITA", "AF Corse"),
    ("DEU", "Team Felbermayr"), ("FRA", "Oreca"), ("GBR", "Zytek Engineering"), ("GBR", "Creation Autosportif"),
    ("USA", "Corvette Racing"), ("ESP", "Epsilon Euskadi"), ("PRT", "Quifel ASM Team"), ("DNK", "Team Essex"),
    ("BEL", "Prospeed Competition"), ("NLD", "Spyker Squadron"), ("ITA", "Racing Box"), ("AUT", "Charouz Racing"),
]
# (class, chassis, engine, typical share of the winner's laps)
CARS = [
    ("LMP1", "Audi R8", "Audi 3.6L Turbo V8", 1.00),
    ("LMP1", "Courage C60 Evo", "Peugeot A32 3.2L Turbo V6", 0.98),
    ("LMP1", "Dome S101", "Judd GV4 4.0L V10", 0.97),
    ("LMP1", "Lola B06/10", "AER P32T 3.6L Turbo V8", 0.97),
    ("LMP1", "Zytek 07S", "Zytek 2ZG408 4.0L V8", 0.96),
    ("LMP2", "Courage C65", "JPX 3.4L V6", 0.93),
    ("LMP2", "Lola B05/40", "Mazda 13B 2.0L 3-Rotor", 0.92),
    ("LMP2", "Radical SR9", "Judd XV675 3.4L V8", 0.91),
    ("LMP2", "Debora LMP200", "BMW (Mader) 3.4L I6", 0.90),
    ("GT1", "Ferrari 550-GTS Maranello", "Ferrari F133 5.9L V12", 0.89),
    ("GT1", "Chevrolet Corvette C6.R", "Chevrolet LS7.R 7.0L V8", 0.90),
    ("GT1", "Aston Martin DBR9", "Aston Martin 6.0L V12", 0.90),
    ("GT1", "Saleen S7-R", "Ford (Saleen) 7.0L V8", 0.88),
    ("GT2", "Porsche 911 GT3-RSR", "Porsche 3.6L Flat-6", 0.84),
    ("GT2", "Ferrari F430 GT2", "Ferrari F136 4.0L V8", 0.85),
    ("GT2", "Panoz Esperante GTR-1", "Ford (Élan) 6L8 6.0L V8", 0.83),
]
TYRES = "MDGPYBK"


def _decimal(value, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_EVEN)


def _lap_time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


class Pools:
    """The people every event draws from: fixed names, each with one flag for all its events."""

    def __init__(self, rng: random.Random):
        seen: set[str] = set()
        self.drivers: list[tuple[str, str]] = []
        while len(self.drivers) < 400:
            country, first = rng.choice(FIRST_NAMES)
            name = f"{first} {rng.choice(LAST_NAMES)}"
            if name not in seen:
                seen.add(name)
                self.drivers.append((country, name))
        self.teams = list(TEAM_WORDS)


def write_article(index: int, out: Path, pools: Pools, rng: random.Random, *, cars: int,
                  translation: bool) -> list[Path]:
    """One event's English article (and maybe its Spanish translation); returns the files written."""
    circuit, locality, country, country_es, lap_km = CIRCUITS[index % len(CIRCUITS)]
    format_name, distance_goal = FORMATS[(index // len(CIRCUITS)) % len(FORMATS)]
    year = 1980 + index // (len(CIRCUITS) * len(FORMATS))
    month = 1 + (index * 7) % 12
    day = 1 + (index * 13) % 28
    title = f"{year} {format_name} of {locality}"
    organiser, abbreviation = ORGANISERS[index % len(ORGANISERS)]
    series = SERIES[index % len(SERIES)]
    threshold = rng.choice((70, 75))

    winner_laps = max(20, int(distance_goal / float(lap_km)))
    rows = []
    numbers = rng.sample(range(1, 100), cars)
    for order, number in enumerate(numbers):
        car_class, chassis, engine, share = rng.choice(CARS)
        teams = [rng.choice(pools.teams)]
        if rng.random() < 0.05:
            teams.append(rng.choice([t for t in pools.teams if t != teams[0]]))
        drivers = rng.sample(pools.drivers, rng.choice((1, 2, 2, 3, 3, 3)))
        rows.append({"class": car_class, "number": str(number), "teams": teams, "drivers": drivers,
                     "chassis": chassis, "engine": engine, "share": share,
                     "tyre": rng.choice(TYRES) if rng.random() < 0.6 else ""})
    # Finishers by laps; a few NC under the threshold, DNFs and DNSs at the bottom, as real tables are.
    outcomes = []
    for row in rows:
        roll = rng.random()
        if roll < 0.07:
            outcomes.append(("DNS", None, row))
        elif roll < 0.25:
            outcomes.append(("DNF", int(winner_laps * rng.uniform(0.05, 0.9)), row))
        elif roll < 0.30:
            outcomes.append(("NC", int(winner_laps * rng.uniform(0.2, threshold / 100 - 0.05)), row))
        else:
            laps = int(winner_laps * min(1.0, row["share"] * rng.uniform(0.95, 1.02)))
            outcomes.append(("", max(laps, int(winner_laps * threshold / 100) + 1), row))
    classified = sorted((o for o in outcomes if o[0] == ""), key=lambda o: -o[1])
    if not classified:
        classified = [("", winner_laps, outcomes.pop()[2])]
    classified[0] = ("", winner_laps, classified[0][2])
    if rng.random() < 0.125 and len(classified) > 2:
        # A classified car below the threshold, as the bundled Le Mans article has one.
        classified[-1] = ("", int(winner_laps * (threshold / 100 - 0.08)), classified[-1][2])
    table = [(str(position), laps, row) for position, (_, laps, row) in enumerate(classified, 1)]
    order = {"NC": 0, "DNF": 1, "DNS": 2}
    rest = sorted((o for o in outcomes if o[0] != ""), key=lambda o: (order[o[0]], -(o[1] or 0)))
    table += rest

    lines = [f"= {title} =", ""]
    lines.append(f"The {title} was a round of the {year} {series}, organised by the {organiser} "
                 f"({abbreviation}). It was run on {day} {MONTHS_EN[month - 1]} {year} at the {circuit} "
                 f"near {locality}, {country}.")
    lines += ["", "This article was generated by racegraph's build benchmark; its results are invented.", ""]
    lines += ["==Official results==",
              f"Class winners in bold. Cars failing to complete {threshold}% of winner's distance "
              "marked as Not Classified (NC).",
              "| Pos | Class | No | Team | Drivers | Chassis | Tyre | Laps |",
              "| Engine | | | | | | | |"]
    for pos, laps, row in table:
        teams = " ".join(f"{code} {name}" for code, name in row["teams"])
        drivers = " ".join(f"{code} {name}" for code, name in row["drivers"])
        lines.append(f"| {pos} | {row['class']} | {row['number']} | {teams} | {drivers} | {row['chassis']} | "
                     f"{row['tyre']} | {'-' if laps is None else laps} |")
        lines.append(f"| {row['engine']} | | | | | | | |")
    pole, fastest = rng.choice(table[:5]), rng.choice(table[:5])
    base_lap = float(lap_km) / 200 * 3600
    distance = _decimal(lap_km * winner_laps, "0.01")
    hours = rng.uniform(5.5, 6.5) if format_name != "12 Hours" else 12.0
    lines += ["", "===Statistics===",
              f"- Pole Position - #{pole[2]['number']} {pole[2]['teams'][0][1]} - {_lap_time(base_lap * 0.97)}",
              f"- Fastest Lap - #{fastest[2]['number']} {fastest[2]['teams'][0][1]} - {_lap_time(base_lap)}",
              f"- Distance - {distance} km",
              f"- Average Speed - {_decimal(float(distance) / hours, '0.001')} km/h", ""]
    stem = title.lower().replace(" ", "-")
    english = out / f"{stem}.en.txt"
    english.write_text("\n".join(lines), encoding="utf-8")
    written = [english]
    if translation:
        spanish = out / f"{stem}.es.txt"
        spanish.write_text(
            f"Los {format_name} de {locality} de {year} fueron una ronda de la {series} de {year}. "
            f"Se disputaron el {day} de {MONTHS_ES[month - 1]} de {year} en el {circuit} cerca de "
            f"{locality} , {country_es} .\nEste artículo lo generó el banco de pruebas de racegraph.\n",
            encoding="utf-8")
        written.append(spanish)
    return written


def write_articles(count: int, out: Path, *, cars: int = 37, seed: int = 11,
                   translations: float = 0.2) -> list[Path]:
    """Write `count` distinct events' articles into `out` (created); returns every file written."""
    if not 1 <= count <= len(CIRCUITS) * len(FORMATS) * 120:
        raise ValueError(f"expected between 1 and {len(CIRCUITS) * len(FORMATS) * 120} events, found {count}")
    if not 1 <= cars <= 99:
        raise ValueError(f"expected 1 to 99 cars (car numbers 1-99), found {cars}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pools = Pools(rng)
    files: list[Path] = []
    for index in range(count):
        files += write_article(index, out, pools, rng, cars=cars, translation=rng.random() < translations)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of events (one English article each)")
    parser.add_argument("out", type=Path, help="folder to write the articles into")
    parser.add_argument("--cars", type=int, default=37, help="cars per event (default 37, as the seed)")
    parser.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
    parser.add_argument("--translations", type=float, default=0.2,
                        help="share of events that also get a Spanish translation (default 0.2)")
    args = parser.parse_args(argv)
    files = write_articles(args.count, args.out, cars=args.cars, seed=args.seed, translations=args.translations)
    print(f"{len(files)} articles written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
