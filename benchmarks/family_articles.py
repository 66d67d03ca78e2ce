"""Build N invented 24-hour-race articles written as many hands write them, and time the build.

    python benchmarks/family_articles.py --articles 200 [--rows 60] [--out benchmarks/out/family] [--seed 7]
    python benchmarks/family_articles.py --articles 200 --skip-validation  # parse, convert, name, store only
    python benchmarks/family_articles.py --articles 50 --write-only     # just the articles

Each article is in the seed's format with --rows cars: about three quarters classified, the rest
NC, DNF, DSQ, DNS and DNA (DNA and some DNS rows with empty Drivers and Tyre cells), one to three
teams a car, tyre letters, and the spellings real tables mix: names with and without accents or in
capitals, chassis with a hyphen or a space, an engine tuner with or without parentheses, a team's
legal suffix written or not, a driver under another flag now and then. Drivers, teams, chassis
and engines come from shared pools, so they recur across articles the way careers do.

The build runs in a child process (`racegraph build`, validation included; with --skip-validation,
graph.build.build_graph(validate=False), which is everything but the SHACL shapes), and the script
prints the wall time, the time per event and the child's peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIRST = ["Olivier", "Stéphane", "Jörg", "Sébastien", "José", "Émilie", "Björn", "Åke", "Tomáš", "Jean-Marc",
         "Andrea", "Tom", "Allan", "Marco", "Seiji", "Keiichi", "Pedro", "João", "Rinaldo", "Franck", "Nicolás",
         "Érik", "Frédéric", "Jürgen", "Michał", "Ralf", "Darren", "Peter", "Klaus", "Ricky"]
LAST = ["Thévenin", "Müller", "Ortelli", "Bourdais", "Ibáñez", "Délétraz", "Kristensen", "McNish", "Lammers",
        "Sarrazin", "Collard", "Hélary", "Comas", "Barbosa", "Kox", "Gollin", "Lagorce", "Brabham", "Menu",
        "Magnussen", "Enge", "Kubica", "Schumacher", "Turner", "Engelhorn", "Cole", "Ara", "Tsuchiya", "Capello",
        "Lieb"]
COUNTRIES = ["FRA", "DEU", "GBR", "ITA", "ESP", "JPN", "USA", "NLD", "BEL", "CHE", "AUT", "DNK", "MCO", "PRT", "BRA"]
TEAM_WORDS = ["Racing", "Motorsport", "Sport", "Compétition", "Engineering", "Team", "Works", "Autosport"]
TEAM_NAMES = ["Pescarolo", "Courage", "Oreca", "Larbre", "Freisinger", "Seikel", "Konrad", "Taurus", "Lister",
              "Creation", "Zytek", "Rollcentre", "Chamberlain", "Cirtek", "Autorlando", "Saulnier", "Nasamax",
              "Intersport", "Prodrive", "Gruppe M", "Ice Pol", "Vitaphone", "Barron Connor", "Racesport"]
SUFFIXES = ["Ltd.", "GmbH", "S.r.l.", "B.V.", "Inc.", "SA"]
CHASSIS = ["Ferrari 550-GTS Maranello", "Porsche 911 GT3-RS", "Porsche 911 GT3-RSR", "Courage C65", "Audi R8",
           "Pescarolo C60 Hybrid", "Lola B05/40", "MG-Lola EX264", "Saleen S7-R", "Aston Martin DBR9",
           "Chevrolet Corvette C6.R", "Dome S101", "Ferrari 360 Modena GTC", "Riley & Scott Mk III C"]
ENGINES = ["Willman (JPX) 3.4L V6", "MG (AER) XP20 2.0L Turbo I4", "Ford (Élan) 6L8 6.0L V8", "Judd GV5 5.0L V10",
           "Porsche 3.6L Flat-6", "Ferrari F133 5.9L V12", "Audi 3.6L Turbo V8", "Ford 7.0L V8",
           "BMW (Mader) 3.4L I6", "Aston Martin 6.0L V12", "Chevrolet LS7-R 7.0L V8"]
CLASSES = ["LMP1", "LMP2", "GT1", "GT2"]
TYRES = "MDPGYBKAHF"
VENUES = [("Circuit de la Sarthe", "Le Mans", "France"), ("Circuit de Spa-Francorchamps", "Stavelot", "Belgium"),
          ("Nürburgring", "Nürburg", "Germany"), ("Autodromo di Vallelunga", "Campagnano", "Italy"),
          ("Circuit de Barcelona-Catalunya", "Montmeló", "Spain"), ("Fuji Speedway", "Oyama", "Japan")]
MONTHS = ["April", "May", "June", "July", "August", "September"]


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def spell(rng: random.Random, name: str, kind: str) -> str:
    """One hand's spelling of a name: mostly as is, sometimes without accents, in capitals, re-hyphenated…"""
    roll = rng.random()
    if kind == "driver" and roll < 0.08:
        return plain(name)
    if kind == "driver" and roll < 0.12:
        first, _, last = name.partition(" ")
        return f"{first} {last.upper()}"
    if kind == "chassis" and roll < 0.2:
        return name.replace("-", " ")
    if kind == "engine" and roll < 0.2:
        return name.replace("(", "").replace(")", "")
    return name


class Pools:
    def __init__(self, rng: random.Random):
        people = {f"{f} {l}" for f in FIRST for l in LAST}
        self.drivers = [(name, rng.choice(COUNTRIES)) for name in sorted(people)]
        self.teams = []
        for name in TEAM_NAMES:
            for word in rng.sample(TEAM_WORDS, 3):
                self.teams.append((f"{name} {word}", rng.choice(SUFFIXES) if rng.random() < 0.3 else None,
                                   rng.choice(COUNTRIES)))


