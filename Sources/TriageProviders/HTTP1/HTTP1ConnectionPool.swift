import NIOCore
import NIOPosix
import Synchronization

/// The idle keep-alive connections of one `HTTP1UpstreamClient`, per (scheme, host, port).
///
/// Leases are last in, first out (the warmest connection first), preferring one on the calling
/// thread's event loop. At most `maxIdlePerHost` idle connections are kept per host; a release
/// beyond that closes the oldest idle one. Connections in use are not tracked: there is no limit
/// on concurrent connections.
final class HTTP1ConnectionPool: Sendable {
    private struct State {
        var idle: [HTTP1PoolKey: [HTTP1Connection]] = [:]
        var isShutDown = false
    }

    private let state = Mutex(State())
    let maxIdlePerHost: Int
    let idleTimeout: TimeAmount

    init(maxIdlePerHost: Int, idleTimeout: TimeAmount) {
        self.maxIdlePerHost = max(0, maxIdlePerHost)
        self.idleTimeout = idleTimeout
    }

    /// An idle connection to `key`, taken out of the pool; `nil` when none is idle.
    func lease(_ key: HTTP1PoolKey) -> HTTP1Connection? {
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        return state.withLock { state -> HTTP1Connection? in
            guard var connections = state.idle[key], !connections.isEmpty else { return nil }
            var index = connections.count - 1
            if let current {
                // Newest first: the newest idle connection on this thread's loop, if any.
                var candidate = index
                while candidate >= 0, connections[candidate].eventLoop !== current { candidate -= 1 }
                if candidate >= 0 { index = candidate }
            }
            let connection = connections.remove(at: index)
            state.idle[key] = connections
            return connection
        }
    }

    /// Puts an idle connection back; `false` when the pool is shut down or takes no idle
    /// connections (the caller closes it). When full, the oldest idle connection is closed.
    func release(_ connection: HTTP1Connection) -> Bool {
        let (accepted, evicted) = state.withLock { state -> (Bool, HTTP1Connection?) in
            guard !state.isShutDown, maxIdlePerHost > 0 else { return (false, nil) }
            var evicted: HTTP1Connection?
            state.idle[connection.key, default: []].append(connection)
            if state.idle[connection.key]!.count > maxIdlePerHost {
                evicted = state.idle[connection.key]!.removeFirst()
            }
            return (true, evicted)
        }
        evicted?.close()
        return accepted
    }

    /// Takes `connection` out of the pool if it is there (it closed).
    func remove(_ connection: HTTP1Connection) {
        _ = removeIfIdle(connection)
    }

    /// Takes `connection` out of the pool; `false` when it was not idle in it (leased).
    func removeIfIdle(_ connection: HTTP1Connection) -> Bool {
        state.withLock { state in
            guard var connections = state.idle[connection.key],
                let index = connections.lastIndex(where: { $0 === connection })
            else { return false }
            connections.remove(at: index)
            state.idle[connection.key] = connections.isEmpty ? nil : connections
            return true
        }
    }

    /// How many idle connections the pool holds for `key`.
    func idleCount(_ key: HTTP1PoolKey) -> Int {
        state.withLock { $0.idle[key]?.count ?? 0 }
    }

    /// Stops pooling and returns the idle connections for the caller to close.
    func shutDown() -> [HTTP1Connection] {
        state.withLock { state in
            state.isShutDown = true
            defer { state.idle = [:] }
            return state.idle.values.flatMap { $0 }
        }
    }
}
