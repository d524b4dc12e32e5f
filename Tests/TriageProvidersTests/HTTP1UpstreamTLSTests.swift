import Foundation
import NIOCore
import NIOSSL
import Testing
import TriageFakeUpstream

@testable import TriageProviders

/// HTTPS against a loopback NIOSSL server with a self-signed certificate made by the `openssl`
/// CLI at test time (skipped when `openssl` is missing).
@Suite struct HTTP1UpstreamTLSTests {
    struct Certificate {
        let certificate: NIOSSLCertificate
        let key: NIOSSLPrivateKey
    }

    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1.
    static func makeCertificate() throws -> Certificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("triage-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certPath = directory.appendingPathComponent("cert.pem").path
        let keyPath = directory.appendingPathComponent("key.pem").path
        let result = try ChildProcess.runToEnd(
            try #require(openssl),
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyPath, "-out", certPath,
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        try #require(result.status == 0, "openssl: \(result.output)")
        return Certificate(certificate: try #require(NIOSSLCertificate.fromPEMFile(certPath).first), key: try NIOSSLPrivateKey(file: keyPath, format: .pem))
    }

    static func serverContext(_ certificate: Certificate) throws -> NIOSSLContext {
        try NIOSSLContext(
            configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate.certificate)], privateKey: .privateKey(certificate.key)))
    }

    @Test(.enabled(if: openssl != nil)) func httpsWithATrustedCertificate() async throws {
        let certificate = try Self.makeCertificate()
        try await HTTP1UpstreamClientTests.withServer(tls: try Self.serverContext(certificate)) { server in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([certificate.certificate])
            let client = HTTP1UpstreamClientTests.makeClient(tls: tls)
            let url = try #require(UpstreamURL(string: "https://localhost:\(server.port)/v1")).appending(path: "/json")
            for _ in 0..<3 {
                let response = try await client.execute(method: .GET, url: url, headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
                #expect(response.status == 200)
                #expect(String(buffer: try await response.body.collect(upTo: 4096)) == LoopbackHTTPServer.jsonBody)
            }
            #expect(client.connectionsOpened == 1)
            await client.shutdown()
        }
    }

    @Test(.enabled(if: openssl != nil)) func selfSignedCertificateIsRejectedByDefault() async throws {
        let certificate = try Self.makeCertificate()
        try await HTTP1UpstreamClientTests.withServer(tls: try Self.serverContext(certificate)) { server in
            let client = HTTP1UpstreamClientTests.makeClient()
            let url = try #require(UpstreamURL(string: "https://localhost:\(server.port)/json"))
            // The handshake failure is reported as `tls`, or as a failed connection when the
            // server's close reaches the client first; either way nothing is sent.
            let error = await #expect(throws: UpstreamTransportError.self) {
                _ = try await client.execute(method: .GET, url: url, headers: [:], body: ByteBuffer(), headTimeout: .seconds(5))
            }
            #expect(error == .other("tls") || error == .connectFailed)
            #expect(server.requests == 0)
            await client.shutdown()
        }
    }
}
