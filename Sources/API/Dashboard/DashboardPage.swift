extension Dashboard {
    /// The page at `/ui`: the layout the script fills in.
    static let page = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ordinal</title>
<link rel="stylesheet" href="/ui/dashboard.css">
</head>
<body>
<header>
  <h1>Ordinal</h1>
  <div id="summary" aria-live="polite"></div>
  <input id="filter" type="search" placeholder="Filter by name, node, address…" aria-label="Filter">
  <form id="token-form" hidden><label for="token">API token</label><input id="token" type="password" autocomplete="off"><button>Use</button></form>
</header>
<main>
  <section><h2>Agents</h2><div id="members"></div></section>
  <section><h2>StatefulSets</h2><div id="sets"></div></section>
  <section><h2>Nodes</h2><div id="nodes"></div></section>
  <section><h2>Recent events</h2><div id="events"></div></section>
</main>
<script src="/ui/dashboard.js"></script>
</body>
</html>
"""#
}
