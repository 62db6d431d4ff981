/// How the command ended, as the runtime reports it to the kubelet.
public enum ExecOutcome: Equatable, Sendable {
    /// The process exited with this status (0 = success).
    case exited(Int32)
    /// The process was killed by this signal; reported like a shell does, as exit 128 + signal.
    case signaled(Int32)
    /// The command never ran (not found, spawn failed, ...).
    case failed(String)

    /// The exit code the client should see, or nil when the command never ran.
    public var exitCode: Int32? {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        case .failed: nil
        }
    }
}

/// The final message on the error stream/channel, byte for byte as the kubelet writes it.
///
/// v4/v5 (`v4WriteStatusFunc`): `json.Marshal` of a `metav1.Status`:
/// - exit 0: `{"metadata":{},"status":"Success"}`
/// - exit N: `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code:
///   error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode",
///   "details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`
///   (client-go's `errorDecoderV4` reads only `reason` and the `ExitCode` cause; the message
///   is the CRI runtime's `CodeExitError` text).
/// - never ran: `apierrors.NewInternalError` (`reason` InternalError, `code` 500).
///
/// v1–v3 (`v1WriteStatusFunc`): nothing on success, else the status message as plain text.
public enum ExecStatus {
    public static func body(for outcome: ExecOutcome, command: [String], protocol version: RemoteCommandProtocol) -> [UInt8] {
        let message: String?
        let json: String
        switch outcome {
        case .failed(let why):
            let err = "error executing command in container: \(why)"
            message = "Internal error occurred: \(err)"
            json = #"{"metadata":{},"status":"Failure","message":"# + JSONText.quote(message!)
                + #","reason":"InternalError","details":{"causes":[{"message":"# + JSONText.quote(err)
                + #"}]},"code":500}"#
        case _ where outcome.exitCode == 0:
            message = nil
            json = #"{"metadata":{},"status":"Success"}"#
        default:
            let code = outcome.exitCode ?? 0
            // Go's %v of a []string: "[a b c]".
            let text = "command terminated with non-zero exit code: error executing command ["
                + command.joined(separator: " ") + "], exit code \(code)"
            message = text
            json = #"{"metadata":{},"status":"Failure","message":"# + JSONText.quote(text)
                + #","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"\#(code)"}]}}"#
        }
        if version.statusIsJSON { return Array(json.utf8) }
        return Array((message ?? "").utf8)
    }
}

/// JSON string quoting compatible with Go's `encoding/json` (including its HTML-safe escapes).
public enum JSONText {
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            case _ where scalar.value < 0x20:
                out += "\\u" + hex4(scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
