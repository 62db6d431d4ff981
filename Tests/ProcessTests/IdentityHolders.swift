import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds each pod identity right now, read from `/proc` the way an outside checker
/// does: the sessions of live (non-zombie) processes whose environment carries
/// `POD_NAME` in `POD_NAMESPACE == namespace`. The runtime puts each pod in a session of
/// its own and keeps `POD_NAME` out of its supervisors, so two sessions for one name are
/// two live holders of one identity.
func identityHolders(namespace: String) -> [String: Set<Int>] {
    var holders: [String: Set<Int>] = [:]
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int.init) ?? []
    for pid in pids {
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 3, fields[0] != "Z", let session = Int(fields[3]) else { continue }
        var name: String?
        var podNamespace: String?
        for entry in environ.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if text.hasPrefix("POD_NAME=") { name = String(text.dropFirst(9)) }
            if text.hasPrefix("POD_NAMESPACE=") { podNamespace = String(text.dropFirst(14)) }
        }
        if let name, podNamespace == namespace { holders[name, default: []].insert(session) }
    }
    return holders
}

/// Samples the holders every 20 ms while `body` runs and records every instant at which
/// an identity had more than one, with the sessions seen.
actor HolderWatch {
    private(set) var violations: [String] = []
    private(set) var samples = 0
    private var running = true
    let namespace: String

    init(namespace: String) {
        self.namespace = namespace
    }

    func run() async {
        while running && samples < 100_000 {
            samples += 1
            for (name, sessions) in identityHolders(namespace: namespace) where sessions.count > 1 {
                violations.append("\(name) held by sessions \(sessions.sorted()) at sample \(samples)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() {
        running = false
    }
}

extension AgentProcess {
    var pid: Int32? { process?.processIdentifier }

    /// SIGSTOP or SIGCONT, as an operator (or a long GC pause) would.
    func send(_ signal: Int32) {
        if let pid { kill(pid, signal) }
    }
}
