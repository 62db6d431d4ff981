import CRI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An agent with `--container-runtime-endpoint` runs its pods as containers through the real
/// containerd `scripts/runtime up` starts (scripts/test starts it): the image the manifest
/// names, at the pod's own routed address, its claim mounted where the manifest says, memory
/// limits that OOM-kill, adoption across an agent restart, and fencing by the keeper.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ContainerProcessTests {
    static let namespace = "ctr"
    static let manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ctr
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: box
          namespace: ctr
        spec:
          clusterIP: None
          selector:
            app: box
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: box
          namespace: ctr
        spec:
          serviceName: box
          replicas: 2
          selector:
            matchLabels:
              app: box
          template:
            metadata:
              labels:
                app: box
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: web
                image: busybox
                command: ["sh", "-c", "echo served by $(hostname) >> /www/index.html; echo web up in $POD_NAME; exec httpd -f -p 80 -h /www"]
                volumeMounts:
                - name: www
                  mountPath: /www
                readinessProbe:
                  httpGet:
                    path: /
                    port: 80
                  periodSeconds: 1
                livenessProbe:
                  exec:
                    command: ["test", "-s", "/www/index.html"]
                  periodSeconds: 1
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: idle
          namespace: ctr
        spec:
          serviceName: idle
          replicas: 1
          selector:
            matchLabels:
              app: idle
          template:
            metadata:
              labels:
                app: idle
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: idle
                image: busybox
                command: ["sleep", "3600"]
                readinessProbe:
                  tcpSocket:
                    port: 81
                  periodSeconds: 1
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: locked
          namespace: ctr
        spec:
          serviceName: locked
          replicas: 1
          selector:
            matchLabels:
              app: locked
          template:
            metadata:
              labels:
                app: locked
            spec:
              terminationGracePeriodSeconds: 1
              securityContext:
                runAsUser: 1000
                fsGroup: 2000
              containers:
              - name: main
                image: busybox
                command: ["sleep", "3600"]
                securityContext:
                  readOnlyRootFilesystem: true
                  allowPrivilegeEscalation: false
                volumeMounts:
                - name: data
                  mountPath: /data
                - name: scratch
                  mountPath: /scratch
              - name: rootless
                image: busybox
                command: ["sleep", "3600"]
                securityContext:
                  runAsNonRoot: true
                  runAsUser: 0
              volumes:
              - name: scratch
                emptyDir:
                  medium: Memory
                  sizeLimit: 8Mi
          volumeClaimTemplates:
          - metadata:
              name: data
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: hog
          namespace: ctr
        spec:
          serviceName: hog
          replicas: 1
          selector:
            matchLabels:
              app: hog
          template:
            metadata:
              labels:
                app: hog
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: hog
                image: busybox
                command: ["sh", "-c", "sleep 1; exec dd if=/dev/zero of=/dev/null bs=64M count=1"]
                resources:
                  limits:
                    memory: 16Mi
        """

    @Test func podsRunTheirImageInIsolationWithTheirVolumesAndAreFencedByTheirKeeper() async throws {
        let runtime = try CRIProcessTests.client()
        let outcome: Result<Void, any Error>
        do {
            try await run(runtime)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await Self.removeSandboxes(runtime)
        await runtime.close()
        Self.unmountMemoryVolumes()
        try outcome.get()
    }

    /// An agent whose runtime does not answer says so on its Node, as a kubelet does (Ready
    /// False, `KubeletNotReady`, "container runtime is down"), and takes no pods.
    @Test func anAgentWhoseRuntimeIsDownIsNotReadyAndTakesNoPods() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("ordinal-no-runtime-\(getpid()).sock").path
        try await withCluster("no-runtime", count: 1, basePort: 18520,
                              extra: ["--bootstrap-expect", "1", "--container-runtime-endpoint", "unix://\(missing)"]) { agents in
            let agent = agents[0]
            var ready: [String: Any] = [:]
            _ = try await require("the Node not Ready", within: .seconds(30)) {
                guard let url = URL(string: "\(agent.apiURL)/api/v1/nodes/\(agent.name)"), let (data, _) = try? await URLSession.shared.data(from: url),
                      let node = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let condition = ((node["status"] as? [String: Any])?["conditions"] as? [[String: Any]])?.first(where: { $0["type"] as? String == "Ready" })
                else { return false }
                ready = condition
                return condition["status"] as? String == "False"
            }
            #expect(ready["reason"] as? String == "KubeletNotReady")
            #expect((ready["message"] as? String)?.hasPrefix("container runtime is down") == true, "\(ready)")
            let applied = try ordinal(["apply", "-f", "-", "--agent", agent.apiURL], input: Self.manifest)
            #expect(applied.status == 0, "\(applied.errors)")
            var scheduled: [String: Any] = [:]
            _ = try await require("box-0 unschedulable, saying why", within: .seconds(20)) {
                guard let pod = await Self.pod(agent, "box-0"),
                      let condition = (Self.status(pod)?["conditions"] as? [[String: Any]])?.first(where: { $0["type"] as? String == "PodScheduled" }) else { return false }
                scheduled = condition
                return condition["status"] as? String == "False"
            }
            #expect((scheduled["message"] as? String)?.contains("untolerated taint {node.kubernetes.io/not-ready: }") == true, "\(scheduled)")
        }
    }

    /// The tmpfs of locked-0's `medium: Memory` volume, left mounted in the test directory by
    /// the agent killed last (a running agent unmounts it when it removes the pod's directory).
    static func unmountMemoryVolumes() {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("ordinal-containers-\(getpid())-").path
        // Read to its end: String(contentsOfFile:) stops at 4 KiB of a /proc file.
        let mounts = String(decoding: FileHandle(forReadingAtPath: "/proc/self/mounts")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 2, fields[2] == "tmpfs", fields[1].hasPrefix(prefix) else { continue }
            umount2(String(fields[1]), Int32(MNT_DETACH))
            let directory = String(fields[1]).components(separatedBy: "/p1-data/").first ?? ""
            if directory.hasPrefix(prefix) { try? FileManager.default.removeItem(atPath: directory) }
        }
    }

    private func run(_ runtime: CRIClient) async throws {
        try await withCluster("containers", count: 1, basePort: 18510,
                              extra: ["--bootstrap-expect", "1", "--lease", "4s", "--container-runtime-endpoint", CRIProcessTests.endpoint,
                                      "--cluster-dns", Self.gateway]) { agents in
            let agent = agents[0]
            let api = ["--agent", agent.apiURL]
            _ = try await require("a leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            #expect(agent.log.contains("pods.runtime=containers through CRI at \(CRIProcessTests.endpoint)"), "the agent says which runtime it runs")
            let applied = try ordinal(["apply", "-f", "-"] + api, input: Self.manifest)
            #expect(applied.status == 0, "\(applied.errors)")
            _ = try await require("box-0 and box-1 Ready", within: .seconds(90)) {
                let ready = await readyPods(agent, namespace: Self.namespace) ?? [:]
                return ready["box-0"] != nil && ready["box-1"] != nil
            }

            // Each pod answers on port 80 at its own routed address, from its own volume,
            // written by a container whose hostname is the pod's name.
            var addresses: [String: String] = [:]
            for name in ["box-0", "box-1"] {
                let pod = try #require(await Self.pod(agent, name))
                let ip = try #require(Self.status(pod)?["podIP"] as? String)
                #expect(ip.hasPrefix("198.19."), "\(name) has a routed address, not loopback: \(ip)")
                addresses[name] = ip
                let page = try await Self.get("http://\(ip)/")
                #expect(page == "served by \(name)\n", "\(name) serves its own volume: \(page)")
                let container = try #require(Self.containerStatuses(pod).first)
                #expect((container["containerID"] as? String)?.hasPrefix("containerd://") == true, "\(container)")
                #expect((container["imageID"] as? String)?.contains("sha256:") == true, "\(container)")
            }
            #expect(Set(addresses.values).count == 2)
            let logs = try ordinal(["logs", "box-1", "-n", Self.namespace] + api)
            #expect(logs.output.contains("web up in box-1"), "the CRI log file, decoded: \(logs.output) \(logs.errors)")

            // Cluster names resolve from inside a container through the agent's DNS at the pods'
            // gateway, with Kubernetes' search path in resolv.conf (busybox's nslookup asks for
            // the name as given, so the lookups use the full names).
            let box0 = try #require(try await Self.containerID(agent, "box-0"))
            let resolv = String(decoding: try await runtime.execSync(box0, ["cat", "/etc/resolv.conf"], timeout: 10).stdout, as: UTF8.self)
            #expect(resolv.contains("nameserver \(Self.gateway)") && resolv.contains("search ctr.svc.cluster.local svc.cluster.local cluster.local")
                && resolv.contains("ndots:5"), "\(resolv)")
            for name in ["box-1.box.ctr.svc.cluster.local", "box.ctr.svc.cluster.local"] {
                let lookup = try await runtime.execSync(box0, ["nslookup", name], timeout: 10)
                let text = String(decoding: lookup.stdout, as: UTF8.self)
                #expect(lookup.exitCode == 0 && text.contains(addresses["box-1"] ?? "?"), "nslookup \(name): \(text) \(String(decoding: lookup.stderr, as: UTF8.self))")
            }

            // /etc/hosts is the kubelet's: the pod's FQDN in its Service, and its hostname.
            let hosts = String(decoding: try await runtime.execSync(box0, ["cat", "/etc/hosts"], timeout: 10).stdout, as: UTF8.self)
            #expect(hosts.contains("\(addresses["box-0"] ?? "?")\tbox-0.box.ctr.svc.cluster.local\tbox-0\n"), "\(hosts)")

            // The container sees its image and its volume, nothing of the agent.
            let web = try #require(try await Self.containerID(agent, "box-0"))
            let dataDirectory = agent.directory.appendingPathComponent("\(agent.name)-data").path
            #expect(FileManager.default.fileExists(atPath: dataDirectory))
            let peek = try await runtime.execSync(web, ["ls", dataDirectory], timeout: 10)
            #expect(peek.exitCode != 0, "the agent's data dir is visible inside the container")
            let processes = try await runtime.execSync(web, ["ps", "-o", "comm"], timeout: 10)
            #expect(!String(decoding: processes.stdout, as: UTF8.self).contains("ordinal"), "the agent's processes are visible inside the container")

            // kubectl exec (every kubectl on the machine, SPDY and WebSocket) and ordinal exec
            // run inside the container: its environment, its volume, its exit code; -it too.
            let home = agent.directory.appendingPathComponent("kubectl-home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let inside = ["exec", "box-0", "-n", Self.namespace, "-c", "web", "--", "sh", "-c", "echo $POD_NAME; head -n 1 /www/index.html; exit 3"]
            for kubectl in ExecProcessTests.kubectls {
                let run = try kubectl.run(inside, server: agent.apiURL, home: home, timeout: 30)
                #expect(run.status == 3 && run.output == "box-0\nserved by box-0\n", "kubectl \(kubectl.version): \(run.status) \(run.output) \(run.errors)")
            }
            for kubectl in [ExecProcessTests.kubectls.first, ExecProcessTests.kubectls.last].compactMap({ $0 }) {
                let terminal = Process()
                terminal.executableURL = URL(fileURLWithPath: "/usr/bin/script")
                terminal.arguments = ["-qec", "\(kubectl.path) --cache-dir \(home.path)/cache -s \(agent.apiURL) exec -it box-1 -n \(Self.namespace) -- sh", "/dev/null"]
                let tty = try runBounded(terminal, input: "tty >/dev/null && echo tty-$(hostname); exit 4\n", timeout: 30)
                #expect(tty.status == 4 && tty.output.contains("tty-box-1"), "kubectl \(kubectl.version) exec -it: \(tty.status) \(tty.output) \(tty.errors)")
            }
            let piped = try ordinal(["exec", "-i", "box-1", "-n", Self.namespace] + api + ["--", "cat"], input: "through stdin\n")
            #expect(piped.status == 0 && piped.output == "through stdin\n", "ordinal exec -i: \(piped.status) \(piped.output) \(piped.errors)")
            let absent = try ordinal(["exec", "box-1", "-n", Self.namespace] + api + ["--", "no-such-command"])
            #expect(absent.status != 0, "a command the image lacks fails: \(absent.output) \(absent.errors)")

            // The volume outlives its pod: a deleted pod comes back to the same content.
            _ = try ordinal(["delete", "pod", "box-0", "-n", Self.namespace] + api)
            _ = try await require("box-0 back, serving both lines", within: .seconds(60)) {
                guard let pod = await Self.pod(agent, "box-0"), let ip = Self.status(pod)?["podIP"] as? String,
                      (try? await Self.get("http://\(ip)/")) == "served by box-0\nserved by box-0\n" else { return false }
                return true
            }

            // Probes run as the kubelet runs them: box's httpGet and exec probes pass (it is
            // Ready), idle's tcpSocket probe on a closed port keeps it Running but not Ready.
            let idle = try #require(await Self.pod(agent, "idle-0"))
            #expect(Self.status(idle)?["phase"] as? String == "Running")
            #expect(Self.containerStatuses(idle).first?["ready"] as? Bool == false, "\(Self.containerStatuses(idle))")
            #expect(await readyPods(agent, namespace: Self.namespace)?["idle-0"] == nil)

            // securityContext: the user, a read-only root, fsGroup owning what the pod writes to
            // its volume; a root user where runAsNonRoot forbids it is refused before it starts.
            let lockedMain = try #require(try await Self.containerID(agent, "locked-0"))
            let whoami = try await runtime.execSync(lockedMain, ["id", "-u"], timeout: 10)
            #expect(String(decoding: whoami.stdout, as: UTF8.self) == "1000\n")
            #expect(try await runtime.execSync(lockedMain, ["touch", "/etc/x"], timeout: 10).exitCode != 0, "the root file system is writable")
            let written = try await runtime.execSync(lockedMain, ["sh", "-c", "touch /data/y && stat -c %g /data/y"], timeout: 10)
            #expect(String(decoding: written.stdout, as: UTF8.self) == "2000\n", "\(String(decoding: written.stderr, as: UTF8.self))")
            // emptyDir medium Memory: a tmpfs of its sizeLimit.
            let scratch = try await runtime.execSync(lockedMain, ["df", "-k", "/scratch"], timeout: 10)
            let df = String(decoding: scratch.stdout, as: UTF8.self)
            #expect(df.contains("tmpfs") && df.contains(" 8192 "), "\(df)")
            // (Read until it shows: an image pull failing on the way, as pulls can, is retried.)
            var rootless: [String: Any] = [:]
            _ = try? await require("locked-0's rootless container refused", within: .seconds(20)) {
                guard let locked = await Self.pod(agent, "locked-0"),
                      let status = Self.containerStatuses(locked).first(where: { $0["name"] as? String == "rootless" }) else { return false }
                rootless = status
                return ((status["state"] as? [String: Any])?["waiting"] as? [String: Any])?["reason"] as? String == "CreateContainerConfigError"
            }
            let waiting = (rootless["state"] as? [String: Any])?["waiting"] as? [String: Any]
            #expect(waiting?["reason"] as? String == "CreateContainerConfigError", "\(rootless)")
            #expect((waiting?["message"] as? String)?.contains("runAsUser breaks non-root policy") == true, "\(rootless)")

            // A memory limit exceeded is OOMKilled, and restarted.
            _ = try await require("hog-0 OOMKilled and restarted", within: .seconds(60)) {
                guard let pod = await Self.pod(agent, "hog-0"), let status = Self.containerStatuses(pod).first,
                      let last = (status["lastState"] as? [String: Any])?["terminated"] as? [String: Any] else { return false }
                return last["reason"] as? String == "OOMKilled" && last["exitCode"] as? Int == 137 && (status["restartCount"] as? Int ?? 0) >= 1
            }

            // Killed and restarted within its lease, the agent adopts every sandbox: the same
            // containers, no restart. Restarted with image collection at every usage, it
            // removes the image no container uses and keeps busybox (in use) and the sandbox
            // image, as the kubelet's image GC does.
            let unused = "docker.io/ordinal/serve-hostname:latest"
            _ = try await runtime.pullImage(unused, sandboxConfig: .init())
            #expect(try await runtime.imageStatus(unused) != nil)
            let before = try #require(try await Self.containerID(agent, "box-1"))
            agent.kill9()
            try agent.restart(adding: ["--image-gc-high-threshold", "0", "--image-gc-low-threshold", "0", "--minimum-image-ttl-duration", "0s"])
            try await Task.sleep(for: .seconds(6))
            let after = try await Self.containerID(agent, "box-1")
            #expect(after == before, "box-1's container was replaced across an agent restart within the lease")
            let status = try await runtime.containerStatus(before)
            #expect(status.state == .containerRunning)
            _ = try await require("the unused image collected", within: .seconds(20)) { (try? await runtime.imageStatus(unused)) == nil }
            #expect(try await runtime.imageStatus("docker.io/library/busybox:latest") != nil, "an image in use was collected")
            let sandboxImage = try #require(try await runtime.sandboxImage())
            #expect(try await runtime.imageStatus(sandboxImage) != nil, "the sandbox image was collected")
            #expect(agent.log.contains("removed an unused image"))

            // Killed and left dead: the keepers kill the sandboxes' cgroups at the lease.
            #expect(identityHolders(namespace: Self.namespace)["box-1"]?.count == 1, "box-1 is held by its keeper's cgroup")
            agent.kill9()
            let gone = try await require("every container killed", within: .seconds(10)) {
                identityHolders(namespace: Self.namespace).isEmpty
            }
            #expect(gone <= 4.6, "a 4 s lease held the containers \(gone) s")
            _ = try await require("containerd sees box-1's container exit", within: .seconds(10)) {
                (try? await runtime.containerStatus(before))?.state == .containerExited
            }
        }
    }

    /// The pods' gateway `scripts/runtime up` gives the bridge (`scripts/runtime gateway`).
    static let gateway = ProcessInfo.processInfo.environment["ORDINAL_POD_GATEWAY"] ?? "198.19.255.1"

    static func pod(_ agent: AgentProcess, _ name: String, namespace: String = namespace) async -> [String: Any]? {
        guard let url = URL(string: "\(agent.apiURL)/api/v1/namespaces/\(namespace)/pods/\(name)"),
              let (data, _) = try? await URLSession.shared.data(from: url) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    static func status(_ pod: [String: Any]) -> [String: Any]? { pod["status"] as? [String: Any] }

    static func containerStatuses(_ pod: [String: Any]) -> [[String: Any]] {
        status(pod)?["containerStatuses"] as? [[String: Any]] ?? []
    }

    /// The runtime's id of a pod's first container, from the pod's status.
    static func containerID(_ agent: AgentProcess, _ name: String) async throws -> String? {
        guard let pod = await pod(agent, name), let id = containerStatuses(pod).first?["containerID"] as? String else { return nil }
        return String(id.dropFirst("containerd://".count))
    }

    static func get(_ address: String) async throws -> String {
        var request = URLRequest(url: URL(string: address)!)
        request.timeoutInterval = 3
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    /// What the test's agent left in the runtime (it was killed last): removed, so runs do not
    /// accumulate sandboxes.
    static func removeSandboxes(_ runtime: CRIClient) async {
        for sandbox in (try? await runtime.listPodSandbox(labels: ["io.kubernetes.pod.namespace": namespace])) ?? [] {
            try? await runtime.stopPodSandbox(sandbox.id)
            try? await runtime.removePodSandbox(sandbox.id)
        }
    }
}
