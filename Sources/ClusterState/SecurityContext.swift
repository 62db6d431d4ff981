/// A container's `securityContext`: who its processes run as and what they may do. Honored by
/// the container runtime (docs/runtime.md); the process runtime cannot, and a pod asking for
/// any of it there does not start.
package struct SecurityContext: Codable, Sendable, Hashable {
    package var runAsUser: Int64?
    package var runAsGroup: Int64?
    package var runAsNonRoot: Bool?
    package var readOnlyRootFilesystem: Bool?
    package var allowPrivilegeEscalation: Bool?
    package var privileged: Bool?
    package var capabilities: Capabilities?

    package init(runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
    }

    package struct Capabilities: Codable, Sendable, Hashable {
        package var add: [String]?
        package var drop: [String]?

        package init(add: [String]? = nil, drop: [String]? = nil) {
            self.add = add
            self.drop = drop
        }
    }

    /// Whether it asks for anything beyond Kubernetes' defaults (a field at its default, as
    /// `get -o yaml | apply` sends it, asks for nothing).
    package var asksForSomething: Bool {
        runAsUser != nil || runAsGroup != nil || runAsNonRoot == true || readOnlyRootFilesystem == true
            || allowPrivilegeEscalation == false || privileged == true
            || !(capabilities?.add ?? []).isEmpty || !(capabilities?.drop ?? []).isEmpty
    }
}

/// The pod's `securityContext`: defaults for every container's user and group, and `fsGroup`,
/// the group that owns the pod's volumes.
package struct PodSecurityContext: Codable, Sendable, Hashable {
    package var runAsUser: Int64?
    package var runAsGroup: Int64?
    package var runAsNonRoot: Bool?
    package var fsGroup: Int64?
    package var supplementalGroups: [Int64]?

    package init(runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil, fsGroup: Int64? = nil) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.fsGroup = fsGroup
    }

    package var asksForSomething: Bool {
        runAsUser != nil || runAsGroup != nil || runAsNonRoot == true || fsGroup != nil || !(supplementalGroups ?? []).isEmpty
    }
}
