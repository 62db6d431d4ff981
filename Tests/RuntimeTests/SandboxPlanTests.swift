import CRI
import ClusterState
import Runtime
import Testing

/// A pod as a kubelet would hand it to the CRI runtime, rule by rule.
struct SandboxPlanTests {
    static func launch(_ containers: [Container], volumes: [String: String] = ["www": "/data/pvc-1"]) -> PodLaunch {
        PodLaunch(
            namespace: "shop", name: "web-2", uid: "uid-2", ordinal: 2, podIP: "127.128.1.5", nodeName: "n1", fencingEpoch: 9,
            containers: containers, volumePaths: volumes, logDirectory: "/data/pods/uid-2/logs", terminationGracePeriodSeconds: 30,
            restartPolicy: "Always", helperExecutable: "/bin/ordinal", keeperExecutable: "/bin/ordinal-keeper", searchPath: "/usr/bin",
            leaseDeadline: .now(), sandbox: SandboxSettings(endpoint: "unix:///run/c.sock", cgroup: "ordinal/n1/abc")
        )
    }

    static func plan(_ containers: [Container], volumes: [String: String] = ["www": "/data/pvc-1"]) -> SandboxPlan {
        let launch = launch(containers, volumes: volumes)
        return SandboxPlan(launch: launch, settings: launch.sandbox!)
    }

    @Test func theSandboxIsNamedLabelledAndPlacedAsTheKeeperExpects() {
        let config = Self.plan([Container(name: "app")]).sandboxConfig
        #expect(config.metadata.name == "web-2" && config.metadata.namespace == "shop" && config.metadata.uid == "uid-2")
        #expect(config.hostname == "web-2")
        #expect(config.logDirectory == "/data/pods/uid-2/logs")
        #expect(config.linux.cgroupParent == "/ordinal/n1/abc")
        #expect(config.labels[SandboxPlan.Label.podUID] == "uid-2")
        #expect(config.labels[SandboxPlan.Label.fencingEpoch] == "9")
        #expect(config.labels[SandboxPlan.Label.node] == "n1")
        #expect(!config.hasDnsConfig, "no DNS settings: containerd copies the host's resolv.conf")
    }

    @Test func commandArgsAndWorkingDirGoToTheRuntimeAsWritten() throws {
        var container = Container(name: "app", image: "nginx", command: ["sh", "-c"], args: ["echo $(POD_NAME)"])
        container.workingDir = "/srv"
        let config = try Self.plan([container]).containerConfig(container, attempt: 3, image: "sha256:abc", podIP: "198.19.255.4")
        #expect(config.metadata.name == "app" && config.metadata.attempt == 3)
        #expect(config.image.image == "sha256:abc")
        #expect(config.command == ["sh", "-c"] && config.args == ["echo $(POD_NAME)"])
        #expect(config.workingDir == "/srv")
        #expect(config.logPath == "app.cri.log")
        #expect(config.labels[SandboxPlan.Label.containerName] == "app")
        // Absent command and args: the image's entrypoint and cmd (containerd resolves them).
        let bare = try Self.plan([Container(name: "app")]).containerConfig(Container(name: "app"), attempt: 0, image: "x", podIP: "")
        #expect(bare.command.isEmpty && bare.args.isEmpty && bare.workingDir.isEmpty)
    }

    @Test func theEnvironmentCarriesThePodAndExpandsReferences() {
        var container = Container(name: "app")
        container.volumeMounts = [VolumeMount(name: "www", mountPath: "/usr/share/nginx/html")]
        container.env = [EnvVar(name: "PAGE", value: "$(VOLUME_WWW)/index.html"), EnvVar(name: "POD_NAME", value: "override"),
                         EnvVar(name: "KEEP", value: "$$(POD_IP) $(MISSING)")]
        let variables = Self.plan([container]).environment(of: container, podIP: "198.19.255.4")
        let values = Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        #expect(values["POD_IP"] == "198.19.255.4", "the sandbox's address, not the scheduler's")
        #expect(values["POD_ORDINAL"] == "2" && values["POD_NAMESPACE"] == "shop" && values["NODE_NAME"] == "n1")
        #expect(values["VOLUME_WWW"] == "/usr/share/nginx/html", "the mount path inside the container")
        #expect(values["PAGE"] == "/usr/share/nginx/html/index.html")
        #expect(values["POD_NAME"] == "override")
        #expect(values["KEEP"] == "$(POD_IP) $(MISSING)")
        #expect(values["PATH"] == nil && values["HOME"] == nil, "PATH and HOME are the image's")
        #expect(variables.map(\.name).filter { $0 == "POD_NAME" }.count == 1)
    }

