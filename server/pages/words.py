"""The words of the interface itself, in each language it speaks; the data's own labels come from the graph.

Every language has every key (a test checks it). Dates and numbers are not words: Babel writes them
(server.pages.format).
"""

LANGUAGE_NAMES = {"en": "English", "es": "Español"}

UI = {
    "en": {
        "home": "Home", "search": "Search", "search_placeholder": "Driver, team, event, chassis…",
        "events": "Events", "date": "Date", "circuit": "Circuit", "results": "Results", "pos": "Pos",
        "class": "Class", "no": "No.", "teams": "Team", "drivers": "Drivers", "chassis": "Chassis",
        "engine": "Engine", "tyre": "Tyre", "laps": "Laps", "event": "Event", "career": "Career",
        "team_mates": "Team-mates",
        "organiser": "Organiser", "series": "Series", "pole": "Pole position", "pole_time": "Pole lap time",
        "distance": "Race distance", "speed": "Average speed", "lap_length": "Lap length",
        "threshold": "Classification threshold", "fastest_lap": "Fastest lap", "sources": "Sources",
        "description_en": "Description (English)", "description_es": "Description (Spanish)",
        "facts": "All facts", "incoming": "Linked from", "class_winner": "class winner",
        "nationality": "Nationality", "entries": "Entries", "no_results": "Nothing found for",
        "counts": "In this dataset", "related": "Related", "ontology": "Ontology", "api": "JSON API",
        "dumps": "Downloads", "classes": "Classes", "properties": "Properties", "domain": "Domain",
        "range": "Range", "alignments": "Alignments", "data": "Data", "language": "Language",
        "about": "racegraph publishes motor race results read from encyclopaedia articles as linked data.",
        "winner_note": "★ marks the winner of each class.", "type": "Type",
        "page": "Page", "of": "of", "previous": "Previous", "next": "Next", "triples": "Triples",
        "contents": "Contents", "found": "found", "sitemap": "Sitemap", "licence": "Licence", "quads": "Quads",
        # kinds, as index headings
        "drivers_plural": "Drivers", "teams_plural": "Teams", "chassis_plural": "Chassis", "engines": "Engines",
        "manufacturers": "Manufacturers", "classes_plural": "Classes", "circuits": "Circuits",
        "countries": "Countries", "manufacturer": "Manufacturer", "country": "Country", "code": "Code",
        "name": "Name",
        # browsing
        "browse": "Browse", "all": "All", "sort_by": "Sort by", "show": "Show", "any_country": "Any country",
        "first_letter": "First letter", "clear_filters": "Clear filters",
        "nothing_listed": "Nothing matches these filters.",
        "sort_name": "Name, A–Z", "sort_-name": "Name, Z–A", "sort_-count": "Most first",
        "sort_count": "Fewest first", "sort_-date": "Newest first", "sort_date": "Oldest first",
        "sort_a_z": "A–Z", "sort_z_a": "Z–A",
        "sort_column": "Sort by this column", "sorted_ascending": "sorted ascending",
        "sorted_descending": "sorted descending",
        # statistics
        "statistics": "Statistics", "starts": "Starts", "wins": "Overall wins", "class_wins": "Class wins",
        "podiums": "Overall podiums", "best_result": "Best overall result", "laps_completed": "Laps completed",
        "distance_completed": "Distance completed", "finishing_rate": "Finishing rate",
        "finishers": "Classified finishers", "winners_margin": "Winner's margin",
        "finishers_by_class": "Finishers by class", "shared_races": "races together",
        "derived": "derived",
        "derived_note": "† derived: worked out by racegraph from the stated results (class winners, distances, "
                        "rates, margins), not stated by a source article.",
        "how_computed": "Computed by SPARQL over the graph: open the query",
        "unit_laps": "laps", "unit_litre": "L", "unit_km": "km", "unit_kmh": "km/h", "unit_percent": "%",
        "none_yet": "none",
        # charts
        "chart_laps_title": "Laps completed per car",
        "chart_laps_desc": "Bar chart: one bar per car in the order of the results table; the height is the "
                           "number of laps completed and the colour is the car's class.",
        "chart_results_title": "Results over time",
        "chart_results_desc": "Line chart: the overall finishing position in each race, in date order, with "
                              "first place at the top; races without a classified finish have no point.",
        "chart_class_wins_title": "Class wins by chassis manufacturer",
        "chart_class_wins_desc": "Stacked bar chart: one bar per chassis manufacturer; each segment is the "
                                 "number of class wins in one class.",
        "chart_numbers": "The chart's numbers as a table", "car": "Car", "position": "Overall position",
        # linked data
        "uri": "URI", "copy_button": "Copy", "copied": "Copied", "as_document": "This description as",
        "query_this": "Query this in SPARQL", "query_career": "Query this career in SPARQL",
        "breadcrumbs": "You are here", "linked_data": "Linked data", "namespace": "Namespace",
        "prefix": "prefix", "version": "version",
        "lang_unsupported": "This site is not available in the language “{wanted}”; it is shown in {shown}.",
        "role_summary": "{who}: {kind} {order} of {count} listed for car #{no} in {event}.",
        "role_driver": "driver", "role_team": "entrant",
        # the SPARQL page
        "sparql_title": "SPARQL endpoint",
        "sparql_intro": "Query the racegraph knowledge graph at {endpoint} (SPARQL 1.1, read-only). Without FROM, "
                        "the default graph is the merge of all named graphs (each triple once). A query runs for "
                        "at most {timeout} s and answers at most {rows} rows or triples.",
        "service_description": "Service description", "examples": "Examples", "query": "Query",
        "format": "Format", "run": "Run", "html_table": "HTML table", "rows_found": "rows",
        "results_truncated": "Only the first {rows} rows are shown (the MAX_RESULT_ROWS setting).",
        "open_in_editor": "Open in the query editor", "share": "Link to these results",
        "download_as": "Download as", "ask_true": "Yes: the pattern matches.", "ask_false": "No: the pattern does not match.",
        "no_rows": "The query has no results.",
        "fragments_title": "Triple Pattern Fragments",
        "fragments_intro": "Every triple of the graph that matches a pattern, a page at a time. Leave a position "
                           "empty to match anything; write an IRI as is and a literal in quotes (\"Audi\"@en).",
        "subject": "Subject", "predicate": "Predicate", "object": "Object", "find": "Find",
        "fragment_counts": "Triples {first}–{last} of {total}", "fragment_empty": "No triple matches this pattern.",
        "first_page": "First", "fragment_as": "This fragment as", "fragment_of_term": "Triples with this term here",
    },
    "es": {
        "home": "Inicio", "search": "Buscar", "search_placeholder": "Piloto, equipo, evento, chasis…",
        "events": "Eventos", "date": "Fecha", "circuit": "Circuito", "results": "Resultados", "pos": "Pos",
        "class": "Categoría", "no": "N.º", "teams": "Equipo", "drivers": "Pilotos", "chassis": "Chasis",
        "engine": "Motor", "tyre": "Neum.", "laps": "Vueltas", "event": "Evento", "career": "Trayectoria",
        "team_mates": "Compañeros",
        "organiser": "Organizador", "series": "Serie", "pole": "Pole position", "pole_time": "Tiempo de la pole",
        "distance": "Distancia de carrera", "speed": "Velocidad media", "lap_length": "Longitud de vuelta",
        "threshold": "Umbral de clasificación", "fastest_lap": "Vuelta rápida", "sources": "Fuentes",
        "description_en": "Descripción (inglés)", "description_es": "Descripción (español)",
        "facts": "Todos los datos", "incoming": "Enlazado desde", "class_winner": "ganador de categoría",
        "nationality": "Nacionalidad", "entries": "Inscripciones", "no_results": "Nada encontrado para",
        "counts": "En este conjunto de datos", "related": "Relacionado", "ontology": "Ontología",
        "api": "API JSON", "dumps": "Descargas", "classes": "Clases", "properties": "Propiedades",
        "domain": "Dominio", "range": "Rango", "alignments": "Alineaciones", "data": "Datos",
        "language": "Idioma",
        "about": "racegraph publica resultados de carreras de motor leídos de artículos enciclopédicos como datos enlazados.",
        "winner_note": "★ marca al ganador de cada categoría.", "type": "Tipo",
        "page": "Página", "of": "de", "previous": "Anterior", "next": "Siguiente", "triples": "Tripletas",
        "contents": "Contenido", "found": "encontrados", "sitemap": "Mapa del sitio", "licence": "Licencia", "quads": "Cuádruplas",
        "drivers_plural": "Pilotos", "teams_plural": "Equipos", "chassis_plural": "Chasis", "engines": "Motores",
        "manufacturers": "Fabricantes", "classes_plural": "Categorías", "circuits": "Circuitos",
        "countries": "Países", "manufacturer": "Fabricante", "country": "País", "code": "Código",
        "name": "Nombre",
        "browse": "Explorar", "all": "Todos", "sort_by": "Ordenar por", "show": "Mostrar",
        "any_country": "Cualquier país", "first_letter": "Inicial", "clear_filters": "Quitar filtros",
        "nothing_listed": "Nada coincide con estos filtros.",
        "sort_name": "Nombre, A–Z", "sort_-name": "Nombre, Z–A", "sort_-count": "Más primero",
        "sort_count": "Menos primero", "sort_-date": "Más recientes primero", "sort_date": "Más antiguos primero",
        "sort_a_z": "A–Z", "sort_z_a": "Z–A",
        "sort_column": "Ordenar por esta columna", "sorted_ascending": "orden ascendente",
        "sorted_descending": "orden descendente",
        "statistics": "Estadísticas", "starts": "Salidas", "wins": "Victorias absolutas",
        "class_wins": "Victorias de categoría", "podiums": "Podios absolutos", "best_result": "Mejor resultado absoluto",
        "laps_completed": "Vueltas completadas", "distance_completed": "Distancia recorrida",
        "finishing_rate": "Porcentaje de llegadas", "finishers": "Clasificados",
        "winners_margin": "Ventaja del ganador", "finishers_by_class": "Clasificados por categoría",
        "shared_races": "carreras juntos", "derived": "derivado",
        "derived_note": "† derivado: calculado por racegraph a partir de los resultados declarados (ganadores de "
                        "categoría, distancias, porcentajes, ventajas), no declarado por un artículo fuente.",
        "how_computed": "Calculado con SPARQL sobre el grafo: abrir la consulta",
        "unit_laps": "vueltas", "unit_litre": "L", "unit_km": "km", "unit_kmh": "km/h", "unit_percent": "%",
        "none_yet": "ninguno",
        "chart_laps_title": "Vueltas completadas por coche",
        "chart_laps_desc": "Gráfico de barras: una barra por coche en el orden de la tabla de resultados; la "
                           "altura es el número de vueltas completadas y el color, la categoría del coche.",
        "chart_results_title": "Resultados a lo largo del tiempo",
        "chart_results_desc": "Gráfico de líneas: la posición absoluta en cada carrera, por fecha, con el primer "
                              "puesto arriba; las carreras sin clasificación no tienen punto.",
        "chart_class_wins_title": "Victorias de categoría por fabricante del chasis",
        "chart_class_wins_desc": "Gráfico de barras apiladas: una barra por fabricante de chasis; cada tramo es "
                                 "el número de victorias en una categoría.",
        "chart_numbers": "Los números del gráfico en una tabla", "car": "Coche", "position": "Posición absoluta",
        "uri": "URI", "copy_button": "Copiar", "copied": "Copiado", "as_document": "Esta descripción en",
        "query_this": "Consultar esto en SPARQL", "query_career": "Consultar esta trayectoria en SPARQL",
        "breadcrumbs": "Está aquí", "linked_data": "Datos enlazados", "namespace": "Espacio de nombres",
        "prefix": "prefijo", "version": "versión",
        "lang_unsupported": "Este sitio no está disponible en el idioma «{wanted}»; se muestra en {shown}.",
        "role_summary": "{who}: {kind} {order} de {count} inscritos en el coche n.º {no} en {event}.",
        "role_driver": "piloto", "role_team": "equipo",
        "sparql_title": "Punto de acceso SPARQL",
        "sparql_intro": "Consulte el grafo de conocimiento de racegraph en {endpoint} (SPARQL 1.1, solo lectura). "
                        "Sin FROM, el grafo por defecto es la unión de todos los grafos con nombre (cada tripleta "
                        "una vez). Una consulta dura como mucho {timeout} s y responde como mucho {rows} filas o "
                        "tripletas.",
        "service_description": "Descripción del servicio", "examples": "Ejemplos", "query": "Consulta",
        "format": "Formato", "run": "Ejecutar", "html_table": "Tabla HTML", "rows_found": "filas",
        "results_truncated": "Solo se muestran las primeras {rows} filas (el ajuste MAX_RESULT_ROWS).",
        "open_in_editor": "Abrir en el editor de consultas", "share": "Enlace a estos resultados",
        "download_as": "Descargar como", "ask_true": "Sí: el patrón coincide.",
        "ask_false": "No: el patrón no coincide.", "no_rows": "La consulta no tiene resultados.",
        "fragments_title": "Fragmentos de patrones de tripletas",
        "fragments_intro": "Cada tripleta del grafo que coincide con un patrón, página a página. Deje una posición "
                           "vacía para que coincida con todo; escriba un IRI tal cual y un literal entre comillas "
                           "(\"Audi\"@en).",
        "subject": "Sujeto", "predicate": "Predicado", "object": "Objeto", "find": "Buscar",
        "fragment_counts": "Tripletas {first}–{last} de {total}",
        "fragment_empty": "Ninguna tripleta coincide con este patrón.",
        "first_page": "Primera", "fragment_as": "Este fragmento en", "fragment_of_term": "Tripletas con este término aquí",
    },
}
