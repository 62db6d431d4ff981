import Basics
import ClusterState

/// One entry of an `APIResourceList`: what kubectl's RESTMapper maps names, short names and
/// kinds from.
struct APIResource: Encodable {
    var name: String
    var singularName: String
    var namespaced: Bool
    var group: String?
    var version: String?
    var kind: String
    var verbs: [String]
    var shortNames: [String]?
    var categories: [String]?
}

/// The legacy (unaggregated) discovery documents. kubectl 1.32+ asks for
/// `apidiscovery.k8s.io/v2` first but accepts these, answered as `application/json`, and then
/// fetches each group version (reference §3).
enum Discovery {
    struct APIVersions: Encodable {
        var kind = "APIVersions"
        var versions = ["v1"]
    }

    struct GroupVersion: Encodable {
        var groupVersion: String
        var version: String
    }

    struct APIGroup: Encodable {
        var kind: String?
        var apiVersion: String?
        var name: String
        var versions: [GroupVersion]
        var preferredVersion: GroupVersion
    }

    struct APIGroupList: Encodable {
        var kind = "APIGroupList"
        var apiVersion = "v1"
        var groups: [APIGroup]
    }

    struct APIResourceList: Encodable {
        var kind = "APIResourceList"
        var apiVersion = "v1"
        var groupVersion: String
        var resources: [APIResource]
    }

    /// The named groups served (`apps`), each with its one version.
    static var groups: [APIGroup] {
        var names: [String] = []
        for resource in KubeResource.all where !resource.kind.group.isEmpty && !names.contains(resource.kind.group) {
            names.append(resource.kind.group)
        }
        return names.map { name in
            let version = GroupVersion(groupVersion: name + "/v1", version: "v1")
            return APIGroup(name: name, versions: [version], preferredVersion: version)
        }
    }

    /// The resources of `groupVersion` (`v1`, `apps/v1`), subresources included.
    static func resources(_ groupVersion: String) -> APIResourceList {
        APIResourceList(groupVersion: groupVersion,
                        resources: KubeResource.all.filter { $0.groupVersion == groupVersion }.flatMap(\.discoveryEntries))
    }

    /// `GET /version`. Kubernetes' shape, so `kubectl version` prints it; `gitVersion` is the
    /// Kubernetes API level served with Ordinal's version as semver build metadata
    /// (`v1.32.0+ordinal.0.1.0`), as k3s writes `v1.32.0+k3s1`: a valid release version for
    /// kubectl's version parsing and skew check, and it says whose server it is.
    struct Version: Encodable {
        var major = "1"
        var minor = "32"
        var gitVersion = "v1.32.0+ordinal." + OrdinalVersion.current
        var gitCommit = ""
        var gitTreeState = ""
        var buildDate = ""
        var goVersion = ""
        var compiler = "swift"
        var platform: String = {
            #if arch(arm64)
            "linux/arm64"
            #else
            "linux/amd64"
            #endif
        }()
    }
}
