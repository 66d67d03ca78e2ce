// The query page: YASGUI pointed at this endpoint, our prefixes, and the example queries one click away.
// A link to /sparql#query=... (the pages' "query this in SPARQL") opens the editor with that query.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-editor-config").textContent);
  var linked = new URLSearchParams(window.location.hash.slice(1)).get("query");
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { value: linked || config.defaultQuery },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" }
  });

  // Results as people read them: IRIs shortened with the prefixes, literals without quotes and
  // datatypes ("compact"), and whole cells and headings rather than ellipses.
  function plainTable(tab) {
    var yasr = tab && tab.getYasr && tab.getYasr();
    if (!yasr || !yasr.config.plugins.table) { return; }
    var current = yasr.config.plugins.table.dynamicConfig || {};
    if (current.compact !== true || current.isEllipsed !== false) {
      yasr.storePluginConfig("table", Object.assign({}, current, { compact: true, isEllipsed: false }));
    }
  }

  var tab = yasgui.getTab();
  plainTable(tab);
  if (linked) {
    tab.setQuery(linked);
  } else if (tab && !tab.getQuery().trim()) {
    tab.setQuery(config.defaultQuery);
  }
  window.addEventListener("hashchange", function () {
    var query = new URLSearchParams(window.location.hash.slice(1)).get("query");
    if (query) { yasgui.getTab().setQuery(query); }
  });
  yasgui.on("tabSelect", function (instance, id) { plainTable(instance.getTab(id)); });
  yasgui.on("query", function (instance, queried) { plainTable(queried); });
  document.querySelectorAll("button.sparql-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.dataset.example)];
      var current = yasgui.getTab();
      current.setEndpoint(config.endpoint);
      current.setQuery(example.query);
      plainTable(current);
      current.query();
    });
  });
}());
