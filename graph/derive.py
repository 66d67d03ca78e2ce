"""Facts racegraph works out rather than reads: they go to a named graph of their own (graph/derived/…)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from graph.article import RaceArticle
from graph.convert import entry_uris, event_uri
from graph.table import ResultRow
from graph.uris import Minter
from graph.vocab import RG

_KM = Decimal("0.001")


def class_winners(rows: tuple[ResultRow, ...]) -> dict[str, ResultRow]:
    """The best classified row of each class (the articles print them in bold)."""
    winners: dict[str, ResultRow] = {}
    for row in rows:
        if row.position is None:
            continue
        best = winners.get(row.car_class)
        if best is None or row.position < best.position:
            winners[row.car_class] = row
    return winners


def lap_length(article: RaceArticle) -> Decimal | None:
    """Race distance over the winner's laps, in km, or None when either is missing."""
    winner = next((row for row in article.rows if row.position == 1), None)
    distance = article.statistics.distance_km
    if winner is None or not winner.laps or distance is None:
        return None
    return (distance / winner.laps).quantize(_KM, rounding=ROUND_HALF_EVEN)


def derive(article: RaceArticle, minter: Minter | None = None) -> tuple[URIRef, Graph]:
    """(graph name, triples) of the facts derived from one race article."""
    minter = minter or Minter()
    name = minter.derived_graph(article.source.stem)
    graph = Graph()
    graph.add((name, RDF.type, RG.DerivedGraph))
    graph.add((name, RDF.type, PROV.Entity))
    graph.add((name, RDFS.label, Literal(f"Facts derived from {article.source.path.name}", lang="en")))
    graph.add((name, PROV.wasDerivedFrom, minter.article_graph(article.source.stem)))
    event = event_uri(article, minter)
    uris = entry_uris(article, minter)
    for row in class_winners(article.rows).values():
        graph.add((event, RG.classWinner, uris[row.order]))
    length = lap_length(article)
    if length is not None:
        graph.add((event, RG.lapLength, Literal(length, datatype=XSD.decimal)))
        for row in article.rows:
            if row.laps is not None:
                covered = (length * row.laps).quantize(_KM, rounding=ROUND_HALF_EVEN)
                graph.add((uris[row.order], RG.distanceCovered, Literal(covered, datatype=XSD.decimal)))
    return name, graph

