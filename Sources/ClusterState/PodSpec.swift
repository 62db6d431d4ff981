/// A pod template: the labels and spec every pod of a StatefulSet is made from. Its JSON
/// encoding (with sorted keys) is what a revision hashes.
package struct PodTemplateSpec: Codable, Sendable, Hashable {
    package var metadata: TemplateMeta?
    package var spec: PodSpec

    package init(metadata: TemplateMeta? = nil, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The metadata a template (of a pod or a claim) may carry.
package struct TemplateMeta: Codable, Sendable, Hashable {
    package var name: String?
    package var labels: [String: String]?
    package var annotations: [String: String]?

    package init(name: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
    }
}

/// What runs in a pod and where: the containers (local processes, see the runtime) and
/// the placement fields the scheduler honours.
package struct PodSpec: Codable, Sendable, Hashable {
    package var containers: [Container]
    package var volumes: [Volume]?
    package var nodeSelector: [String: String]?
    package var nodeName: String?
    package var hostname: String?
    package var subdomain: String?
    package var restartPolicy: String?
    package var terminationGracePeriodSeconds: Int64?
    package var securityContext: PodSecurityContext?

    package init(containers: [Container]) {
        self.containers = containers
    }
}

package struct Container: Codable, Sendable, Hashable {
    package var name: String
    package var image: String?
    /// `Always`, `IfNotPresent` or `Never`; absent, Kubernetes' default for the image's tag.
    package var imagePullPolicy: String?
    package var command: [String]?
    package var args: [String]?
    package var workingDir: String?
    package var env: [EnvVar]?
    package var ports: [ContainerPort]?
    package var volumeMounts: [VolumeMount]?
    package var readinessProbe: Probe?
    package var livenessProbe: Probe?
    package var resources: ResourceRequirements?
    package var securityContext: SecurityContext?

    package init(name: String, image: String? = nil, command: [String]? = nil, args: [String]? = nil) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
    }
}

package struct EnvVar: Codable, Sendable, Hashable {
    package var name: String
    package var value: String?

    package init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

package struct ContainerPort: Codable, Sendable, Hashable {
    package var name: String?
    package var containerPort: Int
    package var `protocol`: String?

    package init(name: String? = nil, containerPort: Int, protocol: String? = nil) {
        self.name = name
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}

package struct VolumeMount: Codable, Sendable, Hashable {
    package var name: String
    package var mountPath: String
    package var readOnly: Bool?
    /// A path below the volume's root to mount instead of the root (container runtime only).
    package var subPath: String?

    package init(name: String, mountPath: String) {
        self.name = name
        self.mountPath = mountPath
    }
}

/// A pod volume; Ordinal supports claims (what StatefulSets mount) and scratch dirs.
package struct Volume: Codable, Sendable, Hashable {
    package var name: String
    package var persistentVolumeClaim: ClaimSource?
    package var emptyDir: EmptyDirSource?

    package init(name: String, claimName: String) {
        self.name = name
        persistentVolumeClaim = ClaimSource(claimName: claimName)
    }

    package struct ClaimSource: Codable, Sendable, Hashable {
        package var claimName: String
        package var readOnly: Bool?

        package init(claimName: String) {
            self.claimName = claimName
        }
    }

    package struct EmptyDirSource: Codable, Sendable, Hashable {
        package var medium: String?
        package var sizeLimit: String?
    }
}

package struct ResourceRequirements: Codable, Sendable, Hashable {
    package var requests: [String: String]?
    package var limits: [String: String]?

    package init(requests: [String: String]? = nil, limits: [String: String]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// Readiness and liveness checks with Kubernetes' timing fields.
package struct Probe: Codable, Sendable, Hashable {
    package var exec: ExecAction?
    package var tcpSocket: TCPSocketAction?
    package var httpGet: HTTPGetAction?
    package var initialDelaySeconds: Int?
    package var periodSeconds: Int?
    package var timeoutSeconds: Int?
    package var successThreshold: Int?
    package var failureThreshold: Int?

    package init(exec: ExecAction? = nil, tcpSocket: TCPSocketAction? = nil, httpGet: HTTPGetAction? = nil) {
        self.exec = exec
        self.tcpSocket = tcpSocket
        self.httpGet = httpGet
    }

    package struct ExecAction: Codable, Sendable, Hashable {
        package var command: [String]?
        package init(command: [String]?) { self.command = command }
    }

    package struct TCPSocketAction: Codable, Sendable, Hashable {
        package var port: IntOrString
        package var host: String?
        package init(port: IntOrString) { self.port = port }
    }

    package struct HTTPGetAction: Codable, Sendable, Hashable {
        package var path: String?
        package var port: IntOrString
        package var host: String?
        package var scheme: String?
        package init(path: String?, port: IntOrString) {
            self.path = path
            self.port = port
        }
    }
}
