import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The parts of `GET /ordinal/v1/raft` the process tests read.
struct RaftView: Decodable, Equatable {
    let node: String
    let role: String
    let term: UInt64
    let leader: String?
    let commitIndex: UInt64
    let appliedIndex: UInt64
    let lastIndex: UInt64
    let snapshotIndex: UInt64
    let voters: [String]
    let learners: [String]
    /// Absent from builds before versioned log entries.
    let clusterVersion: UInt32?
}

extension AgentProcess {
    func raftStatus() async -> RaftView? {
        guard let url = URL(string: "\(apiURL)/ordinal/v1/raft") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, _) = try? await URLSession.shared.data(for: request) else { return nil }
        return try? JSONDecoder().decode(RaftView.self, from: data)
    }

    /// PUTs a key; the commit index on success, nil on any failure.
    func put(_ key: String, _ value: String, timeout: TimeInterval = 2) async -> UInt64? {
        guard let url = URL(string: "\(apiURL)/ordinal/v1/kv/\(key)") else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = "PUT"
        request.httpBody = Data(value.utf8)
        request.timeoutInterval = timeout
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              (response as? HTTPURLResponse)?.statusCode == 200,
              let body = try? JSONDecoder().decode([String: String].self, from: data) else { return nil }
        return body["index"].flatMap(UInt64.init)
    }

    /// The value this agent's own replica holds for `key`.
    func get(_ key: String) async -> String? {
        guard let url = URL(string: "\(apiURL)/ordinal/v1/kv/\(key)") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The single leader every running agent agrees on, or nil.
func agreedLeader(_ agents: [AgentProcess]) async -> String? {
    var leaders: Set<String> = []
    for agent in agents {
        guard let status = await agent.raftStatus(), let leader = status.leader else { return nil }
        leaders.insert(leader)
    }
    return leaders.count == 1 ? leaders.first : nil
}
