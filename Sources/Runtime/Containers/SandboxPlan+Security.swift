package import CRI
package import ClusterState

/// A container's `securityContext`, with the pod's as its defaults, as the kubelet hands it
/// to the runtime, and the kubelet's checks that refuse a container before it starts.
extension SandboxPlan {
    /// The user an image runs as, from the runtime's image status: a uid, or a user name.
    package struct ImageUser: Sendable, Equatable {
        package var uid: Int64?
        package var username: String

        package init(uid: Int64?, username: String) {
            self.uid = uid
            self.username = username
        }
    }

    /// The largest user or group id Kubernetes accepts.
    static let largestID: Int64 = 2_147_483_647

    /// Whether starting `container` needs the image's user (`runAsNonRoot` with no user set).
    package func needsImageUser(_ container: Container) -> Bool {
        let pod = launch.securityContext
        return (container.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot) == true
            && (container.securityContext?.runAsUser ?? pod?.runAsUser) == nil
    }

    package func securityContext(of container: Container, imageUser: ImageUser?) throws(Failure) -> Runtime_V1_LinuxContainerSecurityContext {
        let own = container.securityContext
        let pod = launch.securityContext
        if own?.privileged == true { throw .privileged(container: container.name) }
        let user = own?.runAsUser ?? pod?.runAsUser
        let group = own?.runAsGroup ?? pod?.runAsGroup
        let groups = (pod?.supplementalGroups ?? []) + (pod?.fsGroup.map { [$0] } ?? [])
        for (field, id) in [("runAsUser", user), ("runAsGroup", group)] + groups.map({ ("supplementalGroups", $0) }) {
            if let id, !(0 ... Self.largestID).contains(id) { throw .badID(container: container.name, field: field, id) }
        }
        if (own?.runAsNonRoot ?? pod?.runAsNonRoot) == true {
            try checkNonRoot(container: container.name, user: user, image: imageUser)
        }
        var context = Runtime_V1_LinuxContainerSecurityContext()
        if let user { context.runAsUser = Self.int64Value(user) }
        if let group { context.runAsGroup = Self.int64Value(group) }
        context.supplementalGroups = groups
        context.readonlyRootfs = own?.readOnlyRootFilesystem ?? false
        context.noNewPrivs = own?.allowPrivilegeEscalation == false
        if let capabilities = own?.capabilities {
            context.capabilities.addCapabilities = capabilities.add ?? []
            context.capabilities.dropCapabilities = capabilities.drop ?? []
        }
        return context
    }

    private static func int64Value(_ value: Int64) -> Runtime_V1_Int64Value {
        var wrapped = Runtime_V1_Int64Value()
        wrapped.value = value
        return wrapped
    }

    /// The kubelet's `runAsNonRoot` check, with its messages.
    private func checkNonRoot(container: String, user: Int64?, image: ImageUser?) throws(Failure) {
        if let user {
            guard user != 0 else {
                throw .nonRoot(container: container, "container's runAsUser breaks non-root policy (pod: \"\(launch.name)_\(launch.namespace)(\(launch.uid))\", container: \(container))")
            }
            return
        }
        if let uid = image?.uid {
            guard uid != 0 else { throw .nonRoot(container: container, "container has runAsNonRoot and image will run as root (pod: \"\(launch.name)_\(launch.namespace)(\(launch.uid))\", container: \(container))") }
            return
        }
        let name = image?.username ?? ""
        guard name.isEmpty else {
            throw .nonRoot(container: container, "container has runAsNonRoot and image has non-numeric user (\(name)), cannot verify user is non-root (pod: \"\(launch.name)_\(launch.namespace)(\(launch.uid))\", container: \(container))")
        }
        throw .nonRoot(container: container, "container has runAsNonRoot and image will run as root (pod: \"\(launch.name)_\(launch.namespace)(\(launch.uid))\", container: \(container))")
    }
}
