/// A parsed `.../pods/{name}/exec?command=...` request: which pod, which command, which streams.
public struct ExecRequest: Equatable, Sendable {
    public var namespace: String
    public var pod: String
    public var container: String?
    public var command: [String]
    public var stdin: Bool
    public var stdout: Bool
    public var stderr: Bool
    public var tty: Bool

    public init(
        namespace: String, pod: String, container: String? = nil, command: [String],
        stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, tty: Bool = false
    ) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.command = command
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }

    public enum ParseError: Error, Equatable, Sendable {
        /// Not an exec path at all (route it elsewhere).
        case notExec
        /// An exec path with unusable parameters; the text is the message for a 400 Status.
        case badRequest(String)
    }

    /// Parses a request target such as
    /// `/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c&stdout=true`.
    ///
    /// Flags are true when "true" or "1" (kubectl sends "true", the API server forwards "1").
    /// As the kubelet does, `tty` turns `stderr` off (a terminal merges it into stdout).
    public static func parse(target: String) throws(ParseError) -> ExecRequest {
        let (path, query) = splitTarget(target)
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "", "api", "v1", "namespaces", ns, "pods", name, "exec"
        guard segments.count == 8, segments[0].isEmpty, segments[1] == "api", segments[2] == "v1",
              segments[3] == "namespaces", segments[5] == "pods", segments[7] == "exec"
        else { throw .notExec }
        guard let namespace = percentDecode(segments[4]), !namespace.isEmpty,
              let pod = percentDecode(segments[6]), !pod.isEmpty
        else { throw .badRequest("invalid namespace or pod name") }

        var request = ExecRequest(namespace: namespace, pod: pod, command: [], stdout: false, stderr: false)
        for item in queryItems(query) {
            switch item.name {
            case "command": request.command.append(item.value)
            case "container": request.container = item.value
            case "stdin": request.stdin = isTrue(item.value)
            case "stdout": request.stdout = isTrue(item.value)
            case "stderr": request.stderr = isTrue(item.value)
            case "tty": request.tty = isTrue(item.value)
            default: break
            }
        }
        if request.tty { request.stderr = false }
        guard !request.command.isEmpty else {
            throw .badRequest("you must specify at least one command for the container")
        }
        guard request.stdin || request.stdout || request.stderr else {
            throw .badRequest("you must specify at least 1 of stdin, stdout, stderr")
        }
        return request
    }

    /// The pod name from `/api/v1/namespaces/{ns}/pods/{name}` (no subresource), if that is the path.
    public static func podPath(_ target: String) -> (namespace: String, pod: String)? {
        let segments = splitTarget(target).path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 7, segments[1] == "api", segments[2] == "v1", segments[3] == "namespaces",
              segments[5] == "pods",
              let ns = percentDecode(String(segments[4])), let pod = percentDecode(String(segments[6])),
              !ns.isEmpty, !pod.isEmpty
        else { return nil }
        return (ns, pod)
    }

    static func splitTarget(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    static func isTrue(_ value: String) -> Bool { value == "true" || value == "1" }

    static func queryItems(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(String(parts[0]), plusIsSpace: true) else { return nil }
            let value = parts.count > 1 ? percentDecode(String(parts[1]), plusIsSpace: true) : ""
            guard let value else { return nil }
            return (name, value)
        }
    }

    /// Decodes %XX escapes (and `+` as space in queries); nil for bad escapes or non-UTF-8.
    static func percentDecode(_ text: String, plusIsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
