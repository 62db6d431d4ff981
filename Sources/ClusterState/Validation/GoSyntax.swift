// Printing values the way Go's `fmt` does, since Kubernetes' field errors show a bad
// value with `%q` (strings) and `%#v` (maps) and clients match on that text.

/// Go's `strconv.Quote`: double quotes, backslash escapes for quotes, backslashes and
/// control characters, `\u` escapes for other unprintable scalars.
func goQuoted(_ text: String) -> String {
    var quoted = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        case "\u{07}": quoted += "\\a"
        case "\u{08}": quoted += "\\b"
        case "\u{0C}": quoted += "\\f"
        case "\n": quoted += "\\n"
        case "\r": quoted += "\\r"
        case "\t": quoted += "\\t"
        case "\u{0B}": quoted += "\\v"
        default:
            if isGoPrintable(scalar) {
                quoted.unicodeScalars.append(scalar)
            } else if scalar.value < 0x80 {
                quoted += "\\x" + hexDigits(scalar.value, width: 2)
            } else if scalar.value <= 0xFFFF {
                quoted += "\\u" + hexDigits(scalar.value, width: 4)
            } else {
                quoted += "\\U" + hexDigits(scalar.value, width: 8)
            }
        }
    }
    return quoted + "\""
}

/// Go's `%#v` of a `map[string]string`: keys sorted, `nil` spelled out.
func goMapLiteral(_ map: [String: String]?) -> String {
    guard let map else { return "map[string]string(nil)" }
    let entries = map.keys.sorted().map { goQuoted($0) + ":" + goQuoted(map[$0] ?? "") }
    return "map[string]string{" + entries.joined(separator: ", ") + "}"
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
private func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark,
         .decimalNumber, .letterNumber, .otherNumber,
         .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation,
         .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

private func hexDigits(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