    @Test func volumesAreMountedAtTheirMountPath() throws {
        var container = Container(name: "app")
        var logs = VolumeMount(name: "www", mountPath: "/var/log/app")
        logs.subPath = "logs/app"
        logs.readOnly = true
        container.volumeMounts = [VolumeMount(name: "www", mountPath: "/usr/share/nginx/html"), logs]
        let mounts = try Self.plan([container]).mounts(of: container)
        #expect(mounts.map(\.containerPath) == ["/usr/share/nginx/html", "/var/log/app"])
        #expect(mounts.map(\.hostPath) == ["/data/pvc-1", "/data/pvc-1/logs/app"])
        #expect(mounts.map(\.readonly) == [false, true])
    }

    /// The kubelet's managed /etc/hosts: the pod's FQDN when its subdomain names a Service,
    /// mounted into each container unless the container mounts a volume there itself.
    @Test func etcHostsNamesThePodByItsServiceAndIsMountedUnlessTheContainerMountsOne() throws {
        var launch = Self.launch([Container(name: "app")])
        launch.sandbox?.fqdn = "web-2.nginx.shop.svc.cluster.local"
        let plan = SandboxPlan(launch: launch, settings: launch.sandbox!)
        let hosts = plan.hostsFile(podIP: "198.19.1.7")
        #expect(hosts.hasPrefix("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"))
        #expect(hosts.hasSuffix("\n198.19.1.7\tweb-2.nginx.shop.svc.cluster.local\tweb-2\n"))
        #expect(Self.plan([Container(name: "app")]).hostsFile(podIP: "198.19.1.7").hasSuffix("\n198.19.1.7\tweb-2\n"), "no subdomain: the hostname only")

        let config = try plan.containerConfig(Container(name: "app"), attempt: 0, image: "nginx", podIP: "198.19.1.7", hostsFile: "/data/pods/uid-2/etc-hosts")
        #expect(config.mounts.first { $0.containerPath == "/etc/hosts" }?.hostPath == "/data/pods/uid-2/etc-hosts")
        var own = Container(name: "app")
        own.volumeMounts = [VolumeMount(name: "www", mountPath: "/etc/hosts")]
        let mounted = try plan.containerConfig(own, attempt: 0, image: "nginx", podIP: "198.19.1.7", hostsFile: "/data/pods/uid-2/etc-hosts")
        #expect(mounted.mounts.filter { $0.containerPath == "/etc/hosts" }.map(\.hostPath) == ["/data/pvc-1"])
    }

    /// `spec.hostname` names the sandbox and its /etc/hosts line, FQDN included, as with a kubelet.
    @Test func aHostnameOfThePodsOwnNamesTheSandboxAndItsHostsLine() {
        var launch = Self.launch([Container(name: "app")])
        launch.sandbox?.hostname = "db"
        launch.sandbox?.fqdn = "db.nginx.shop.svc.cluster.local"
        let plan = SandboxPlan(launch: launch, settings: launch.sandbox!)
        #expect(plan.sandboxConfig.hostname == "db")
        #expect(plan.sandboxConfig.metadata.name == "web-2")
        #expect(plan.hostsFile(podIP: "198.19.1.7").hasSuffix("\n198.19.1.7\tdb.nginx.shop.svc.cluster.local\tdb\n"))
    }

    @Test(arguments: ["../etc", "/etc", "a/../../b"])
    func aSubPathLeavingTheVolumeIsRefused(subPath: String) {
        var container = Container(name: "app")
        var mount = VolumeMount(name: "www", mountPath: "/x")
        mount.subPath = subPath
        container.volumeMounts = [mount]
        #expect(throws: SandboxPlan.Failure.badSubPath(container: "app", subPath)) { try Self.plan([container]).mounts(of: container) }
    }

    @Test func aMountOfAMissingVolumeIsRefused() {
        var container = Container(name: "app")
        container.volumeMounts = [VolumeMount(name: "cache", mountPath: "/cache")]
        #expect(throws: SandboxPlan.Failure.volumeNotFound(container: "app", volume: "cache")) { try Self.plan([container]).mounts(of: container) }
    }

    @Test(arguments: [
        // limits, requests -> memory bytes, quota, shares (the kubelet's arithmetic)
        ([String: String](), [String: String](), Int64(0), Int64(0), Int64(2)),
        (["memory": "16Mi"], [:], 16 * 1_048_576, 0, 2),
        (["cpu": "500m"], [:], 0, 50_000, 512),
        (["cpu": "2"], ["cpu": "250m"], 0, 200_000, 256),
        (["cpu": "1m"], [:], 0, 1000, 2),
    ] as [([String: String], [String: String], Int64, Int64, Int64)])
    func limitsBecomeCgroupSettings(limits: [String: String], requests: [String: String], memory: Int64, quota: Int64, shares: Int64) throws {
        var container = Container(name: "app")
        container.resources = ResourceRequirements(requests: requests, limits: limits)
        let resources = try Self.plan([container]).resources(of: container)
        #expect(resources.memoryLimitInBytes == memory)
        #expect(resources.cpuQuota == quota)
        #expect(resources.cpuPeriod == (quota == 0 ? 0 : 100_000))
        #expect(resources.cpuShares == shares)
    }

