/// Why a TCP connection was closed as it was accepted (the label of
/// `ordinal_dns_rejected_connections_total`).
enum TCPRefusal: String, CaseIterable, Sendable {
    /// ``DNSServerSettings/maxConnections`` were open.
    case connectionCap = "connection_cap"
    /// ``DNSServerSettings/maxConnectionsPerSource`` were open from its address.
    case sourceCap = "source_cap"
    /// The process's listeners hold every descriptor its limit leaves them.
    case descriptors
}

/// Why the server closed a TCP connection it had been serving (the label of
/// `ordinal_dns_closed_connections_total`).
enum TCPClosure: String, CaseIterable, Sendable {
    /// No bytes for ``DNSServerSettings/idleTimeout``.
    case idle
    /// A message not whole within ``DNSServerSettings/messageDeadline`` of its first byte.
    case deadline
    /// Not read for ``DNSServerSettings/stallTimeout``: its client does not read our answers.
    case stalled
    /// More than ``DNSServerSettings/maxPendingAnswerBytes`` of answers unsent.
    case backlog
    /// A message with no answer (shorter than a header, or a response): nothing to reply.
    case malformed
    /// The server was full and another address holding fewer connections took this one's slot
    /// (its address held the most).
    case evicted
}