def team_cell(rng: random.Random, pools: Pools) -> str:
    cells = []
    for name, suffix, country in rng.sample(pools.teams, rng.choice([1, 1, 1, 1, 2, 3])):
        written = f"{name} {suffix}" if suffix and rng.random() < 0.5 else name
        cells.append(f"{country} {written}")
    return " ".join(cells)


def driver_cell(rng: random.Random, pools: Pools) -> str:
    cells = []
    for name, country in rng.sample(pools.drivers, rng.choice([2, 3, 3])):
        flag = rng.choice(COUNTRIES) if rng.random() < 0.03 else country
        cells.append(f"{flag} {spell(rng, name, 'driver')}")
    return " ".join(cells)


def article(index: int, rows: int, rng: random.Random, pools: Pools) -> tuple[str, str]:
    circuit, locality, country = VENUES[index % len(VENUES)]
    year = 1960 + index // len(VENUES)
    title = f"{year} 24 Hours of {locality}"
    date = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {year}"
    winner = rng.randint(300, 390)
    threshold = winner * 0.7
    started = rows - 4
    classified = int(started * 0.8)
    unclassified = started - classified  # NC, DNF and DSQ cars; then two DNS and two DNA
    middle = ["NC"] * 3 + ["DNF"] * (unclassified - 4) + ["DSQ"] if unclassified >= 4 else ["NC", "DSQ", "DNF"][:unclassified]
    statuses = middle + ["DNS", "DNS", "DNA", "DNA"]
    lines = [f"= {title} =", "",
             f"The {title} was an invented endurance race, run under the organization of the Automobile Club "
             f"de l'Ouest (ACO). It was run on {date} at the {circuit} near {locality}, {country}.", "",
             "==Official results==",
             "Class winners in bold. Cars failing to complete 70% of winner's distance marked as Not Classified (NC).",
             "| Pos | Class | No | Team | Drivers | Chassis | Tyre | Laps |", "| Engine | | | | | | | |"]
    numbers = rng.sample(range(1, 200), rows)
    laps = winner
    for position in range(1, rows + 1):
        pos = str(position) if position <= classified else statuses[position - classified - 1]
        if position <= classified:
            laps = winner if position == 1 else max(int(threshold) + 1, laps - rng.randint(0, 4))
            lap_text = str(laps)
        elif pos in ("NC",):
            lap_text = str(rng.randint(1, int(threshold) - 1))
        elif pos in ("DNF", "DSQ"):
            lap_text = str(rng.randint(1, winner))
        else:
            lap_text = "-"
        empty = pos == "DNA" or (pos == "DNS" and rng.random() < 0.5)
        drivers = "" if empty else driver_cell(rng, pools)
        tyre = "" if empty or rng.random() < 0.1 else rng.choice(TYRES)
        cells = [pos, rng.choice(CLASSES), str(numbers[position - 1]), team_cell(rng, pools), drivers,
                 spell(rng, rng.choice(CHASSIS), "chassis"), tyre, lap_text]
        lines.append(("| " + " | ".join(cells) + " |").replace("|  |", "| |"))
        lines.append(f"| {spell(rng, rng.choice(ENGINES), 'engine')} | | | | | | | |")
    lines += ["", "===Statistics===", f"- Distance - {winner * 13.626:.2f} km", ""]
    return title, "\n".join(lines)


def write_family(folder: Path, articles: int, rows: int = 60, seed: int = 7) -> list[Path]:
    """Write `articles` invented articles into `folder` (emptied first); the same seed gives the same files."""
    rng = random.Random(seed)
    pools = Pools(rng)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths = []
    for index in range(articles):
        title, text = article(index, rows, rng, pools)
        path = folder / f"{title.lower().replace(' ', '-')}.en.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--rows", type=int, default=60, help="cars per article (at least 8)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "family")
    parser.add_argument("--write-only", action="store_true")
    parser.add_argument("--skip-validation", action="store_true",
                        help="build without the SHACL validation (to time the rest of the pipeline alone)")
    args = parser.parse_args()
    articles = args.out / "articles"
    write_family(articles, args.articles, args.rows, args.seed)
    print(f"wrote {args.articles} articles of {args.rows} rows to {articles}", file=sys.stderr)
    if args.write_only:
        return
    if args.skip_validation:
        command = [sys.executable, "-c", "import sys; from pathlib import Path; from graph.build import build_graph; "
                   "o = build_graph([Path(sys.argv[1])], Path(sys.argv[2]), validate=False); "
                   "[print(f'{k:>14}: {v}') for k, v in o.counts.items()]; [print(m, file=sys.stderr) for m in o.merges]",
                   str(articles), str(args.out / "graph")]
    else:
        command = [str(Path(sys.executable).with_name("racegraph")), "build", str(articles),
                   "--out", str(args.out / "graph")]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    merges = sum(1 for line in done.stderr.splitlines() if line.startswith("merged: "))
    print(done.stdout, end="")
    print(f"exit code {done.returncode}; {merges} merges reported")
    print(f"{elapsed:.1f} s for {args.articles} events: {elapsed / args.articles:.2f} s per event; "
          f"peak memory {peak_mib:.0f} MiB")
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        sys.exit(done.returncode)


if __name__ == "__main__":
    main()
