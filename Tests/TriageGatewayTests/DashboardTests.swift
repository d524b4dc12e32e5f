import Foundation
import Testing
import TriageFakeUpstream
import TriageCore
import TriageStore

@Suite("Dashboard")
struct DashboardTests {
    /// A little known traffic and its traces: two runs; three calls under fixed-tier roles
    /// (planner, worker, formatter) and three the router decided (an unconfigured role and two
    /// without one). Feedback corrects one router decision (mid → frontier) and one fixed-role
    /// call, which is not a router decision and must not count.
    static func trafficGateway() async throws -> (GatewayHarness, [TraceRecord]) {
        let gateway = try await GatewayHarness.start()
        let calls: [(role: String?, run: String)] = [
            ("planner", "run-alpha"), ("worker", "run-alpha"), ("formatter", "run-beta"), ("<script>alert(1)</script>", "run-beta"),
            (nil, "run-alpha"), (nil, "run-beta"),
        ]
        var traces: [TraceRecord] = []
        for call in calls {
            var headers = ["X-Triage-Run": call.run]
            if let role = call.role { headers["X-Triage-Role"] = role }
            let response = try await gateway.post(body: chatBody(), headers: headers)
            #expect(response.status == 200)
            traces.append(try await gateway.trace(try #require(response.header("X-Triage-Request-Id"))))
        }
        #expect(traces.map(\.isRouterDecision) == [false, false, false, true, true, true])
        #expect(traces[3].routedTier == "mid")
        let corrected = try await gateway.post("/v1/feedback", body: #"{"request_id":"\#(traces[3].requestID)","score":0,"correct_tier":"frontier"}"#)
        #expect(corrected.status == 200)
        let fixedRole = try await gateway.post("/v1/feedback", body: #"{"request_id":"\#(traces[0].requestID)","score":0,"correct_tier":"small"}"#)
        #expect(fixedRole.status == 200)
        return (gateway, traces)
    }

    @Test("/dashboard/data reports totals, operating metrics, series, runs and recent decisions")
    func data() async throws {
        let (gateway, traces) = try await Self.trafficGateway()
        let response = try await gateway.get("/dashboard/data?since=1h")
        #expect(response.status == 200)
        let data = try #require(response.json)
        #expect(data["window"]?["since"] == .string("1h"))
        #expect(data["window"]?["bucket_seconds"]?.intValue == 300)
        #expect(data["totals"]?["calls"]?.intValue == 6)
        #expect(data["operating"]?["tasks"]?.intValue == 2)
        // Three router decisions, one corrected; the fixed-role correction does not count.
        #expect(data["operating"]?["auto_decisions"]?.intValue == 3)
        #expect(data["operating"]?["corrected"]?.intValue == 1)
        #expect(data["operating"]?["routing_accuracy"]?.doubleValue == 2.0 / 3.0)
        #expect(data["operating"]?["escalation_override_rate"]?.doubleValue == 1.0 / 3.0)
        let perTask = try #require(data["operating"]?["cost_per_task_usd"]?.doubleValue)
        #expect(abs(perTask - traces.map(\.costUSD).reduce(0, +) / 2) < 1e-15)
        let buckets = try #require(data["series"]?["buckets"]?.arrayValue)
        #expect(buckets.count == 13)
        let frontier = try #require(data["series"]?["tier"]?["frontier"]?.arrayValue)
        #expect(frontier.count == buckets.count)
        let frontierSpend = traces.filter { $0.tier == "frontier" }.map(\.costUSD).reduce(0, +)
        #expect(abs(frontier.compactMap(\.doubleValue).reduce(0, +) - frontierSpend) < 1e-15)
        #expect(data["spend"]?["model"]?.arrayValue?.isEmpty == false)
        let runs = try #require(data["runs"]?.arrayValue)
        #expect(Set(runs.compactMap { $0["run_id"]?.stringValue }) == ["run-alpha", "run-beta"])
        let recent = try #require(data["recent"]?.arrayValue)
        #expect(recent.count == 6)
        #expect(recent.first?["reasons"]?.arrayValue?.isEmpty == false)
        #expect(data["alerts"]?.arrayValue == [])
        #expect(try await gateway.get("/dashboard/data?since=forever").status == 400)
        try await gateway.stop()
    }

    @Test("the page works offline and renders its charts and operating metrics in headless Chromium")
    func rendersInChromium() async throws {
        guard let chromium = Chromium.executable else {
            // CI installs Chromium and sets TRIAGE_REQUIRE_CHROMIUM: there a missing browser fails the test.
            #expect(ProcessInfo.processInfo.environment["TRIAGE_REQUIRE_CHROMIUM"] == nil, "Chromium is required but not installed")
            return
        }
        let (gateway, traces) = try await Self.trafficGateway()
        let page = try await gateway.get("/dashboard")
        #expect(page.status == 200)
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        // Offline: nothing is loaded from another origin.
        #expect(!page.body.contains("http://") && !page.body.contains("https://") && !page.body.contains("//cdn"))

        let dom = try await Chromium.dumpDOM(chromium, url: gateway.baseURL + "/dashboard")
        try await gateway.stop()
        #expect(dom.contains(#"data-state="ready""#))

        // Spend over time (the page opens on 24 hours in hourly buckets, by tier): one column per
        // bucket, and the bars of each tier add up to that tier's spend.
        let spend = Chromium.element("spend-chart", in: dom)
        #expect(spend.hasPrefix(#"<div class="chart" id="spend-chart">"#) && spend.hasSuffix("</div>"))
        #expect(!spend.contains("runs-chart"))
        #expect(Chromium.count(#"class="column""#, in: spend) == 25)
        let tierSpend = Dictionary(traces.map { ($0.tier ?? "(none)", $0.costUSD) }, uniquingKeysWith: +)
        #expect(tierSpend.keys.sorted() == ["frontier", "mid", "small"])
        var drawn: [String: Double] = [:]
        for bar in Chromium.tags(#"<div class="bar""#, in: spend) {
            drawn[Chromium.attribute("data-key", of: bar) ?? "?", default: 0] += Double(Chromium.attribute("data-usd", of: bar) ?? "") ?? .nan
        }
        #expect(drawn.keys.sorted() == tierSpend.keys.sorted())
        for (tier, cost) in tierSpend { #expect(abs((drawn[tier] ?? 0) - cost) < 1e-15, "\(tier)") }
        for tier in tierSpend.keys { #expect(spend.contains("</i>\(tier)</span>"), "legend \(tier)") }

        // Cost per run: one row per run, as long as its spend, with the amount written out.
        let runs = Chromium.element("runs-chart", in: dom)
        #expect(runs.hasPrefix(#"<div class="hbars" id="runs-chart">"#))
        let rows = Chromium.tags(#"<div class="row""#, in: runs)
        #expect(rows.count == 2)
        for run in ["run-alpha", "run-beta"] {
            let cost = traces.filter { $0.runID == run }.map(\.costUSD).reduce(0, +)
            let row = try #require(rows.first { Chromium.attribute("data-run", of: $0) == run })
            #expect(abs((Double(Chromium.attribute("data-usd", of: row) ?? "") ?? .nan) - cost) < 1e-15)
            #expect(runs.contains(#"<span class="amount">\#(Chromium.usd(cost))</span>"#), "\(run): \(Chromium.usd(cost))")
        }

        // The three operating metrics: cost per run over both runs, 2 of 3 router decisions
        // accurate, 1 of 3 corrected.
        let perTask = traces.map(\.costUSD).reduce(0, +) / 2
        let costPerTask = Chromium.element("metric-cost-per-task", in: dom)
        #expect(abs((Double(Chromium.attribute("data-value", of: costPerTask) ?? "") ?? .nan) - perTask) < 1e-15)
        #expect(Chromium.text(of: costPerTask) == Chromium.usd(perTask))
        #expect(Chromium.text(of: Chromium.element("metric-routing-accuracy", in: dom)) == "66.7 %")
        #expect(Chromium.text(of: Chromium.element("metric-override-rate", in: dom)) == "33.3 %")
        #expect(Chromium.text(of: Chromium.element("metric-calls", in: dom)) == "6 (0)")

        #expect(Chromium.element("table-recent", in: dom).contains("fake-frontier"))
        #expect(dom.contains("run-alpha") && dom.contains("run-beta"))
        // Client-supplied text is shown, never executed.
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!dom.contains("<script>alert(1)</script>"))
    }

    @Test("element extraction returns exactly the element's own subtree")
    func elementExtraction() {
        let dom = #"<main><div id="a" class="x"><div><span>1</span></div><div>2</div></div><div id="b"><p>3</p></div></main>"#
        #expect(Chromium.element("a", in: dom) == #"<div id="a" class="x"><div><span>1</span></div><div>2</div></div>"#)
        #expect(Chromium.element("b", in: dom) == #"<div id="b"><p>3</p></div>"#)
        #expect(Chromium.element("missing", in: dom) == "")
        #expect(Chromium.text(of: Chromium.element("a", in: dom)) == "12")
        #expect(Chromium.usd(0.000_012_345) == "$0.000012" && Chromium.usd(0.009_96) == "$0.010" && Chromium.usd(1.5) == "$1.50" && Chromium.usd(0) == "$0")
    }
}

/// Headless Chromium, from Debian's `chromium` package.
enum Chromium {
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Loads `url`, lets its scripts run (virtual time), and returns the resulting DOM.
    static func dumpDOM(_ executable: String, url: String) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("triage-chromium-\(UUID().uuidString)").path
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile)",
            "--virtual-time-budget=10000", "--dump-dom", url,
        ]
        let result = try await ChildProcess.run(executable, arguments, stderrToo: false)
        try? FileManager.default.removeItem(atPath: profile)
        return result.output
    }

    /// The markup of the element with this id: from its start tag to the end tag that closes it
    /// (nested elements of the same name counted), nothing after it. `""` when there is none.
    static func element(_ id: String, in dom: String) -> String {
        let html = Array(dom.utf8)
        guard let idAt = find(Array(#"id="\#(id)""#.utf8), in: html, from: 0), let open = html[..<idAt].lastIndex(of: UInt8(ascii: "<")) else { return "" }
        let name = html[(open + 1)...].prefix { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard !name.isEmpty else { return "" }
        let start = [UInt8(ascii: "<")] + name
        let end = Array("</".utf8) + name + [UInt8(ascii: ">")]
        var depth = 0
        var index = open
        while index < html.count {
            if html[index...].starts(with: end) {
                depth -= 1
                index += end.count
                if depth == 0 { return String(decoding: html[open..<index], as: UTF8.self) }
            } else if html[index...].starts(with: start), index + start.count < html.count, [UInt8(ascii: " "), UInt8(ascii: ">")].contains(html[index + start.count]) {
                depth += 1
                index += start.count
            } else {
                index += 1
            }
        }
        return ""
    }

    /// Every start tag beginning with `prefix` in `html`, up to its `>`.
    static func tags(_ prefix: String, in html: String) -> [String] {
        html.components(separatedBy: prefix).dropFirst().map { prefix + ($0.split(separator: ">", maxSplits: 1).first.map(String.init) ?? "") + ">" }
    }

    /// The value of `name="…"` in a start tag (`&amp;` and `&quot;` unescaped).
    static func attribute(_ name: String, of tag: String) -> String? {
        guard let range = tag.range(of: " \(name)=\"") else { return nil }
        let value = tag[range.upperBound...].prefix { $0 != "\"" }
        return value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The text of some markup: the tags dropped.
    static func text(of markup: String) -> String {
        var text = ""
        var inTag = false
        for character in markup {
            if character == "<" { inTag = true } else if character == ">" { inTag = false } else if !inTag { text.append(character) }
        }
        return text
    }

    /// The page's `usd()`: `$0`, two significant digits under a cent (JavaScript's
    /// `toPrecision(2)`, which writes fixed notation down to 1e-6), else cents.
    static func usd(_ value: Double) -> String {
        if value == 0 { return "$0" }
        guard abs(value) < 0.01 else { return "$" + String(format: "%.2f", value) }
        var exponent = Int(floor(log10(abs(value))))
        if (abs(value) / pow(10, Double(exponent - 1))).rounded() >= 100 { exponent += 1 }
        return "$" + String(format: "%.\(max(0, 1 - exponent))f", value)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = from
        while index + needle.count <= haystack.count {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
