// Starts GraphiQL against this server. Our own code (not fetched from npm):
// a file of its own, not an inline script, so the page's Content-Security-
// Policy can allow scripts from the server's origin only.
(function () {
  "use strict";

  // GraphiQL's dialogs add a <style> element (react-remove-scroll-bar) and
  // give it the nonce in this global; the page's CSP allows inline styles
  // with this response's nonce only, which the server put on our tag.
  if (document.currentScript && document.currentScript.nonce) {
    window.__webpack_nonce__ = document.currentScript.nonce;
  }

  // Relative to the page, which the server serves at /graphql and at
  // /graphiql: both resolve to the same endpoints, also behind a proxy
  // that mounts the API under a path prefix.
  var http = new URL("graphql", document.baseURI);
  var ws = new URL("graphql/ws", document.baseURI);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";

  // GraphiQL's own fetcher: queries and mutations as JSON POSTs; a
  // subscription opens a graphql-transport-ws connection whose
  // connection_init payload is the Headers editor's object, so
  // {"Authorization": "Bearer <token>"} there authenticates both.
  var fetcher = GraphiQL.createFetcher({
    url: http.href,
    subscriptionUrl: ws.href,
  });

  var defaultQuery = [
    "# Portalen API",
    "#",
    "# To authenticate, put a token in",
    "# Headers (below) as",
    '# {"Authorization": "Bearer <token>"}',
    "# It is sent with every query and",
    "# mutation, and when a subscription",
    "# opens its WebSocket.",
    "",
    "{",
    "  viewer {",
    "    role",
    "  }",
    "}",
    "",
  ].join("\n");

  var root = document.getElementById("graphiql");
  root.textContent = "";
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: "headers",
      // A token is a credential: kept in the tab's memory, never written
      // to localStorage with the rest of GraphiQL's state.
      shouldPersistHeaders: false,
    }),
  );
})();
