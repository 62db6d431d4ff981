/// What a query asks for: a name, a type and a class (RFC 1035 §4.1.2). A response echoes
/// it unchanged, letter case included, since resolvers that randomise case (the "0x20"
/// defence against spoofing) compare the echo byte for byte.
package struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    package var name: DNSName
    package var type: DNSRecordType
    package var `class`: DNSClass

    package init(name: DNSName, type: DNSRecordType, class: DNSClass = .in) {
        self.name = name
        self.type = type
        self.class = `class`
    }

    /// `name class type`, as `dig` prints a question.
    package var description: String {
        "\(name) \(self.class) \(type)"
    }
}
