// The query page: YASGUI pointed at this endpoint, our prefixes, and the example queries one click away.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-editor-config").textContent);
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { value: config.defaultQuery },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" }
  });
  var tab = yasgui.getTab();
  if (tab && !tab.getQuery().trim()) {
    tab.setQuery(config.defaultQuery);
  }
  document.querySelectorAll("button.sparql-example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.dataset.example)];
      var current = yasgui.getTab();
      current.setEndpoint(config.endpoint);
      current.setQuery(example.query);
      current.query();
    });
  });
}());
