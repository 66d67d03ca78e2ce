"""Generate graph/vocab.py, the closed `RG` namespace, from ontology/racegraph.ttl.

    python -m graph.vocabgen           # rewrite graph/vocab.py
    python -m graph.vocabgen --check   # exit 1 and show the diff if vocab.py is stale

The namespace is racegraph's fixed `https://w3id.org/racegraph/ontology#` (graph.uris.ONTOLOGY_NS),
the same for every deployment.
"""

from __future__ import annotations

import argparse
import difflib
import keyword
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from graph.paths import ONTOLOGY_FILE
from graph.uris import ONTOLOGY_NS

VOCAB_FILE = Path(__file__).with_name("vocab.py")

# The kinds of declaration a term may have, in the words the generated comment uses.
_KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
}

_HEADER = '''"""The racegraph ontology as a closed rdflib namespace.

Generated from ontology/racegraph.ttl by `python -m graph.vocabgen`; do not edit by hand.
A term that the ontology does not define raises AttributeError, so a typo fails loudly.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class RG(DefinedNamespace):
    _fail = True
    _NS = Namespace("{namespace}")

'''


@dataclass(frozen=True)
class Term:
    name: str
    kind: str
    label: str
    derived: bool = False

    def line(self) -> str:
        kind = f"{self.kind} (derived)" if self.derived else self.kind
        return f"    {self.name}: URIRef  # {kind}: {self.label}\n"


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


def _english_label(graph: Graph, subject: URIRef) -> str:
    labels = sorted(str(o) for o in graph.objects(subject, RDFS.label)
                    if isinstance(o, Literal) and o.language == "en")
    if len(labels) != 1:
        raise ValueError(f"{subject} needs exactly one English rdfs:label, has {labels}")
    return labels[0]


def _check_name(name: str, subject: URIRef) -> None:
    # DefinedNamespace reserves names starting with "_", and a keyword cannot be an attribute.
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"{subject} does not make a usable Python attribute name")


def ontology_terms(graph: Graph, namespace: str) -> list[Term]:
    """Every term declared in `namespace`, sorted by name.

    An IRI in the namespace that is used but never declared as a class or property
    is an error: it is most likely a typo in the ontology.
    """
    derived_type = URIRef(namespace + "DerivedProperty")
    terms: dict[str, Term] = {}
    mentioned: set[URIRef] = set()
    for triple in graph:
        # The namespace IRI itself appears too (vann:preferredNamespaceUri); it is no term.
        mentioned.update(t for t in triple
                         if isinstance(t, URIRef) and t.startswith(namespace) and t != URIRef(namespace))
    for subject in sorted(mentioned):
        name = subject[len(namespace):]
        kinds = sorted(_KINDS[t] for t in graph.objects(subject, RDF.type) if t in _KINDS)
        if len(kinds) != 1:
            raise ValueError(f"{subject} must be declared as exactly one of "
                             f"{sorted(_KINDS.values())}, found {kinds}")
        _check_name(name, subject)
        terms[name] = Term(
            name=name,
            kind=kinds[0],
            label=_english_label(graph, subject),
            derived=(subject, RDF.type, derived_type) in graph,
        )
    return [terms[name] for name in sorted(terms)]


def render(terms: list[Term]) -> str:
    return _HEADER.replace("{namespace}", ONTOLOGY_NS) + "".join(term.line() for term in terms)


def generate(path: Path = ONTOLOGY_FILE) -> str:
    """The text graph/vocab.py should have for the ontology at `path`."""
    return render(ontology_terms(load_ontology(path), ONTOLOGY_NS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.vocabgen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 and print the diff if graph/vocab.py is stale")
    args = parser.parse_args(argv)

    wanted = generate()
    current = VOCAB_FILE.read_text(encoding="utf-8") if VOCAB_FILE.exists() else ""
    if args.check:
        if current == wanted:
            return 0
        diff = difflib.unified_diff(current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                                    "graph/vocab.py (current)", "graph/vocab.py (from ontology)")
        sys.stdout.writelines(diff)
        print("graph/vocab.py is stale: run `python -m graph.vocabgen`", file=sys.stderr)
        return 1
    if current != wanted:
        VOCAB_FILE.write_text(wanted, encoding="utf-8")
        print(f"wrote {VOCAB_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
