import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Exec
import Listening
import NIOCore
import NIOSSL

/// How the API's HTTP server is built: HTTP/1.1, behind TLS when the agent has a
/// certificate, with an idle timeout so a silent client cannot hold a connection and
/// bounded request heads.
enum APIServerTLS {
    /// How long a connection may say nothing (a TLS handshake, a request head) before it is
    /// closed. A response in progress (a watch) is never cut by it.
    static let idleTimeout: TimeAmount = .seconds(60)

    /// Request heads (``RequestHeadLimits``): beyond these the request is refused before any
    /// handler runs.
    static let headerLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: RequestHeadLimits.maxFieldBytes, maxHeaderListSize: RequestHeadLimits.maxHeadBytes, maxHeaderFieldCount: RequestHeadLimits.maxFields
    )

    /// - Parameters:
    ///   - gate: admits each connection before TLS or HTTP is set up for it.
    ///   - deadlines: the first request (handshake included), each head and each body.
    /// - Throws: ``AgentStartError`` naming the file that is not a PEM certificate or key.
    static func serverBuilder(_ files: APITLSFiles?, gate: ConnectionGate, deadlines: RequestDeadlines, exec: ExecService) throws -> HTTPServerBuilder {
        // HTTP/1.1 plus the SPDY and WebSocket upgrades of `kubectl exec` (docs/exec.md).
        let configuration = HTTP1Channel.Configuration(idleTimeout: idleTimeout, httpDecoderConfiguration: headerLimits)
        let tls = try files.map(tlsConfiguration)
        return HTTPServerBuilder { responder in
            let http = ExecHTTPChannel(responder: responder, configuration: configuration, deadlines: deadlines, service: exec)
            guard let tls else { return GatedChildChannel(base: http, gate: gate) }
            return GatedChildChannel(base: try TLSChannel(http, tlsConfiguration: tls), gate: gate)
        }
    }

    private static func tlsConfiguration(_ files: APITLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw AgentStartError(reason: "--api-cert \(files.certificateChain): not a PEM certificate (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw AgentStartError(reason: "--api-key \(files.privateKey): not a PEM private key (\(error))")
        }
        guard !chain.isEmpty else {
            throw AgentStartError(reason: "--api-cert \(files.certificateChain): holds no certificate")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

extension APIServerTLS {
    /// Agents calling each other's API trust `--api-cert`'s file (``peerClientContext(_:)``):
    /// with only the agent's own certificate in it (not self-signed), no other agent's
    /// certificate verifies, and a forwarded exec or the leader's status fails. Said once at
    /// start; a self-signed certificate shared by every agent still works, so it is no error.
    static func peerTrustWarning(_ files: APITLSFiles?) -> String? {
        guard let files, let chain = try? NIOSSLCertificate.fromPEMFile(files.certificateChain), chain.count == 1 else { return nil }
        return "--api-cert \(files.certificateChain) holds one certificate and no CA: unless it is self-signed and shared by every agent, execs forwarded to other agents and the leader's status fail; append the CA (scripts/api-certs writes both)"
    }

    /// Client TLS for forwarding an exec to the agent that hosts the pod: trusts this agent's
    /// own chain file (every agent's certificate is signed by the cluster CA, as
    /// ``LeaderStatusClient`` trusts it) and verifies the name too — the certificate must be
    /// for the address (or host name) dialed, which `scripts/api-certs` puts in every
    /// agent's certificate. Without the name check any certificate the CA signed (another
    /// service's) would be handed the token.
    static func peerClientContext(_ files: APITLSFiles?) throws -> NIOSSLContext? {
        guard let files else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(files.certificateChain)
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw AgentStartError(reason: "--api-cert \(files.certificateChain): cannot trust it for exec forwarding (\(error))")
        }
    }
}
