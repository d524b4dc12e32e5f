import Foundation

/// Runs a child process (the SDK interop scripts, headless Chromium) to its end without blocking
/// a Swift concurrency thread: waiting happens on a thread of its own, so the in-process gateway
/// the child talks to keeps its executor threads (the cooperative pool is as wide as the cores).
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stderrToo: Bool = true) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = stderrToo ? output : FileHandle.nullDevice
        try process.run()
        return await withCheckedContinuation { continuation in
            let waiter = Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self)))
            }
            waiter.start()
        }
    }
}
