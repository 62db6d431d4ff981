/// Rules for v1 Services (Kubernetes' `ValidateService`, the part a headless or
/// cluster-IP service uses).
enum ServiceRules {
    /// The name is a DNS label because it is one label of `<service>.<namespace>.svc`
    /// (Kubernetes 1.34's relaxed service names; older releases wanted RFC 1035).
    static func errors(_ service: Service) -> [FieldError] {
        let spec = FieldPath("spec")
        var errors = MetadataRules.errors(service.metadata, namespaced: true, format: .dns1123Label)
        let ports = service.spec.ports ?? []
        if ports.isEmpty && !service.isHeadless && service.spec.type != "ExternalName" {
            errors.append(.required(spec.child("ports")))
        }
        var names: Set<String> = []
        for (position, port) in ports.enumerated() {
            errors += portErrors(port, at: spec.child("ports").index(position), nameRequired: ports.count > 1, names: &names)
        }
        if let ip = service.spec.clusterIP, !ip.isEmpty, ip != "None" {
            errors += NameSyntax.ipv4Address(ip).map { .invalid(spec.child("clusterIP"), .string(ip), $0) }
        }
        errors += MetadataRules.labelErrors(service.spec.selector, at: spec.child("selector"))
        return errors
    }

    /// With more than one port each needs a name, since SRV records and endpoints tell
    /// the ports apart by it; names are unique DNS labels, numbers 1–65535, and a target
    /// port is a number or a container port's name.
    static func portErrors(_ port: Service.Port, at path: FieldPath, nameRequired: Bool, names: inout Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        let name = port.name ?? ""
        if name.isEmpty {
            if nameRequired { errors.append(.required(path.child("name"))) }
        } else {
            errors += NameSyntax.dns1123Label(name).map { .invalid(path.child("name"), .string(name), $0) }
            if !names.insert(name).inserted { errors.append(.duplicate(path.child("name"), .string(name))) }
        }
        errors += NameSyntax.portNumber(port.port).map { .invalid(path.child("port"), .int(port.port), $0) }
        if let proto = port.protocol, !PodSpecRules.portProtocols.contains(proto) {
            errors.append(.notSupported(path.child("protocol"), proto, supported: PodSpecRules.portProtocols))
        }
        switch port.targetPort {
        case .int(let number):
            errors += NameSyntax.portNumber(number).map { .invalid(path.child("targetPort"), .int(number), $0) }
        case .string(let text):
            errors += NameSyntax.portName(text).map { .invalid(path.child("targetPort"), .string(text), $0) }
        case nil:
            break
        }
        return errors
    }
}