    @Test func aQuantityThatIsNotOneIsRefusedNamingTheField() {
        var container = Container(name: "app")
        container.resources = ResourceRequirements(limits: ["memory": "lots"])
        #expect(throws: SandboxPlan.Failure.badQuantity(container: "app", field: "resources.limits.memory", "lots")) {
            try Self.plan([container]).resources(of: container)
        }
    }
}

/// `securityContext` as the kubelet hands it to the runtime, and the checks it makes first.
struct SandboxSecurityTests {
    static func plan(pod: PodSecurityContext?, container: SecurityContext?) -> (SandboxPlan, Container) {
        var launch = SandboxPlanTests.launch([])
        launch.securityContext = pod
        var spec = Container(name: "app")
        spec.securityContext = container
        return (SandboxPlan(launch: launch, settings: launch.sandbox!), spec)
    }

    @Test func theContainerOverridesThePodAndFSGroupJoinsTheGroups() throws {
        var pod = PodSecurityContext(runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000)
        pod.supplementalGroups = [3000]
        var own = SecurityContext(runAsUser: 1001)
        own.readOnlyRootFilesystem = true
        own.allowPrivilegeEscalation = false
        own.capabilities = .init(add: ["NET_BIND_SERVICE"], drop: ["ALL"])
        let (plan, spec) = Self.plan(pod: pod, container: own)
        let context = try plan.securityContext(of: spec, imageUser: nil)
        #expect(context.runAsUser.value == 1001 && context.runAsGroup.value == 1000)
        #expect(context.supplementalGroups == [3000, 2000])
        #expect(context.readonlyRootfs && context.noNewPrivs)
        #expect(context.capabilities.addCapabilities == ["NET_BIND_SERVICE"] && context.capabilities.dropCapabilities == ["ALL"])
    }

    @Test func nothingAskedGivesTheRuntimeDefaults() throws {
        let (plan, spec) = Self.plan(pod: nil, container: nil)
        let context = try plan.securityContext(of: spec, imageUser: nil)
        #expect(!context.hasRunAsUser && !context.hasRunAsGroup && !context.readonlyRootfs && !context.noNewPrivs)
        #expect(!plan.needsImageUser(spec))
    }

    @Test func privilegedIsRefused() {
        var own = SecurityContext()
        own.privileged = true
        let (plan, spec) = Self.plan(pod: nil, container: own)
        #expect(throws: SandboxPlan.Failure.privileged(container: "app")) { try plan.securityContext(of: spec, imageUser: nil) }
    }

    @Test(arguments: [Int64(-1), 2_147_483_648, .max, .min])
    func anIDOutsideKubernetesBoundsIsRefused(id: Int64) {
        let (plan, spec) = Self.plan(pod: PodSecurityContext(runAsUser: id), container: nil)
        #expect(throws: SandboxPlan.Failure.badID(container: "app", field: "runAsUser", id)) { try plan.securityContext(of: spec, imageUser: nil) }
    }

    @Test(arguments: [
        // runAsUser, image uid, image user name -> allowed
        (Int64?.some(1000), Int64?.none, "", true),
        (0, nil, "", false),
        (nil, 101, "", true),
        (nil, 0, "", false),
        (nil, nil, "www-data", false),
        (nil, nil, "", false),
    ] as [(Int64?, Int64?, String, Bool)])
    func runAsNonRootIsCheckedAsTheKubeletChecksIt(user: Int64?, imageUID: Int64?, imageName: String, allowed: Bool) {
        let (plan, spec) = Self.plan(pod: PodSecurityContext(runAsUser: user, runAsNonRoot: true), container: nil)
        #expect(plan.needsImageUser(spec) == (user == nil))
        let result = Result { try plan.securityContext(of: spec, imageUser: .init(uid: imageUID, username: imageName)) }
        if allowed {
            #expect((try? result.get()) != nil, "\(result)")
        } else {
            guard case .failure(SandboxPlan.Failure.nonRoot(container: "app", let message)) = result else {
                Issue.record("not refused: \(result)")
                return
            }
            #expect(message.contains("non-root") || message.contains("runAsNonRoot"), "\(message)")
        }
    }
}
