import ClusterState
@testable import Runtime

extension Container {
    static func fixture(
        name: String = "main", image: String? = nil, command: [String]? = nil, args: [String]? = nil,
        ports: [Int] = [], env: [(String, String)] = [], mounts: [(String, String)] = []
    ) -> Container {
        var container = Container(name: name, image: image, command: command, args: args)
        container.ports = ports.isEmpty ? nil : ports.map { ContainerPort(containerPort: $0) }
        container.env = env.isEmpty ? nil : env.map { EnvVar(name: $0.0, value: $0.1) }
        container.volumeMounts = mounts.isEmpty ? nil : mounts.map { VolumeMount(name: $0.0, mountPath: $0.1) }
        return container
    }
}

extension PodLaunch {
    static func fixture(
        containers: [Container], name: String = "web-0", podIP: String = "127.0.0.1",
        volumePaths: [String: String] = [:], logDirectory: String = "/var/lib/ordinal/pods/default/web-0/logs",
        grace: Int64 = 30, restartPolicy: String = "Always", helper: String = "/usr/local/bin/ordinal",
        searchPath: String = "/usr/local/bin:/usr/bin:/bin", lease: MonotonicDeadline = MonotonicDeadline(nanoseconds: .max)
    ) -> PodLaunch {
        PodLaunch(namespace: "default", name: name, uid: "uid-1", ordinal: 0, podIP: podIP, nodeName: "a2",
                  fencingEpoch: 7, containers: containers, volumePaths: volumePaths, logDirectory: logDirectory,
                  terminationGracePeriodSeconds: grace, restartPolicy: restartPolicy, helperExecutable: helper,
                  keeperExecutable: "/usr/local/bin/ordinal-keeper", searchPath: searchPath, leaseDeadline: lease)
    }
}
