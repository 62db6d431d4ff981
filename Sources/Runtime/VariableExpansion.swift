/// Kubernetes' `$(VAR)` expansion of command, args and env values.
///
/// Follows `third_party/forked/golang/expansion` in Kubernetes: `$(NAME)` becomes the value of a
/// defined variable and stays as written when undefined; `$$` is an escaped `$`, so `$$(NAME)`
/// yields the literal `$(NAME)`; an unterminated `$(` and a `$` before any other character are
/// copied unchanged. Shell syntax such as `$NAME` is left for a shell to expand.
package enum VariableExpansion {
    /// - Returns: `input` with every reference expanded against `variables`.
    package static func expand(_ input: String, _ variables: [String: String]) -> String {
        let bytes = Array(input.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        while cursor < bytes.count {
            let byte = bytes[cursor]
            guard byte == UInt8(ascii: "$"), cursor + 1 < bytes.count else {
                output.append(byte)
                cursor += 1
                continue
            }
            let next = bytes[cursor + 1]
            if next == UInt8(ascii: "$") {
                output.append(next)
                cursor += 2
            } else if next == UInt8(ascii: "("),
                      let close = bytes[(cursor + 2)...].firstIndex(of: UInt8(ascii: ")")) {
                let name = String(decoding: bytes[(cursor + 2) ..< close], as: UTF8.self)
                if let value = variables[name] {
                    output.append(contentsOf: value.utf8)
                } else {
                    output.append(contentsOf: bytes[cursor ... close])
                }
                cursor = close + 1
            } else {
                output.append(contentsOf: [byte, next])
                cursor += 2
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
