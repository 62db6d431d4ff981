import ClusterState

/// Kubernetes' rules for which pods back a service and what DNS calls them, as the
/// EndpointSlice controller applies them and CoreDNS reads the result. Ordinal has no
/// EndpointSlices: the zone index applies these rules to pods and services directly.
///
/// Callers pair a service only with pods of its own namespace, which is the "same
/// namespace" half of both selection and `ShouldSetHostname`.
enum EndpointRules {
    /// A service covers the pods whose labels its selector matches. A service without a
    /// selector (nil or empty) has no endpoints: Kubernetes leaves its endpoints to the user,
    /// and Ordinal has no way to write them.
    static func selects(_ service: Service, _ pod: Pod) -> Bool {
        guard let selector = service.spec.selector, !selector.isEmpty else { return false }
        let labels = pod.metadata.labels ?? [:]
        return selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// Whether DNS lists the pod for the service: it has an IPv4 address and has not
    /// finished (Succeeded or Failed), and it is ready or the service publishes not-ready
    /// addresses. Ready means Running with condition Ready True and not terminating, so a
    /// pod being deleted drops out at once (endpoint `ready = publishNotReadyAddresses ||
    /// (podReady && !terminating)`; CoreDNS serves only ready endpoints).
    static func isServed(_ pod: Pod, by service: Service) -> Bool {
        guard address(of: pod) != nil, pod.phase != Pod.Phase.succeeded, pod.phase != Pod.Phase.failed else {
            return false
        }
        return service.spec.publishNotReadyAddresses == true || (pod.isRunningAndReady && !pod.isTerminating)
    }

    /// The pod's IPv4 address. Only IPv4 is served: pod CIDRs are IPv4, and a pod without a
    /// parsable address is not an endpoint, as in Kubernetes.
    static func address(of pod: Pod) -> DNSIPv4Address? {
        pod.status?.podIP.flatMap(DNSIPv4Address.init(parsing:))
    }

    /// The endpoint's hostname (`ShouldSetHostname`): `spec.hostname` when it is set and
    /// `spec.subdomain` names this service. A StatefulSet pod gets both from its set
    /// (hostname = pod name, subdomain = `serviceName`), which is how `web-0` becomes
    /// `web-0.nginx.default.svc.<zone>`.
    static func hostname(of pod: Pod, in service: Service) -> String? {
        guard let hostname = pod.spec.hostname, !hostname.isEmpty,
              pod.spec.subdomain == service.metadata.name else { return nil }
        return hostname
    }

    /// The port an SRV record of a headless service gives for this pod: the target port,
    /// looked up by name among the pod's container ports when it is a name (Kubernetes'
    /// `FindPort`), the service port when unset. CoreDNS serves the endpoint's port, and
    /// with no proxy in between it is the one a client can reach.
    /// - Returns: `nil` when a named target port is not on the pod or the number is not a
    ///   port; that port then has no record for this pod.
    static func targetPort(_ port: Service.Port, on pod: Pod) -> UInt16? {
        switch port.targetPort {
        case nil:
            return portNumber(port.port)
        case let .int(number):
            return portNumber(number)
        case let .string(name):
            let proto = port.protocol ?? "TCP"
            let match = pod.spec.containers.lazy.flatMap { $0.ports ?? [] }
                .first { $0.name == name && ($0.protocol ?? "TCP") == proto }
            return match.flatMap { portNumber($0.containerPort) }
        }
    }

    /// Ports with a name get SRV records; unnamed ones do not (specification 1.1.0).
    static func srvName(of port: Service.Port) -> (name: String, protocol: String)? {
        guard let name = port.name, !name.isEmpty else { return nil }
        return (name, (port.protocol ?? "TCP").lowercased())
    }

    static func portNumber(_ number: Int) -> UInt16? {
        guard (1...Int(UInt16.max)).contains(number) else { return nil }
        return UInt16(number)
    }
}
