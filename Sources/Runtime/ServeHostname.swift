import Foundation
import Glibc
import Subprocess

/// `ordinal helper serve-hostname [--port N]`: answers every TCP connection on `POD_IP` with
/// the pod's name and its volumes' contents, like Kubernetes' `serve-hostname` test image with
/// the volume listing StatefulSet demos need.
///
/// Connections are served one at a time with short timeouts: it is a probe and demo target,
/// not a web server.
enum ServeHostname {
    static func main(arguments: [String]) -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        guard let port = port(arguments: arguments, environment: environment) else {
            Helper.fail("serve-hostname: expected --port N with 1 ≤ N ≤ 65535")
            return 64
        }
        let host = environment["POD_IP"].flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
        let listener: Int32
        do {
            listener = try listen(host: host, port: port)
        } catch {
            Helper.fail("serve-hostname: cannot listen on \(host):\(port): \(error)")
            return 1
        }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { continue }
            answer(connection, environment: environment)
            close(connection)
        }
    }

    /// `--port N` or `--port=N`, else `PORT`, else 8080.
    static func port(arguments: [String], environment: [String: String]) -> Int? {
        var text = environment["PORT"] ?? "8080"
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--port", index + 1 < arguments.count {
                text = arguments[index + 1]
                index += 1
            } else if arguments[index].hasPrefix("--port=") {
                text = String(arguments[index].dropFirst("--port=".count))
            }
            index += 1
        }
        guard let port = Int(text), (1 ... 65535).contains(port) else { return nil }
        return port
    }

    /// The pod name on the first line, then `VOLUME_X: file1 file2 …` for each volume variable.
    static func body(environment: [String: String]) -> String {
        var lines = [environment["POD_NAME"] ?? ""]
        for name in environment.keys.filter({ $0.hasPrefix("VOLUME_") }).sorted() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: environment[name] ?? "")) ?? []
            lines.append("\(name): " + files.sorted().joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func answer(_ connection: Int32, environment: [String: String]) {
        var request = [UInt8](repeating: 0, count: 4096)
        var descriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        let count = poll(&descriptor, 1, 300) > 0
            ? request.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) } : 0
        let text = String(decoding: request.prefix(max(0, count)), as: UTF8.self)
        let body = body(environment: environment)
        let isHTTP = ["GET ", "HEAD ", "POST ", "PUT ", "OPTIONS "].contains { text.hasPrefix($0) }
        var response = body
        if isHTTP {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            response = text.hasPrefix("HEAD ") ? head : head + body
        }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = Descriptors.writeAll(connection, Array(response.utf8))
    }

    private static func listen(host: String, port: Int) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Subprocess.Failure(operation: "address \(host)", code: EINVAL) }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw Subprocess.Failure(operation: "socket", code: errno) }
        var on: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 16) == 0 else {
            let code = errno
            close(socket)
            throw Subprocess.Failure(operation: "bind", code: code)
        }
        return socket
    }
}
