// Runs SPARQL queries with Comunica and prints every answer as JSON, for tests/test_comunica.py.
// Usage: node run-queries.mjs JOBS.json, where JOBS.json is [{"source": {...}, "query": "..."}, ...]
// and a source is a Comunica source: {"value": URL} (type detected, e.g. Triple Pattern Fragments)
// or {"type": "sparql", "value": URL}. Prints [[{variable: term}, ...], ...], one list per job, where
// a term is {"type": "uri"|"literal"|"bnode", "value", "language"?, "datatype"?}.
import { readFileSync } from 'node:fs';
import { QueryEngine } from '@comunica/query-sparql';

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const RDF_LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';

function termJson(term) {
  if (term.termType === 'NamedNode') return { type: 'uri', value: term.value };
  if (term.termType === 'BlankNode') return { type: 'bnode', value: term.value };
  const found = { type: 'literal', value: term.value };
  if (term.language) found.language = term.language;
  else if (term.datatype && term.datatype.value !== XSD_STRING && term.datatype.value !== RDF_LANG_STRING) {
    found.datatype = term.datatype.value;
  }
  return found;
}

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const engine = new QueryEngine();
const answers = [];
for (const job of jobs) {
  const stream = await engine.queryBindings(job.query, { sources: [job.source], lenient: false });
  const rows = await stream.toArray();
  answers.push(rows.map((row) => Object.fromEntries([...row].map(([variable, term]) => [variable.value, termJson(term)]))));
}
process.stdout.write(JSON.stringify(answers));
