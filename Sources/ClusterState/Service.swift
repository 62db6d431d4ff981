/// v1 Service. Ordinal serves headless services (`clusterIP: None`) in DNS: a name per
/// ready pod, SRV records per named port.
package struct Service: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: [String: [String: String]]?

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var clusterIP: String?
        package var clusterIPs: [String]?
        package var type: String?
        package var selector: [String: String]?
        package var ports: [Port]?
        package var publishNotReadyAddresses: Bool?

        package init(clusterIP: String? = nil, selector: [String: String]? = nil, ports: [Port]? = nil) {
            self.clusterIP = clusterIP
            self.selector = selector
            self.ports = ports
        }
    }

    package struct Port: Codable, Sendable, Hashable {
        package var name: String?
        package var port: Int
        package var targetPort: IntOrString?
        package var `protocol`: String?

        package init(name: String? = nil, port: Int, targetPort: IntOrString? = nil, protocol: String? = nil) {
            self.name = name
            self.port = port
            self.targetPort = targetPort
            self.protocol = `protocol`
        }
    }

    package var isHeadless: Bool { spec.clusterIP == "None" }

    /// Kubernetes' defaults that matter to equality on re-apply.
    package var withDefaults: Service {
        var service = self
        service.apiVersion = "v1"
        service.kind = "Service"
        service.spec.type = spec.type ?? "ClusterIP"
        service.spec.ports = spec.ports?.map { port in
            var port = port
            port.protocol = port.protocol ?? "TCP"
            port.targetPort = port.targetPort ?? .int(port.port)
            return port
        }
        if let ip = spec.clusterIP, spec.clusterIPs == nil { service.spec.clusterIPs = [ip] }
        return service
    }
}
