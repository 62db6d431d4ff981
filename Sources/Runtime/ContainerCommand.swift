package import ClusterState

/// The executable and arguments a container runs, resolved by Kubernetes' rules for a process
/// instead of an image.
///
/// Kubernetes: `command` replaces the image's entrypoint and `args` its default arguments. Here
/// the "entrypoint" of an image is an executable of the same name on the agent's search path
/// (`docker.io/library/nginx:1.25` runs `nginx`), and `ordinal/<tool>` runs the binary's
/// built-in helper (`ordinal/pause` runs `ordinal-keeper pause`, a few kilobytes of C). `$(VAR)` references in command and args are expanded against the
/// container's environment (``VariableExpansion``).
package struct ContainerCommand: Sendable, Hashable {
    /// An absolute path, or a path with a `/` relative to the working directory.
    package var executable: String
    /// `argv`, starting with `argv[0]`.
    package var arguments: [String]

    package init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Why a container cannot be started; `reason` and `message` go into its waiting state.
    package struct Failure: Error, Sendable, Hashable {
        package var reason: String
        package var message: String
    }

    /// The image prefix of the binary's built-in helpers.
    package static let helperImagePrefix = "ordinal/"

    /// - Parameters:
    ///   - isExecutable: Whether a path names an executable file; injected so resolution is pure.
    /// - Throws: ``Failure`` with reason `ExecutableNotFound` when no executable is found on the
    ///   search path, or `CreateContainerConfigError` without command and image.
    package static func resolve(
        container: Container, launch: PodLaunch, environment: [String: String],
        isExecutable: (String) -> Bool
    ) throws(Failure) -> ContainerCommand {
        let args = (container.args ?? []).map { VariableExpansion.expand($0, environment) }
        if let command = container.command, !command.isEmpty {
            let expanded = command.map { VariableExpansion.expand($0, environment) }
            let path = try locate(expanded[0], launch: launch, isExecutable: isExecutable)
            return ContainerCommand(executable: path, arguments: expanded + args)
        }
        guard let image = container.image, !image.isEmpty else {
            throw Failure(reason: "CreateContainerConfigError",
                          message: "container \"\(container.name)\" has neither command nor image")
        }
        if image.hasPrefix(helperImagePrefix) {
            let tool = executableName(image: String(image.dropFirst(helperImagePrefix.count)))
            if tool == "pause" {
                return ContainerCommand(executable: launch.keeperExecutable, arguments: [launch.keeperExecutable, "pause"] + args)
            }
            var helperArgs = args
            if tool == "serve-hostname", !args.contains(where: { $0 == "--port" || $0.hasPrefix("--port=") }),
               let port = container.ports?.first?.containerPort {
                helperArgs += ["--port", String(port)]
            }
            return ContainerCommand(executable: launch.helperExecutable,
                                    arguments: [launch.helperExecutable, "helper", tool] + helperArgs)
        }
        let name = executableName(image: image)
        let path = try locate(name, launch: launch, isExecutable: isExecutable)
        return ContainerCommand(executable: path, arguments: [name] + args)
    }

    /// The executable an image names: its last path component without tag or digest.
    package static func executableName(image: String) -> String {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return String(name)
    }

    /// A name with a `/` as is; otherwise the first executable of that name on the search path.
    package static func locate(
        _ name: String, launch: PodLaunch, isExecutable: (String) -> Bool
    ) throws(Failure) -> String {
        if name.contains("/") { return name }
        for directory in launch.searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            if !name.isEmpty, isExecutable(candidate) { return candidate }
        }
        throw Failure(reason: "ExecutableNotFound",
                      message: "no executable \"\(name)\" on PATH of agent \(launch.nodeName)")
    }
}
