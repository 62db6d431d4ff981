import Foundation
import Testing

/// A stock kubectl binary found on the machine.
struct Kubectl: Sendable, CustomTestStringConvertible {
    let version: String
    let path: String
    var testDescription: String { "kubectl \(version)" }

    /// 1.20 (Debian's kubernetes-client, unpacked by `scripts/setup`) and the gcloud
    /// builds of 1.32 and 1.33; a version that is absent is left out, never faked.
    static let candidates: [Kubectl] = [
        Kubectl(version: "1.20", path: "/opt/kubectl-1.20/usr/bin/kubectl"),
        Kubectl(version: "1.32", path: "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"),
        Kubectl(version: "1.33", path: "/usr/lib/google-cloud-sdk/bin/kubectl.1.33"),
    ]

    static var present: [Kubectl] {
        candidates.filter { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `kubectl -s SERVER --cache-dir CACHE ARGS…` with no kubeconfig (HOME is a
    /// fresh directory), bounded in time.
    func run(_ arguments: [String], server: String, home: URL, input: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CLIRun {
        try run(["-s", server] + arguments, home: home, input: input, environment: environment, timeout: timeout)
    }

    /// Runs `kubectl --kubeconfig FILE --cache-dir CACHE ARGS…`, bounded in time.
    func run(_ arguments: [String], kubeconfig: URL, home: URL, timeout: TimeInterval = 60) throws -> CLIRun {
        try run(["--kubeconfig", kubeconfig.path] + arguments, home: home, input: nil, environment: [:], timeout: timeout)
    }

    private func run(_ arguments: [String], home: URL, input: String?, environment: [String: String], timeout: TimeInterval) throws -> CLIRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--cache-dir", home.appendingPathComponent("cache").path] + arguments
        var env = ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        env.merge(environment) { $1 }
        process.environment = env
        return try runBounded(process, input: input, timeout: timeout)
    }
}

/// Stock kubectl against real agents (issue 7): every command of the issue, with the output
/// compared to what Kubernetes prints (headers, names, statuses, messages).
@Suite(.serialized, .timeLimit(.minutes(5))) struct KubectlProcessTests {
    static let manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels:
            app: nginx
        spec:
          clusterIP: None
          selector:
            app: nginx
          ports:
          - name: web
            port: 80
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: nginx
          replicas: 3
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: nginx
                image: nginx
                ports:
                - containerPort: 80
                  name: web
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ "ReadWriteOnce" ]
              storageClassName: local
              resources:
                requests:
                  storage: 1Gi
        """

    /// The first line of `text`, columns split on runs of spaces.
    private func header(_ text: String) -> [String] {
        (text.split(separator: "\n").first.map(String.init) ?? "").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    private func row(_ text: String, _ name: String) -> [String]? {
        text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.first { $0.first == name }
    }

    @Test(arguments: Kubectl.present)
    func kubectlDrivesAStatefulSet(_ kubectl: Kubectl) async throws {
        let port = 17820 + (Kubectl.candidates.firstIndex { $0.version == kubectl.version } ?? 0) * 10
        try await withCluster("kubectl-\(kubectl.version)", count: 3, basePort: port, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let home = agents[0].directory.appendingPathComponent("home-\(kubectl.version)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let manifest = home.appendingPathComponent("web.yaml")
            try Self.manifest.write(to: manifest, atomically: true, encoding: .utf8)
            func k(_ arguments: String..., input: String? = nil, environment: [String: String] = [:], on agent: Int = 1) throws -> CLIRun {
                try kubectl.run(arguments, server: agents[agent].apiURL, home: home, input: input, environment: environment)
            }

            // apply, then re-apply unchanged
            var run = try k("apply", "-f", manifest.path)
            #expect(run.status == 0, "\(run.errors)")
            #expect(run.output == "service/nginx created\nstatefulset.apps/web created\n")
            _ = try await require("3 pods Running", within: .seconds(40)) {
                ((try? k("get", "pods").output) ?? "").components(separatedBy: "Running").count == 4
            }
            run = try k("apply", "-f", manifest.path)
            #expect(run.output == "service/nginx unchanged\nstatefulset.apps/web unchanged\n", "\(run.errors)")

            // get, with Kubernetes' columns
            run = try k("get", "statefulsets")
            #expect(header(run.output) == ["NAME", "READY", "AGE"])
            #expect(row(run.output, "web")?.dropFirst().first == "3/3")
            run = try k("get", "sts", "-o", "wide")
            #expect(header(run.output) == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"])
            run = try k("get", "pods", "-o", "wide", "-l", "app=nginx")
            #expect(header(run.output) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"])
            #expect(row(run.output, "web-0")?[1 ... 3] == ["1/1", "Running", "0"])
            #expect(row(run.output, "web-0")?[5].hasPrefix("127.128.") == true)
            run = try k("get", "pvc")
            #expect(header(run.output).prefix(7) == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS"])
            #expect(row(run.output, "www-web-0")?[1] == "Bound")
            run = try k("get", "services")
            #expect(header(run.output) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"])
            #expect(row(run.output, "nginx")?[1 ... 4] == ["ClusterIP", "None", "<none>", "80/TCP"])
            run = try k("get", "nodes")
            #expect(header(run.output).prefix(2) == ["NAME", "STATUS"])
            #expect(row(run.output, "p1")?[1] == "Ready")
            run = try k("get", "pods", "-A")
            #expect(header(run.output).first == "NAMESPACE")
            #expect(run.output.contains("default"))
            run = try k("get", "pods", "--show-labels")
            #expect(header(run.output).last == "LABELS")
            #expect(row(run.output, "web-2")?.last?.contains("statefulset.kubernetes.io/pod-name=web-2") == true)
            run = try k("get", "pods", "--sort-by=.metadata.name", "-o", "name")
            #expect(run.output == "pod/web-0\npod/web-1\npod/web-2\n", "\(run.errors)")
            run = try k("get", "pods", "--sort-by=.metadata.name")
            #expect(run.status == 0, "\(run.errors)")
            run = try k("get", "sts", "web", "-o", "json")
            #expect(run.output.contains("\"kind\": \"StatefulSet\""))
            // Every field the OpenAPI schema requires of a container status is there: typed
            // clients (the Python client) refuse a pod without one.
            run = try k("get", "pod", "web-0", "-o", "json")
            let pod = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
            let statuses = (pod?["status"] as? [String: Any])?["containerStatuses"] as? [[String: Any]] ?? []
            #expect(!statuses.isEmpty && statuses.allSatisfy { status in
                ["name", "image", "imageID", "ready", "restartCount"].allSatisfy { status[$0] != nil }
            }, "\(statuses)")
            run = try k("get", "sts", "nope")
            #expect(run.status != 0)
            #expect(run.errors.contains("Error from server (NotFound): statefulsets.apps \"nope\" not found"))

            // rollout status, an edited template (strategic merge patch), scale
            // With the defaulted `partition: 0` kubectl's status viewer reports a partitioned
            // rollout, exactly as against Kubernetes.
            run = try k("rollout", "status", "statefulset", "web", "--timeout=60s")
            #expect(run.output.hasSuffix("partitioned roll out complete: 3 new pods have been updated...\n"), "\(run.output) \(run.errors)")
            let edited = Self.manifest.replacingOccurrences(of: "image: nginx\n", with: "image: nginx:1.27\n        env:\n        - name: MODE\n          value: edited\n")
            run = try k("apply", "-f", "-", input: edited)
            #expect(run.output == "service/nginx unchanged\nstatefulset.apps/web configured\n", "\(run.errors)")
            run = try k("rollout", "status", "statefulset", "web", "--timeout=90s")
            #expect(run.output.hasSuffix("partitioned roll out complete: 3 new pods have been updated...\n"), "\(run.output) \(run.errors)")
            run = try k("get", "sts", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.template.spec.containers[0].volumeMounts[0].mountPath}")
            #expect(run.output == "nginx:1.27 80 /usr/share/nginx/html", "the patch merged by key and kept the rest")
            // A sidecar added, then removed: kubectl sends `$setElementOrder` and `$patch: delete`.
            let sidecar = edited.replacingOccurrences(of: "        volumeMounts:\n", with: "        volumeMounts:\n        - name: www\n          mountPath: /cache\n") + "\n"
            let withSidecar = sidecar.replacingOccurrences(
                of: "      containers:\n",
                with: "      containers:\n      - name: sidecar\n        image: ordinal/pause\n"
            )
            run = try k("apply", "-f", "-", input: withSidecar)
            #expect(run.output == "service/nginx unchanged\nstatefulset.apps/web configured\n", "\(run.errors)")
            run = try k("get", "sts", "web", "-o", "jsonpath={.spec.template.spec.containers[*].name} {.spec.template.spec.containers[1].volumeMounts[*].mountPath}")
            #expect(run.output == "sidecar nginx /cache /usr/share/nginx/html", "\(run.errors)")
            run = try k("apply", "-f", "-", input: edited)
            #expect(run.output == "service/nginx unchanged\nstatefulset.apps/web configured\n", "\(run.errors)")
            run = try k("get", "sts", "web", "-o", "jsonpath={.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].volumeMounts[*].mountPath} {.spec.template.spec.containers[0].env[0].value}")
            #expect(run.output == "nginx /usr/share/nginx/html edited", "\(run.errors)")
            run = try k("rollout", "status", "statefulset", "web", "--timeout=120s")
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            run = try k("scale", "statefulset", "web", "--replicas=4")
            #expect(run.output == "statefulset.apps/web scaled\n", "\(run.errors)")
            run = try k("scale", "statefulset", "web", "--current-replicas=4", "--replicas=3")
            #expect(run.output == "statefulset.apps/web scaled\n", "\(run.errors)")
            run = try k("scale", "statefulset", "web", "--current-replicas=9", "--replicas=2")
            #expect(run.status != 0)
            #expect(run.errors.contains("Expected replicas to be 9, was 3"), "\(run.errors)")

            // label, annotate, edit
            run = try k("label", "statefulset", "web", "tier=db")
            #expect(run.output == "statefulset.apps/web labeled\n", "\(run.errors)")
            run = try k("annotate", "statefulset", "web", "owner=ops")
            #expect(run.output == "statefulset.apps/web annotated\n", "\(run.errors)")
            let editor = home.appendingPathComponent("editor.sh")
            try "#!/bin/sh\nsed -i 's/owner: ops/owner: dev/' \"$1\"\n".write(to: editor, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor.path)
            run = try k("edit", "statefulset", "web", environment: ["EDITOR": editor.path, "KUBE_EDITOR": editor.path])
            #expect(run.output == "statefulset.apps/web edited\n", "\(run.output) \(run.errors)")
            run = try k("get", "sts", "web", "-o", "jsonpath={.metadata.labels.tier} {.metadata.annotations.owner}")
            #expect(run.output == "db dev")

            // logs, describe with events, get -w, deletes
            _ = try await require("web-0 ready again", within: .seconds(60)) {
                row((try? k("get", "pods").output) ?? "", "web-0")?[1] == "1/1"
            }
            run = try k("logs", "web-0", on: 2)
            #expect(run.output.contains("nginx stub for web-0"), "\(run.errors)")
            run = try k("describe", "statefulset", "web")
            #expect(run.output.contains("Name:               web") || run.output.contains("Name:"), "\(run.errors)")
            #expect(run.output.contains("SuccessfulCreate"), "\(run.output)")
            run = try k("describe", "pod", "web-0")
            #expect(run.output.contains("Scheduled") && run.output.contains("Started"), "\(run.output)")
            async let watching = Task.detached { try kubectl.run(["get", "pods", "-w"], server: agents[0].apiURL, home: home, timeout: 12) }.value
            try await Task.sleep(for: .seconds(3))
            run = try k("delete", "pod", "web-1")
            #expect(run.output == "pod \"web-1\" deleted\n", "\(run.errors)")
            let watched = try await watching
            #expect(watched.output.contains("Terminating"), "get -w shows the deletion: \(watched.output)")
            #expect(header(watched.output) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"])
            run = try k("delete", "statefulset", "web")
            #expect(run.output == "statefulset.apps \"web\" deleted\n", "\(run.errors)")
            run = try k("delete", "-f", manifest.path, "--ignore-not-found")
            #expect(run.output.contains("service \"nginx\" deleted"), "\(run.errors)")
        }
    }
}
