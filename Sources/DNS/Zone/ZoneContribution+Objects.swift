import ClusterState

/// The records each kind of object contributes (Kubernetes DNS specification 1.1.0, §4 of
/// the reference notes).
extension ZoneContribution {
    /// The fixed names below the apex. `svc.<zone>` and `node.<zone>` exist even when empty,
    /// as CoreDNS answers NODATA for `svc.<zone>`; `ns.dns.<zone>` is the name server's name.
    static func apex(_ names: ZoneNames) -> ZoneContribution {
        var contribution = ZoneContribution()
        contribution.bareNames = [names.services, names.nodes, names.nameServer, names.version]
        return contribution
    }

    /// `<agent>.node.<zone>` A → the node's InternalIP, and its reverse name back. A node
    /// without an IPv4 InternalIP still has its name (NODATA).
    static func node(_ node: Node, names: ZoneNames) -> ZoneContribution {
        var contribution = ZoneContribution()
        guard let owner = names.node(node.metadata.name) else { return contribution }
        if let address = node.internalIP.flatMap(DNSIPv4Address.init(parsing:)) {
            contribution.add(address, at: owner)
            contribution.addPointer(from: address, to: owner)
        } else {
            contribution.declare(owner)
        }
        return contribution
    }

    /// A service's own names. Every service makes `<namespace>.svc.<zone>` exist.
    ///
    /// A headless service (`clusterIP: None`) adds nothing else: its name exists only
    /// through its ready endpoints (``endpoint(_:of:serviceKey:names:)``), so with
    /// none it is NXDOMAIN, as the specification says. Any other service is a ClusterIP
    /// service: its name exists, with an A record when the cluster IP is IPv4 (else NODATA,
    /// since Ordinal allocates no cluster IPs and serves no AAAA), a reverse name for that
    /// address, and per named port an SRV record giving the service port and the service's
    /// own name (specification: ClusterIP SRV). It has no per-pod names. An ExternalName
    /// service would need a CNAME to a field the model lacks, so it only exists (NODATA).
    static func service(_ service: Service, key: ObjectKey, names: ZoneNames) -> ZoneContribution {
        var contribution = ZoneContribution()
        guard let namespace = names.namespace(key.namespace) else { return contribution }
        contribution.declare(namespace)
        guard !service.isHeadless, let owner = names.service(key.name, namespace: key.namespace) else {
            return contribution
        }
        contribution.declare(owner)
        guard service.spec.type != "ExternalName" else { return contribution }
        if let address = service.spec.clusterIP.flatMap(DNSIPv4Address.init(parsing:)) {
            contribution.add(address, at: owner)
            contribution.addPointer(from: address, to: owner)
        }
        for port in service.spec.ports ?? [] {
            guard let (portName, proto) = EndpointRules.srvName(of: port),
                  let number = EndpointRules.portNumber(port.port),
                  let srvOwner = names.port(portName, protocol: proto, service: key.name, namespace: key.namespace)
            else { continue }
            contribution.add(DNSZoneIndex.ServiceTarget(port: number, target: owner), at: srvOwner)
        }
        return contribution
    }

    /// One pod behind one headless service, or nothing when the service is not headless,
    /// does not select the pod or does not serve it (``EndpointRules``).
    ///
    /// The pod's address goes under the service's name; the pod's own name is its hostname
    /// when Kubernetes would set one (a StatefulSet pod: `web-0`), else its dashed address
    /// as in CoreDNS, so that SRV targets always resolve; that name gets the address, one
    /// SRV record per named port, and the reverse name of the address points back at it.
    static func endpoint(
        _ pod: Pod, of service: Service, serviceKey: ObjectKey, names: ZoneNames
    ) -> ZoneContribution {
        var contribution = ZoneContribution()
        guard service.isHeadless, EndpointRules.selects(service, pod), EndpointRules.isServed(pod, by: service),
              let address = EndpointRules.address(of: pod),
              let serviceName = names.service(serviceKey.name, namespace: serviceKey.namespace)
        else { return contribution }
        contribution.add(address, at: serviceName)
        let hostname = EndpointRules.hostname(of: pod, in: service)
        guard let podOwner = hostname.flatMap({ names.endpoint($0, service: serviceKey.name, namespace: serviceKey.namespace) })
            ?? names.endpoint(ZoneNames.dashed(address), service: serviceKey.name, namespace: serviceKey.namespace)
        else { return contribution }
        contribution.add(address, at: podOwner)
        contribution.addPointer(from: address, to: podOwner)
        for port in service.spec.ports ?? [] {
            guard let (portName, proto) = EndpointRules.srvName(of: port),
                  let number = EndpointRules.targetPort(port, on: pod),
                  let srvOwner = names.port(portName, protocol: proto, service: serviceKey.name, namespace: serviceKey.namespace)
            else { continue }
            contribution.add(DNSZoneIndex.ServiceTarget(port: number, target: podOwner), at: srvOwner)
        }
        return contribution
    }
}
