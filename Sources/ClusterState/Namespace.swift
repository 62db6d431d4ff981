/// v1 Namespace: the scope names live in. Objects may only be created in a namespace that
/// exists and is not being deleted; deleting a namespace deletes everything in it (the
/// controller's ``NamespaceReaper`` empties it, then removes it), as Kubernetes does.
package struct Namespace: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec?
    package var status: Status?

    package init(metadata: ObjectMeta) {
        self.metadata = metadata
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var finalizers: [String]?

        package init(finalizers: [String]?) {
            self.finalizers = finalizers
        }
    }

    package struct Status: Codable, Sendable, Hashable {
        /// `Active` or `Terminating`.
        package var phase: String?

        package init(phase: String?) {
            self.phase = phase
        }
    }

    /// The namespace every cluster has from its start; it cannot be deleted.
    package static let defaultName = "default"
    /// Namespaces Kubernetes refuses to delete.
    package static let undeletable: Set<String> = ["default", "kube-system", "kube-public"]

    package static let active = "Active"
    package static let terminating = "Terminating"

    /// Kubernetes' defaults: the `kubernetes` finalizer and phase `Active`.
    package var withDefaults: Namespace {
        var namespace = self
        namespace.apiVersion = "v1"
        namespace.kind = "Namespace"
        namespace.spec = Spec(finalizers: spec?.finalizers ?? ["kubernetes"])
        namespace.status = Status(phase: metadata.isTerminating ? Self.terminating : Self.active)
        return namespace
    }
}
