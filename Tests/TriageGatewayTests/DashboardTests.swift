import Foundation
import Testing
import TriageCore

@Suite("Dashboard")
struct DashboardTests {
    /// Runs a little known traffic: two runs, three roles, one call corrected by feedback.
    static func trafficGateway() async throws -> GatewayHarness {
        let gateway = try await GatewayHarness.start()
        var last = ""
        for (role, run) in [("planner", "run-alpha"), ("worker", "run-alpha"), ("formatter", "run-beta"), ("<script>alert(1)</script>", "run-beta")] {
            let response = try await gateway.post(body: chatBody(), headers: ["X-Triage-Role": role, "X-Triage-Run": run])
            #expect(response.status == 200)
            last = try #require(response.header("X-Triage-Request-Id"))
        }
        _ = try await gateway.trace(last)
        let feedback = try await gateway.post("/v1/feedback", body: #"{"request_id":"\#(last)","score":0,"correct_tier":"frontier"}"#)
        #expect(feedback.status == 200)
        return gateway
    }

    @Test("/dashboard/data reports totals, operating metrics, series, runs and recent decisions")
    func data() async throws {
        let gateway = try await Self.trafficGateway()
        let response = try await gateway.get("/dashboard/data?since=1h")
        #expect(response.status == 200)
        let data = try #require(response.json)
        #expect(data["window"]?["since"] == .string("1h"))
        #expect(data["window"]?["bucket_seconds"]?.intValue == 300)
        #expect(data["totals"]?["calls"]?.intValue == 4)
        #expect(data["operating"]?["tasks"]?.intValue == 2)
        #expect(data["operating"]?["auto_decisions"]?.intValue == 4)
        #expect(data["operating"]?["corrected"]?.intValue == 1)
        #expect(data["operating"]?["routing_accuracy"]?.doubleValue == 0.75)
        #expect(data["operating"]?["escalation_override_rate"]?.doubleValue == 0.25)
        let buckets = try #require(data["series"]?["buckets"]?.arrayValue)
        #expect(buckets.count == 13)
        let frontier = try #require(data["series"]?["tier"]?["frontier"]?.arrayValue)
        #expect(frontier.count == buckets.count)
        #expect(frontier.compactMap(\.doubleValue).reduce(0, +) > 0)
        #expect(data["spend"]?["model"]?.arrayValue?.isEmpty == false)
        let runs = try #require(data["runs"]?.arrayValue)
        #expect(Set(runs.compactMap { $0["run_id"]?.stringValue }) == ["run-alpha", "run-beta"])
        let recent = try #require(data["recent"]?.arrayValue)
        #expect(recent.count == 4)
        #expect(recent.first?["reasons"]?.arrayValue?.isEmpty == false)
        #expect(data["alerts"]?.arrayValue == [])
        #expect(try await gateway.get("/dashboard/data?since=forever").status == 400)
        try await gateway.stop()
    }

    @Test("the page works offline and renders its charts in headless Chromium")
    func rendersInChromium() async throws {
        guard let chromium = Chromium.executable else {
            // CI installs Chromium and sets TRIAGE_REQUIRE_CHROMIUM: there a missing browser fails the test.
            #expect(ProcessInfo.processInfo.environment["TRIAGE_REQUIRE_CHROMIUM"] == nil, "Chromium is required but not installed")
            return
        }
        let gateway = try await Self.trafficGateway()
        let page = try await gateway.get("/dashboard")
        #expect(page.status == 200)
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        // Offline: nothing is loaded from another origin.
        #expect(!page.body.contains("http://") && !page.body.contains("https://") && !page.body.contains("//cdn"))

        let dom = try await Chromium.dumpDOM(chromium, url: gateway.baseURL + "/dashboard")
        #expect(dom.contains(#"data-state="ready""#))
        #expect(dom.contains(#"id="spend-chart""#))
        #expect(Chromium.count(#"class="bar""#, in: Chromium.element("spend-chart", in: dom)) > 0)
        #expect(Chromium.count(#"class="bar""#, in: Chromium.element("runs-chart", in: dom)) == 2)
        #expect(dom.contains("run-alpha") && dom.contains("run-beta"))
        #expect(dom.contains(#"id="metric-routing-accuracy""#))
        #expect(Chromium.element("metric-routing-accuracy", in: dom).contains("75"))
        #expect(Chromium.element("metric-override-rate", in: dom).contains("25"))
        #expect(Chromium.element("table-recent", in: dom).contains("fake-frontier"))
        // Client-supplied text is shown, never executed.
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!dom.contains("<script>alert(1)</script>"))
        try await gateway.stop()
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

    /// The markup of the element with this id (up to the next element with an id of the same kind is good enough for assertions).
    static func element(_ id: String, in dom: String) -> String {
        guard let start = dom.range(of: #"id="\#(id)""#) else { return "" }
        let tail = dom[start.lowerBound...]
        return String(tail.prefix(20_000))
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
