extension Dashboard {
    /// The page's style sheet, `/ui/dashboard.css`.
    static let style = #"""
:root { --bg: #f7f7f5; --fg: #1d1d1f; --muted: #6e6e73; --line: #dcdcd8; --ok: #1e7d32; --warn: #b26a00; --bad: #b3261e; --info: #1a5fb4; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 13px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; padding: 8px 16px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 16px; margin: 0 8px 0 0; }
#summary { display: flex; flex-wrap: wrap; gap: 4px 16px; flex: 1; }
#filter { width: 220px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; }
main { padding: 8px 16px 40px; display: grid; gap: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; overflow-x: auto; }
h2 { font-size: 14px; margin: 2px 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid #eee; white-space: nowrap; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
details { border-top: 1px solid #eee; padding: 4px 0; }
summary { cursor: pointer; }
.muted { color: var(--muted); }
.error, .warn { color: var(--bad); }
.badge { padding: 0 6px; border-radius: 8px; font-size: 12px; background: #eee; }
.badge.alive, .badge.Running { background: #e3f3e5; color: var(--ok); }
.badge.suspect, .badge.Pending, .badge.Terminating { background: #fff1db; color: var(--warn); }
.badge.dead, .badge.left, .badge.Failed { background: #fbe4e2; color: var(--bad); }
.chips { display: inline-flex; flex-wrap: wrap; gap: 2px; margin-left: 8px; vertical-align: middle; max-width: 100%; }
.chip { min-width: 18px; padding: 0 3px; text-align: center; font-size: 10px; border-radius: 3px; background: #fbe4e2; color: var(--bad); }
.chip.ready { background: #cdebd1; color: var(--ok); }
.chip.Running, .chip.Pending, .chip.Terminating { background: #fff1db; color: var(--warn); }
#nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; }
.names { margin-top: 4px; font-size: 12px; line-height: 1.6; }
.name { white-space: nowrap; }
.name.ready { color: var(--ok); }
.name.Pending, .name.Running, .name.Terminating { color: var(--warn); }
.name.Failed { color: var(--bad); }
form { display: flex; gap: 6px; align-items: center; }
"""#
}
