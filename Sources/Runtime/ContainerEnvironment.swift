package import ClusterState

/// A container's clean environment and working directory. Nothing of the agent's environment
/// is inherited, so a container sees the same variables on every agent.
package struct ContainerEnvironment: Sendable {
    /// Name/value pairs in order, each name once.
    package private(set) var variables: [(name: String, value: String)]

    /// Builds, in order (a later entry replaces an earlier one of the same name in place):
    /// `PATH`, `HOME`, `POD_NAME`, `POD_NAMESPACE`, `POD_IP`, `POD_ORDINAL` (when set), `POD_UID`,
    /// `NODE_NAME`, `VOLUME_<NAME>` for each mounted volume with a host path, then the template's
    /// env with `$(VAR)` expanded against everything before it.
    ///
    /// The volume variables come before the template's env (not after, as they are listed in the
    /// design) so a template can build on them, e.g. `DATA_FILE=$(VOLUME_DATA)/db`. `HOME` is the
    /// working directory, the one place the pod can be sure to own.
    package init(container: Container, launch: PodLaunch) {
        variables = []
        let workingDirectory = Self.workingDirectory(container: container, launch: launch)
        set("PATH", launch.searchPath)
        set("HOME", workingDirectory)
        set("POD_NAME", launch.name)
        set("POD_NAMESPACE", launch.namespace)
        set("POD_IP", launch.podIP)
        if let ordinal = launch.ordinal { set("POD_ORDINAL", String(ordinal)) }
        set("POD_UID", launch.uid)
        set("NODE_NAME", launch.nodeName)
        for mount in container.volumeMounts ?? [] {
            if let path = launch.volumePaths[mount.name] { set(Self.volumeVariable(mount.name), path) }
        }
        for entry in container.env ?? [] {
            set(entry.name, VariableExpansion.expand(entry.value ?? "", dictionary))
        }
    }

    /// `VOLUME_<NAME>`: upper-cased, with `-` and `.` as `_`.
    package static func volumeVariable(_ volume: String) -> String {
        "VOLUME_" + String(volume.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 })
    }

    /// Where the container starts. Containers share the host's file system, so a `workingDir`
    /// at or under a mount path is translated to the volume's host directory; another absolute
    /// `workingDir` is used as is. Without one, the first mounted volume with a host path, else
    /// the parent of the log directory (the pod's directory under the agent's data dir).
    package static func workingDirectory(container: Container, launch: PodLaunch) -> String {
        let mounts = (container.volumeMounts ?? []).compactMap { mount in
            launch.volumePaths[mount.name].map { (mountPath: mount.mountPath, hostPath: $0) }
        }
        if let requested = container.workingDir, !requested.isEmpty {
            for mount in mounts {
                let base = mount.mountPath.hasSuffix("/") ? String(mount.mountPath.dropLast()) : mount.mountPath
                if requested == base { return mount.hostPath }
                if !base.isEmpty, requested.hasPrefix(base + "/") {
                    return mount.hostPath + requested.dropFirst(base.count)
                }
            }
            return requested
        }
        if let first = mounts.first { return first.hostPath }
        let parent = launch.logDirectory.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        return "/" + parent.joined(separator: "/")
    }

    /// Name → value, for `$(VAR)` expansion.
    package var dictionary: [String: String] {
        Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// `NAME=value` strings for `execve`.
    package var entries: [String] { variables.map { "\($0.name)=\($0.value)" } }

    private mutating func set(_ name: String, _ value: String) {
        if let index = variables.firstIndex(where: { $0.name == name }) {
            variables[index].value = value
        } else {
            variables.append((name, value))
        }
    }
}
