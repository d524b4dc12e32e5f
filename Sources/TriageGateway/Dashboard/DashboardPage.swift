/// The dashboard: one self-contained HTML page (inline CSS and script, no external resources, so it
/// works offline and behind air gaps) that reads `/dashboard/data` and draws spend over time, cost per
/// run, the three operating metrics, spend tables, the most expensive runs and recent decisions.
///
/// Every value that came from a client (roles, run ids, reasons) is inserted as text, never as markup.
/// `<body data-state>` goes `loading` → `ready` (or `error`) so a headless browser can tell when the
/// page has drawn; the drawn figures also carry their raw values (`data-value` on the metrics,
/// `data-key`/`data-usd` on spend bars, `data-run`/`data-usd` on run rows).
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Triage — spend and routing</title>
        <style>
          :root { --fg:#1d232b; --muted:#5f6b7a; --line:#dde3ea; --bg:#f6f8fa; --card:#fff; --bad:#b42318; --good:#067647; }
          * { box-sizing: border-box; }
          body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
          header { display:flex; align-items:center; gap:16px; padding:12px 20px; background:var(--card); border-bottom:1px solid var(--line); flex-wrap:wrap; }
          header h1 { font-size:18px; margin:0 12px 0 0; }
          header .spacer { flex:1; }
          select, button { font:inherit; padding:3px 8px; border:1px solid var(--line); border-radius:6px; background:#fff; }
          main { padding:16px 20px; display:grid; gap:16px; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
          section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-width:0; }
          section.wide { grid-column: 1 / -1; }
          h2 { font-size:14px; margin:0 0 10px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.03em; }
          .metrics { display:grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap:12px; }
          .metric { border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
          .metric .value { font-size:24px; font-weight:650; font-variant-numeric: tabular-nums; }
          .metric .label { color:var(--muted); font-size:12px; }
          .chart { position:relative; }
          .columns { display:flex; align-items:flex-end; gap:2px; height:180px; border-bottom:1px solid var(--line); }
          .column { flex:1; display:flex; flex-direction:column-reverse; height:100%; min-width:2px; }
          .column .bar { width:100%; }
          .axis { display:flex; justify-content:space-between; color:var(--muted); font-size:11px; margin-top:4px; }
          .legend { display:flex; flex-wrap:wrap; gap:10px; margin-top:8px; font-size:12px; }
          .legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
          .hbars .row { display:grid; grid-template-columns: 160px 1fr 90px; gap:8px; align-items:center; margin:3px 0; }
          .hbars .name { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
          .hbars .track { background:var(--bg); border-radius:3px; height:14px; }
          .hbars .bar { background:#3b6fd8; height:14px; border-radius:3px; min-width:2px; }
          .hbars .amount { text-align:right; font-variant-numeric: tabular-nums; }
          table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
          th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
          th { color:var(--muted); font-weight:600; font-size:12px; }
          td.num, th.num { text-align:right; }
          td.reasons { color:var(--muted); font-size:12px; max-width:520px; }
          .status-failed { color:var(--bad); font-weight:600; }
          .alert { border-left:4px solid var(--bad); padding:6px 10px; margin:4px 0; background:#fef3f2; }
          .none { color:var(--muted); }
          #error { color:var(--bad); }
        </style>
        </head>
        <body data-state="loading">
        <header>
          <h1>Triage</h1>
          <label>Window <select id="window"><option value="1h">last hour</option><option value="24h" selected>last 24 hours</option><option value="7d">last 7 days</option></select></label>
          <label>Spend by <select id="dimension"><option value="role">role</option><option value="tier" selected>tier</option><option value="model">model</option></select></label>
          <span class="spacer"></span>
          <span id="policy" class="none"></span>
          <span id="generated" class="none"></span>
          <button id="refresh" type="button">Refresh</button>
        </header>
        <main>
          <section class="wide">
            <h2>Operating metrics</h2>
            <div class="metrics">
              <div class="metric"><div class="value" id="metric-cost-per-task">–</div><div class="label">cost per automated task (per run)</div></div>
              <div class="metric"><div class="value" id="metric-routing-accuracy">–</div><div class="label">routing accuracy (not escalated, not corrected)</div></div>
              <div class="metric"><div class="value" id="metric-override-rate">–</div><div class="label">escalation override rate (tier corrected by a person)</div></div>
              <div class="metric"><div class="value" id="metric-spend">–</div><div class="label">spend in window</div></div>
              <div class="metric"><div class="value" id="metric-calls">–</div><div class="label">calls (failed)</div></div>
              <div class="metric"><div class="value" id="metric-tokens">–</div><div class="label">tokens in / out</div></div>
            </div>
            <div id="alerts"></div>
            <div id="error"></div>
          </section>
          <section class="wide">
            <h2 id="spend-title">Spend over time</h2>
            <div class="chart" id="spend-chart"></div>
          </section>
          <section class="wide">
            <h2>Cost per run (most expensive)</h2>
            <div class="hbars" id="runs-chart"></div>
          </section>
          <section>
            <h2>Spend by role</h2>
            <table id="table-role"></table>
          </section>
          <section>
            <h2>Spend by tier</h2>
            <table id="table-tier"></table>
          </section>
          <section class="wide">
            <h2>Spend by model</h2>
            <table id="table-model"></table>
          </section>
          <section class="wide">
            <h2>Most expensive runs</h2>
            <table id="table-runs"></table>
          </section>
          <section class="wide">
            <h2>Recent decisions</h2>
            <table id="table-recent"></table>
          </section>
        </main>
        <script>
        "use strict";
        const palette = ["#3b6fd8", "#e8833a", "#2f9e6f", "#9b59b6", "#d64545", "#1aa3b8", "#b8a11a", "#7f8c8d", "#c2185b", "#5d4037"];
        let data = null;

        function el(tag, attributes, children) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(attributes || {})) {
            if (key === "text") node.textContent = value; else if (key === "style") node.style.cssText = value; else node.setAttribute(key, value);
          }
          for (const child of children || []) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
          return node;
        }
        function usd(value) {
          if (value === null || value === undefined) return "–";
          if (value === 0) return "$0";
          if (Math.abs(value) < 0.01) return "$" + value.toPrecision(2);
          return "$" + value.toFixed(2);
        }
        function percent(value) { return value === null || value === undefined ? "–" : (value * 100).toFixed(1).replace(/\.0$/, "") + " %"; }
        function count(value) { return (value || 0).toLocaleString("en-US"); }
        function time(iso) { const date = new Date(iso); return isNaN(date) ? iso : date.toLocaleString(); }
        function setText(id, text) { document.getElementById(id).textContent = text; }
        function setMetric(id, text, value) {
          const node = document.getElementById(id);
          node.textContent = text;
          if (value === null || value === undefined) node.removeAttribute("data-value"); else node.setAttribute("data-value", String(value));
        }

        function renderMetrics() {
          const operating = data.operating, totals = data.totals;
          setMetric("metric-cost-per-task", usd(operating.cost_per_task_usd), operating.cost_per_task_usd);
          setMetric("metric-routing-accuracy", percent(operating.routing_accuracy), operating.routing_accuracy);
          setMetric("metric-override-rate", percent(operating.escalation_override_rate), operating.escalation_override_rate);
          setText("metric-spend", usd(totals.cost_usd));
          setText("metric-calls", count(totals.calls) + " (" + count(totals.failed_calls) + ")");
          setText("metric-tokens", count(totals.input_tokens) + " / " + count(totals.output_tokens));
          setText("policy", data.policy_version === null ? "" : "policy v" + data.policy_version);
          setText("generated", "as of " + time(data.generated_at));
          const alerts = document.getElementById("alerts");
          alerts.replaceChildren(...data.alerts.map(alert => el("div", {class: "alert", text: alert.name + " alert firing since " + time(alert.since) + ": " + alert.message})));
        }

        function renderSpendChart() {
          const dimension = document.getElementById("dimension").value;
          const buckets = data.series.buckets, series = data.series[dimension] || {};
          const keys = Object.keys(series).sort((a, b) => series[b].reduce((s, v) => s + v, 0) - series[a].reduce((s, v) => s + v, 0));
          const totals = buckets.map((_, i) => keys.reduce((sum, key) => sum + series[key][i], 0));
          const peak = Math.max(...totals, 0);
          setText("spend-title", "Spend over time by " + dimension + " (" + data.window.bucket_seconds / 60 + "-minute buckets, peak " + usd(peak) + ")");
          const chart = document.getElementById("spend-chart");
          if (peak === 0) { chart.replaceChildren(el("p", {class: "none", text: "No spend in this window."})); return; }
          const columns = el("div", {class: "columns"});
          buckets.forEach((bucket, i) => {
            const column = el("div", {class: "column", title: time(bucket) + ": " + usd(totals[i])});
            keys.forEach((key, k) => {
              const value = series[key][i];
              if (value > 0) column.appendChild(el("div", {class: "bar", "data-key": key, "data-usd": String(value), title: key + ": " + usd(value), style: "height:" + (100 * value / peak) + "%;background:" + palette[k % palette.length]}));
            });
            columns.appendChild(column);
          });
          const axis = el("div", {class: "axis"}, [el("span", {text: time(buckets[0])}), el("span", {text: time(data.window.to)})]);
          const legend = el("div", {class: "legend"}, keys.map((key, k) => el("span", {}, [el("i", {style: "background:" + palette[k % palette.length]}), key])));
          chart.replaceChildren(columns, axis, legend);
        }

        function renderRunsChart() {
          const chart = document.getElementById("runs-chart");
          if (data.runs.length === 0) { chart.replaceChildren(el("p", {class: "none", text: "No runs (send X-Triage-Run) in this window."})); return; }
          const peak = Math.max(...data.runs.map(run => run.cost_usd), 0);
          chart.replaceChildren(...data.runs.map(run => el("div", {class: "row", "data-run": run.run_id, "data-usd": String(run.cost_usd)}, [
            el("span", {class: "name", title: run.run_id, text: run.run_id}),
            el("span", {class: "track"}, [el("div", {class: "bar", style: "width:" + (peak > 0 ? 100 * run.cost_usd / peak : 0) + "%"})]),
            el("span", {class: "amount", text: usd(run.cost_usd)}),
          ])));
        }

        function table(id, columns, rows) {
          const head = el("tr", {}, columns.map(column => el("th", {class: column.num ? "num" : "", text: column.title})));
          const body = rows.map(row => el("tr", {}, columns.map(column => {
            const cell = el("td", {class: column.cls ? column.cls(row) : (column.num ? "num" : ""), text: column.value(row)});
            return cell;
          })));
          const node = document.getElementById(id);
          node.replaceChildren(el("thead", {}, [head]), el("tbody", {}, body.length ? body : [el("tr", {}, [el("td", {class: "none", colspan: String(columns.length), text: "nothing in this window"})])]));
        }

        function renderTables() {
          const spendColumns = [
            {title: "key", value: row => row.key},
            {title: "calls", num: true, value: row => count(row.calls)},
            {title: "failed", num: true, value: row => count(row.failed_calls)},
            {title: "input tok", num: true, value: row => count(row.input_tokens)},
            {title: "cached", num: true, value: row => count(row.cached_input_tokens)},
            {title: "output tok", num: true, value: row => count(row.output_tokens)},
            {title: "cost", num: true, value: row => usd(row.cost_usd)},
            {title: "p50 ms", num: true, value: row => row.p50_latency_ms.toFixed(1)},
          ];
          for (const dimension of ["role", "tier", "model"]) table("table-" + dimension, spendColumns, data.spend[dimension] || []);
          table("table-runs", [
            {title: "run", value: run => run.run_id},
            {title: "calls", num: true, value: run => count(run.calls)},
            {title: "escalations", num: true, value: run => count(run.escalations)},
            {title: "cost", num: true, value: run => usd(run.cost_usd)},
            {title: "first call", value: run => time(run.first_at)},
            {title: "last call", value: run => time(run.last_at)},
          ], data.runs);
          table("table-recent", [
            {title: "time", value: call => time(call.started_at)},
            {title: "role", value: call => call.role || "–"},
            {title: "skill", value: call => call.skill || "–"},
            {title: "tier", value: call => call.tier || "–"},
            {title: "model", value: call => call.model || "–"},
            {title: "status", value: call => call.status, cls: call => call.status === "ok" ? "" : "status-failed"},
            {title: "esc.", num: true, value: call => count(call.escalations)},
            {title: "cost", num: true, value: call => usd(call.cost_usd)},
            {title: "ms", num: true, value: call => call.latency_ms.toFixed(1)},
            {title: "reasons", value: call => call.reasons.join("; "), cls: () => "reasons"},
          ], data.recent);
        }

        function render() { renderMetrics(); renderSpendChart(); renderRunsChart(); renderTables(); }

        async function load() {
          const since = document.getElementById("window").value;
          try {
            const response = await fetch("/dashboard/data?since=" + encodeURIComponent(since), {cache: "no-store"});
            const body = await response.json();
            if (!response.ok) throw new Error(body.error ? body.error.message : response.status);
            data = body;
            render();
            setText("error", "");
            document.body.dataset.state = "ready";
          } catch (error) {
            setText("error", "Could not load the dashboard data: " + error.message);
            document.body.dataset.state = "error";
          }
        }

        document.getElementById("window").addEventListener("change", load);
        document.getElementById("refresh").addEventListener("click", load);
        document.getElementById("dimension").addEventListener("change", () => { if (data) renderSpendChart(); });
        load();
        setInterval(load, 30000);
        </script>
        </body>
        </html>
        """#
}
