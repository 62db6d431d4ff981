/// Rules for a pod's spec, shared by Pods and StatefulSet templates (Kubernetes'
/// `ValidatePodSpec`, the common subset Ordinal runs).
enum PodSpecRules {
    static let portProtocols = ["SCTP", "TCP", "UDP"]
    static let podRestartPolicies = ["Always", "OnFailure", "Never"]

    /// Volumes, containers, the node selector and the DNS names of `spec` at `path`.
    /// - Parameter claimTemplates: a StatefulSet's claim template names; the controller adds
    ///   one volume per template to every pod, so containers may mount them by that name.
    static func errors(_ spec: PodSpec, at path: FieldPath, claimTemplates: [String] = []) -> [FieldError] {
        var errors = volumeErrors(spec.volumes ?? [], at: path.child("volumes"))
        let mountable = Set((spec.volumes ?? []).map(\.name) + claimTemplates)
        errors += containerErrors(spec.containers, at: path.child("containers"), volumes: mountable)
        errors += MetadataRules.labelErrors(spec.nodeSelector, at: path.child("nodeSelector"))
        if let grace = spec.terminationGracePeriodSeconds, grace < 0 {
            errors.append(.invalid(path.child("terminationGracePeriodSeconds"), .int(Int(grace)), StatefulSetRules.nonNegativeMessage))
        }
        for (field, value) in [("hostname", spec.hostname), ("subdomain", spec.subdomain)] {
            guard let value, !value.isEmpty else { continue }
            errors += NameSyntax.dns1123Label(value).map { .invalid(path.child(field), .string(value), $0) }
        }
        return errors
    }

    /// A bare pod may restart `Always`, `OnFailure` or `Never` (unset means `Always`).
    static func podRestartPolicyErrors(_ spec: PodSpec, at path: FieldPath) -> [FieldError] {
        guard let policy = spec.restartPolicy, !podRestartPolicies.contains(policy) else { return [] }
        return [.notSupported(path.child("restartPolicy"), policy, supported: podRestartPolicies)]
    }

    /// Each volume named by a unique DNS label with exactly one source; a claim source names
    /// its claim.
    static func volumeErrors(_ volumes: [Volume], at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (position, volume) in volumes.enumerated() {
            let at = path.index(position)
            errors += dnsLabelNameErrors(volume.name, at: at.child("name"), seen: &names)
            var sources = 0
            if volume.emptyDir != nil { sources += 1 }
            if let claim = volume.persistentVolumeClaim {
                if sources > 0 {
                    errors.append(.forbidden(at.child("persistentVolumeClaim"), "may not specify more than 1 volume type"))
                } else {
                    sources += 1
                    if claim.claimName.isEmpty { errors.append(.required(at.child("persistentVolumeClaim", "claimName"))) }
                }
            }
            if sources == 0 { errors.append(.required(at, "must specify a volume type")) }
        }
        return errors
    }

    /// A probe's timings are int32 seconds and counts, at least 0 (Kubernetes defaults
    /// the zeros); a numeric port is 1–65535.
    static func probeErrors(_ probe: Probe, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let timings = [
            ("initialDelaySeconds", probe.initialDelaySeconds), ("periodSeconds", probe.periodSeconds), ("timeoutSeconds", probe.timeoutSeconds),
            ("successThreshold", probe.successThreshold), ("failureThreshold", probe.failureThreshold),
        ]
        for (field, value) in timings { errors += StatefulSetRules.nonNegative(value, at: path.child(field)) }
        let ports = [("httpGet", probe.httpGet?.port), ("tcpSocket", probe.tcpSocket?.port)]
        for (action, port) in ports {
            guard case .int(let number)? = port else { continue }
            errors += NameSyntax.portNumber(number).map { .invalid(path.child(action, "port"), .int(number), $0) }
        }
        return errors
    }

    /// At least one container; each with a unique DNS-label name, something to run, valid
    /// ports and mounts of known volumes.
    ///
    /// Kubernetes requires `image`. Ordinal runs containers as local processes, so a
    /// container that gives a `command` needs no image; one with neither has nothing to run
    /// and gets Kubernetes' `image: Required value`.
    static func containerErrors(_ containers: [Container], at path: FieldPath, volumes: Set<String>) -> [FieldError] {
        guard !containers.isEmpty else { return [.required(path)] }
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (position, container) in containers.enumerated() {
            let at = path.index(position)
            errors += dnsLabelNameErrors(container.name, at: at.child("name"), seen: &names)
            if (container.image ?? "").isEmpty && (container.command ?? []).isEmpty {
                errors.append(.required(at.child("image")))
            }
            errors += portErrors(container.ports ?? [], at: at.child("ports"))
            for (field, probe) in [("livenessProbe", container.livenessProbe), ("readinessProbe", container.readinessProbe)] {
                if let probe { errors += probeErrors(probe, at: at.child(field)) }
            }
            errors += mountErrors(container.volumeMounts ?? [], at: at.child("volumeMounts"), volumes: volumes)
        }
        return errors
    }

    /// Port names unique IANA service names within the container, numbers 1–65535, and a
    /// protocol Kubernetes knows (unset means TCP).
    static func portErrors(_ ports: [ContainerPort], at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (position, port) in ports.enumerated() {
            let at = path.index(position)
            if let name = port.name, !name.isEmpty {
                let messages = NameSyntax.portName(name)
                if !messages.isEmpty {
                    errors += messages.map { .invalid(at.child("name"), .string(name), $0) }
                } else if !names.insert(name).inserted {
                    errors.append(.duplicate(at.child("name"), .string(name)))
                }
            }
            if port.containerPort == 0 {
                errors.append(.required(at.child("containerPort")))
            } else {
                errors += NameSyntax.portNumber(port.containerPort).map { .invalid(at.child("containerPort"), .int(port.containerPort), $0) }
            }
            if let proto = port.protocol, !portProtocols.contains(proto) {
                errors.append(.notSupported(at.child("protocol"), proto, supported: portProtocols))
            }
        }
        return errors
    }

    /// Each mount names a volume of the pod (or a claim template) and a path no other
    /// mount of the container uses.
    static func mountErrors(_ mounts: [VolumeMount], at path: FieldPath, volumes: Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        var paths: Set<String> = []
        for (position, mount) in mounts.enumerated() {
            let at = path.index(position)
            if mount.name.isEmpty {
                errors.append(.required(at.child("name")))
            } else if !volumes.contains(mount.name) {
                errors.append(.notFound(at.child("name"), .string(mount.name)))
            }
            if mount.mountPath.isEmpty {
                errors.append(.required(at.child("mountPath")))
            } else if !paths.insert(mount.mountPath).inserted {
                errors.append(.invalid(at.child("mountPath"), .string(mount.mountPath), "must be unique"))
            }
        }
        return errors
    }

    /// A required, DNS-label, unique name (containers, volumes, claim templates).
    static func dnsLabelNameErrors(_ name: String, at path: FieldPath, seen: inout Set<String>) -> [FieldError] {
        if name.isEmpty { return [.required(path)] }
        var errors = NameSyntax.dns1123Label(name).map { FieldError.invalid(path, .string(name), $0) }
        if !seen.insert(name).inserted { errors.append(.duplicate(path, .string(name))) }
        return errors
    }
}
