import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a child process (the SDK interop scripts, headless Chromium, `openssl`) to its end, for
/// tests, through `posix_spawn`. Foundation's `Process.run()` on Linux crashes now and then (it
/// over-reads a `/proc/self/fd` directory entry: swift-corelibs-foundation PR #5472), which took
/// a whole test run down. The async `run` waits on a thread of its own, so an in-process gateway
/// the child talks to keeps its executor threads (the cooperative pool is as wide as the cores).
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// `posix_spawn` or `pipe` failed with this error number.
    public struct SpawnError: Error, CustomStringConvertible {
        public var code: Int32
        public var description: String { "cannot start the child process: \(String(cString: strerror(code)))" }
    }

    /// Runs `executable` with `arguments` (and `environment`, else this process's) and returns its
    /// exit status and its standard output (and standard error, with `stderrToo`).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stderrToo: Bool = true) async throws
        -> Result
    {
        let (pid, output) = try spawn(executable, arguments, environment: environment, stderrToo: stderrToo)
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: finish(pid, output)) }.start()
        }
    }

    /// `run` for synchronous callers: blocks the calling thread until the child has exited.
    public static func runToEnd(_ executable: String, _ arguments: [String], stderrToo: Bool = true) throws -> Result {
        let (pid, output) = try spawn(executable, arguments, environment: nil, stderrToo: stderrToo)
        return finish(pid, output)
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]?, stderrToo: Bool) throws -> (pid_t, Int32) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw SpawnError(code: errno) }
        // Close-on-exec, so that children spawned later do not hold this pipe open.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        if stderrToo {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // The child gets no other descriptor of this process: an inherited socket of an
        // in-process server would keep its connection open after the tests closed it.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = environment ?? ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(pipeEnds[1])
        guard status == 0 else {
            close(pipeEnds[0])
            throw SpawnError(code: status)
        }
        return (pid, pipeEnds[0])
    }

    /// Reads the child's output to its end, then reaps it.
    private static func finish(_ pid: pid_t, _ output: Int32) -> Result {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[0..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        // Exited: its exit code; killed by a signal: 128 + the signal, as a shell reports it.
        let signal = status & 0x7f
        return Result(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, output: String(decoding: bytes, as: UTF8.self))
    }
}
