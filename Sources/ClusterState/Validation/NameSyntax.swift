/// The string formats Kubernetes checks names, labels, ports and percentages against
/// (`k8s.io/apimachinery/pkg/util/validation`), with its messages word for word so a client
/// sees the error an API server would give.
///
/// Each check returns the messages for what is wrong, empty when the value is valid. Lengths
/// count UTF-8 bytes, as Go's `len` does. The regular expressions are matched by hand: a
/// pure module has no regex engine it may rely on, and these are all small character classes.
package enum NameSyntax {
    package static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    package static let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    package static let dns1123SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    package static let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    package static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    package static let qualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    package static let labelValueFormat = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
    package static let labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    package static let percentFormat = "[0-9]+%"
    package static let percentMessage = "a valid percent string must be a numeric string followed by an ending '%'"

    /// A DNS label (RFC 1123): what a pod's hostname and so a StatefulSet's or Service's
    /// name must be, since they appear as one label in DNS names.
    package static func dns1123Label(_ value: String) -> [String] {
        var messages: [String] = []
        if value.utf8.count > 63 { messages.append(maxLength(63)) }
        if !isLabel(value.utf8) {
            messages.append(isSubdomain(value) ? "must not contain dots" : regexError(dns1123LabelMessage, dns1123LabelFormat, "my-name", "123-abc"))
        }
        return messages
    }

    /// A DNS subdomain (RFC 1123): dot-separated labels, at most 253 bytes.
    package static func dns1123Subdomain(_ value: String) -> [String] {
        var messages: [String] = []
        if value.utf8.count > 253 { messages.append(maxLength(253)) }
        if !isSubdomain(value) { messages.append(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, "example.com")) }
        return messages
    }

    /// A label key or annotation key: a name of at most 63 bytes with an optional DNS
    /// subdomain prefix and `/` (`app.kubernetes.io/name`).
    package static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var messages: [String] = []
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                messages.append("prefix part must be non-empty")
            } else {
                messages += dns1123Subdomain(parts[0]).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + regexError(qualifiedNameMessage, qualifiedNameFormat, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            messages.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            messages.append("name part " + maxLength(63))
        }
        if !isQualifiedNamePart(name.utf8) {
            messages.append("name part " + regexError(qualifiedNameMessage, qualifiedNameFormat, "MyName", "my.name", "123-abc"))
        }
        return messages
    }

    /// A label value: empty, or up to 63 bytes of the qualified-name alphabet.
    package static func labelValue(_ value: String) -> [String] {
        var messages: [String] = []
        if value.utf8.count > 63 { messages.append(maxLength(63)) }
        if !value.isEmpty && !isQualifiedNamePart(value.utf8) {
            messages.append(regexError(labelValueMessage, labelValueFormat, "MyValue", "my_value", "12345"))
        }
        return messages
    }

    /// A named port (an IANA service name, RFC 6335): what SRV records are built from.
    package static func portName(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        var messages: [String] = []
        if bytes.count > 15 { messages.append(maxLength(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == hyphen }) {
            messages.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { messages.append("must contain at least one letter (a-z)") }
        if value.contains("--") { messages.append("must not contain consecutive hyphens") }
        if bytes.first == hyphen || bytes.last == hyphen { messages.append("must not begin or end with a hyphen") }
        return messages
    }

    /// A port number: 1 through 65535.
    package static func portNumber(_ value: Int) -> [String] {
        (1 ... 65535).contains(value) ? [] : ["must be between 1 and 65535, inclusive"]
    }

    /// A percentage such as `25%`.
    package static func percent(_ value: String) -> [String] {
        percentValue(value) == nil ? [regexError(percentMessage, percentFormat, "1%", "93%")] : []
    }

    /// The number in a well-formed percentage (`"25%"` is 25); nil otherwise.
    package static func percentValue(_ value: String) -> Int? {
        let digits = value.utf8.dropLast()
        guard value.utf8.last == 0x25, !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        // Saturates rather than wraps, so an absurdly long number still reads as over 100%.
        return digits.reduce(0) { total, digit in
            let (shifted, overflow) = total.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int(digit - 0x30))
            return overflow || carry ? Int.max : sum
        }
    }

    /// A dotted-quad IPv4 address with no leading zeros (as Kubernetes' strict parser wants).
    package static func ipv4Address(_ value: String) -> [String] {
        let octets = value.split(separator: ".", omittingEmptySubsequences: false)
        let valid = octets.count == 4 && octets.allSatisfy { octet in
            let bytes = Array(octet.utf8)
            guard (1 ... 3).contains(bytes.count), bytes.allSatisfy(isDigit), bytes.count == 1 || bytes[0] != 0x30 else { return false }
            return Int(octet).map { $0 <= 255 } ?? false
        }
        return valid ? [] : ["must be a valid IPv4 address"]
    }

    // MARK: - The formats, matched by hand

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func isLabel<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == hyphen }
    }

    /// Labels joined by dots.
    private static func isSubdomain(_ value: String) -> Bool {
        value.utf8.split(separator: 0x2E, omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func isQualifiedNamePart<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == hyphen || $0 == 0x5F || $0 == 0x2E }
    }

    /// Kubernetes' `RegexError`, including its doubled space between examples.
    private static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
        let shown = examples.map { "'" + $0 + "', " }.joined(separator: " or ")
        return message + " (e.g. " + shown + "regex used for validation is '" + format + "')"
    }

    private static func maxLength(_ length: Int) -> String {
        "must be no more than \(length) characters"
    }
}

private let hyphen: UInt8 = 0x2D

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

private func isLowerAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x7A) }

private func isAlphanumeric(_ byte: UInt8) -> Bool { isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A) }
