import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Who holds each pod identity right now, read from `/proc` the way an outside checker
/// (scripts/chaos_checker.py) does: every pod runs in the session of its keeper, whose last
/// arguments are `<namespace>/<name> <uid> <epoch>`, so the holders of a name are the
/// sessions of such keepers in `namespace` holding a live (non-zombie) process besides the
/// keeper. A container pod's keeper names its sandbox's cgroup before the identity; it holds
/// the pod while that cgroup holds a process. Two sessions for one name are two live holders
/// of one identity.
func identityHolders(namespace: String, pids only: Set<Int>? = nil) -> [String: Set<Int>] {
    var keepers: [Int: String] = [:]
    var sandboxes: [Int: (name: String, cgroup: String)] = [:]
    var members: [(pid: Int, session: Int)] = []
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int.init) ?? []
    for pid in pids {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let session = Int(fields[3]) else { continue }
        if pid == session {
            if let keeper = keeperIdentity(pid: pid, namespace: namespace) {
                keepers[pid] = keeper.name
                if let cgroup = keeper.cgroup { sandboxes[pid] = (keeper.name, cgroup) }
            }
        } else if fields[0] != "Z", only?.contains(pid) ?? true {
            members.append((pid, session))
        }
    }
    var holders: [String: Set<Int>] = [:]
    for member in members {
        if let name = keepers[member.session] { holders[name, default: []].insert(member.session) }
    }
    for (session, sandbox) in sandboxes where cgroupHoldsProcesses("/sys/fs/cgroup/pids/" + sandbox.cgroup) {
        holders[sandbox.name, default: []].insert(session)
    }
    return holders
}

/// Whether the cgroup at `path`, or one below it, holds a process.
func cgroupHoldsProcesses(_ path: String) -> Bool {
    if let procs = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8), procs.contains(where: \.isNumber) { return true }
    let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return children.contains { child in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path + "/" + child, isDirectory: &isDirectory) && isDirectory.boolValue
            && cgroupHoldsProcesses(path + "/" + child)
    }
}

/// SIGKILLs every process of `sessions`, keepers included, as a power loss would.
func killSessions(_ sessions: Set<Int>) {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int.init) ?? []
    for pid in pids {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 3, let session = Int(fields[3]), sessions.contains(session) { kill(pid_t(pid), SIGKILL) }
    }
}

/// The pod name an `ordinal-keeper` keeps, when it keeps one in `namespace`, and the cgroup of
/// its sandbox when the pod is a container pod.
private func keeperIdentity(pid: Int, namespace: String) -> (name: String, cgroup: String?)? {
    guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
    let arguments = command.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }.dropLast()
    guard arguments.count >= 4, (arguments.first ?? "").hasSuffix("ordinal-keeper") else { return nil }
    let identity = arguments[arguments.count - 3].split(separator: "/", maxSplits: 1)
    guard identity.count == 2, identity[0] == namespace else { return nil }
    // `ordinal-keeper <socket> <lease> <grace> [<cgroup>] <namespace/name> <uid> <epoch>`
    return (String(identity[1]), arguments.count == 8 ? arguments[arguments.startIndex + 4] : nil)
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

/// Every pod of `namespace` that is Running and Ready as `agent` reports it: name -> its node
/// and its containers' restarts.
func readyPods(_ agent: AgentProcess, namespace: String) async -> [String: (node: String, restarts: Int)]? {
    guard let url = URL(string: "\(agent.apiURL)/api/v1/namespaces/\(namespace)/pods") else { return nil }
    guard let (data, _) = try? await URLSession.shared.data(from: url),
          let list = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let items = list["items"] as? [[String: Any]] else { return nil }
    var ready: [String: (String, Int)] = [:]
    for item in items {
        let name = (item["metadata"] as? [String: Any])?["name"] as? String ?? ""
        let node = (item["spec"] as? [String: Any])?["nodeName"] as? String
        let status = item["status"] as? [String: Any]
        let conditions = status?["conditions"] as? [[String: Any]] ?? []
        let isReady = conditions.contains { ($0["type"] as? String) == "Ready" && ($0["status"] as? String) == "True" }
        let restarts = (status?["containerStatuses"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["restartCount"] as? Int) ?? 0) }
        if let node, status?["phase"] as? String == "Running", isReady { ready[name] = (node, restarts) }
    }
    return ready
}
