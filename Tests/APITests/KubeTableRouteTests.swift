import ClusterState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// Server-side printing: what `kubectl get` asks for and prints (reference §6, §7).
@Suite struct KubeTableRouteTests {
    static let tableAccept: HTTPFields = [.accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"]
    static let pods = "/api/v1/namespaces/default/pods"

    /// A view holding `objects`, and a router whose clock is five minutes after their creation.
    private func app(_ objects: String...) async throws -> (some ApplicationProtocol, MemoryClusterView) {
        let view = MemoryClusterView()
        for text in objects {
            let object = try JSONDecoder().decode(ClusterObject.self, from: Data(text.utf8))
            guard case .applied(let results) = await view.submit([.create(object)]),
                  case .applied? = results.first else { throw CancellationError() }
        }
        let now = view.now + 300
        return (Application(router: API.makeRouter(view: view, now: { now })), view)
    }

    private func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    private func cells(_ table: [String: Any]) -> [[String]] {
        (table["rows"] as? [[String: Any]] ?? []).map { row in
            (row["cells"] as? [Any] ?? []).map { "\($0)" }
        }
    }

    private func columns(_ table: [String: Any]) -> [String] {
        (table["columnDefinitions"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "" }
    }

    static func pod(_ name: String, status: String, deleted: Bool = false) -> String {
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\(name)","namespace":"default","labels":{"app":"web"}},
         "spec":{"nodeName":"a1","containers":[{"name":"nginx","image":"nginx:1.26"}]},
         "status":\(status)}
        """
    }

    static let running = #"{"phase":"Running","podIP":"10.0.1.5","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"nginx","ready":true,"restartCount":2,"state":{"running":{"startedAt":"2027-01-15T08:02:00Z"}},"lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2027-01-15T08:04:00Z"}}}]}"#
    static let crashing = #"{"phase":"Running","containerStatuses":[{"name":"nginx","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#

    @Test func podList_isATableWithKubectlColumnsAndServerCells() async throws {
        let (app, view) = try await app(Self.pod("web-0", status: Self.running), Self.pod("web-1", status: Self.crashing), Self.pod("web-2", status: Self.running))
        _ = await view.submit([.delete(.pod, ObjectKey(namespace: "default", name: "web-2"), uid: nil)])
        try await app.test(.router) { client in
            try await client.execute(uri: Self.pods + "?limit=500", method: .get, headers: Self.tableAccept) { response in
                #expect(response.headers[.contentType] == "application/json")
                let table = try json(response)
                #expect(table["kind"] as? String == "Table")
                #expect(table["apiVersion"] as? String == "meta.k8s.io/v1")
                #expect((table["metadata"] as? [String: Any])?["resourceVersion"] as? String == "4")
                #expect(columns(table) == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
                let definitions = table["columnDefinitions"] as? [[String: Any]] ?? []
                #expect(definitions.map { $0["priority"] as? Int } == [0, 0, 0, 0, 0, 1, 1, 1, 1])
                #expect(definitions.first?["format"] as? String == "name")
                #expect(definitions.allSatisfy { $0["type"] as? String == "string" })
                #expect(cells(table) == [
                    ["web-0", "1/1", "Running", "2 (60s ago)", "5m", "10.0.1.5", "a1", "<none>", "<none>"],
                    ["web-1", "0/1", "CrashLoopBackOff", "4", "5m", "<none>", "a1", "<none>", "<none>"],
                    ["web-2", "1/1", "Terminating", "2 (60s ago)", "5m", "10.0.1.5", "a1", "<none>", "<none>"],
                ])
                let object = try #require((table["rows"] as? [[String: Any]])?.first?["object"] as? [String: Any])
                #expect(object["kind"] as? String == "PartialObjectMetadata")
                #expect(object["apiVersion"] as? String == "meta.k8s.io/v1")
                let metadata = object["metadata"] as? [String: Any]
                #expect(metadata?["namespace"] as? String == "default", "kubectl -A reads the namespace here")
                #expect(metadata?["labels"] as? [String: String] == ["app": "web"], "--show-labels reads these")
                #expect(metadata?["creationTimestamp"] as? String != nil)
                #expect(object["spec"] == nil)
            }
            try await client.execute(uri: "/api/v1/pods", method: .get, headers: Self.tableAccept) { response in
                let body = try json(response)
                #expect(cells(body).count == 3, "-A lists every namespace")
            }
        }
    }

    @Test func getAndSortBy_answerOneRowAndFullObjectsWhenAsked() async throws {
        let (app, _) = try await app(Self.pod("web-0", status: Self.running))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.pods + "/web-0", method: .get, headers: Self.tableAccept) { response in
                let table = try json(response)
                #expect(table["kind"] as? String == "Table")
                #expect((table["metadata"] as? [String: Any])?["resourceVersion"] as? String == "1")
                #expect(cells(table).map(\.first) == ["web-0"])
            }
            try await client.execute(uri: Self.pods + "?includeObject=Object", method: .get, headers: Self.tableAccept) { response in
                let object = (try json(response)["rows"] as? [[String: Any]])?.first?["object"] as? [String: Any]
                #expect(object?["kind"] as? String == "Pod")
                #expect(object?["apiVersion"] as? String == "v1")
                #expect((object?["status"] as? [String: Any])?["podIP"] as? String == "10.0.1.5", "--sort-by reads any field")
            }
            try await client.execute(uri: Self.pods + "?includeObject=None", method: .get, headers: Self.tableAccept) { response in
                let body = try json(response)
                #expect((body["rows"] as? [[String: Any]])?.first?["object"] == nil)
            }
            try await client.execute(uri: Self.pods + "?includeObject=Everything", method: .get, headers: Self.tableAccept) { response in
                #expect(response.status == .badRequest)
            }
            let v1beta1: HTTPFields = [.accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json"]
            try await client.execute(uri: Self.pods, method: .get, headers: v1beta1) { response in
                let body = try json(response)
                #expect(body["apiVersion"] as? String == "meta.k8s.io/v1beta1")
            }
        }
    }

    @Test func plainJSONAccept_keepsListsAndObjects() async throws {
        let (app, _) = try await app(Self.pod("web-0", status: Self.running))
        try await app.test(.router) { client in
            for headers: HTTPFields in [[.accept: "application/json"], [.accept: "application/json, */*"], [:]] {
                try await client.execute(uri: Self.pods, method: .get, headers: headers) { response in
                    let body = try json(response)
                    #expect(body["kind"] as? String == "PodList")
                    #expect((body["items"] as? [Any])?.count == 1)
                }
                try await client.execute(uri: Self.pods + "/web-0", method: .get, headers: headers) { response in
                    let body = try json(response)
                    #expect(body["kind"] as? String == "Pod")
                }
            }
        }
    }

    @Test func statefulSetClaimAndServiceCells() async throws {
        let set = """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web","namespace":"default"},
         "spec":{"replicas":3,"serviceName":"nginx","selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"},{"name":"sidecar","image":"busybox"}]}}},
         "status":{"replicas":3,"readyReplicas":2}}
        """
        let claim = """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"www-web-0","namespace":"default"},
         "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"local","volumeName":"pv-a1-www-web-0","resources":{"requests":{"storage":"1Gi"}}},
         "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"1Gi"}}}
        """
        let service = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"nginx","namespace":"default"},
         "spec":{"clusterIP":"None","selector":{"app":"web"},"ports":[{"name":"web","port":80}]}}
        """
        let (app, _) = try await app(set, claim, service)
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .get, headers: Self.tableAccept) { response in
                let table = try json(response)
                #expect(columns(table) == ["Name", "Ready", "Age", "Containers", "Images"])
                #expect(cells(table) == [["web", "2/3", "5m", "nginx,sidecar", "nginx:1.26,busybox"]])
            }
            try await client.execute(uri: "/api/v1/namespaces/default/persistentvolumeclaims", method: .get, headers: Self.tableAccept) { response in
                let table = try json(response)
                #expect(columns(table) == ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age", "VolumeMode"])
                #expect(cells(table) == [["www-web-0", "Bound", "pv-a1-www-web-0", "1Gi", "RWO", "local", "<unset>", "5m", "Filesystem"]])
            }
            try await client.execute(uri: "/api/v1/namespaces/default/services", method: .get, headers: Self.tableAccept) { response in
                let table = try json(response)
                #expect(columns(table) == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
                #expect(cells(table) == [["nginx", "ClusterIP", "None", "<none>", "80/TCP", "5m", "app=web"]])
            }
        }
    }

    @Test func watchWithTableAccept_sendsOneRowTablesAndColumnsOnce() async throws {
        let (app, view) = try await app(Self.pod("web-0", status: Self.running), Self.pod("web-1", status: Self.crashing))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.pods + "?watch=true&timeoutSeconds=1", method: .get, headers: Self.tableAccept) { response in
                let events = try String(buffer: response.body).split(separator: "\n").map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
                }
                #expect(events.map { $0["type"] as? String } == ["ADDED", "ADDED"])
                let tables = events.compactMap { $0["object"] as? [String: Any] }
                #expect(tables.map { $0["kind"] as? String } == ["Table", "Table"])
                #expect(columns(tables[0]).count == 9)
                #expect(tables[1]["columnDefinitions"] == nil, "columns only in the first event")
                #expect(tables.map { cells($0).map(\.first) } == [["web-0"], ["web-1"]])
                #expect(tables.map { ($0["metadata"] as? [String: Any])?["resourceVersion"] as? String } == ["1", "2"])
            }
            _ = await view.submit([.delete(.pod, ObjectKey(namespace: "default", name: "web-1"), uid: nil)])
            try await client.execute(uri: Self.pods + "?watch=true&resourceVersion=2&timeoutSeconds=1", method: .get, headers: Self.tableAccept) { response in
                let lines = String(buffer: response.body).split(separator: "\n")
                let line = try #require(lines.first)
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(event["type"] as? String == "MODIFIED")
                let table = try #require(event["object"] as? [String: Any])
                #expect(cells(table) == [["web-1", "0/1", "Terminating", "4", "5m", "<none>", "a1", "<none>", "<none>"]])
            }
            try await client.execute(uri: Self.pods + "?watch=true&timeoutSeconds=1", method: .get, headers: [.accept: "application/json"]) { response in
                let first = String(buffer: response.body).split(separator: "\n").first.map(String.init) ?? ""
                let event = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
                #expect((event["object"] as? [String: Any])?["kind"] as? String == "Pod", "plain watches keep full objects")
            }
        }
    }
}
