import Foundation
import SwiftProtobuf

/// The calls, typed as the agent uses them; each is one CRI method of the same name.
extension CRIClient {
    package func version() async throws(CRIError) -> Runtime_V1_VersionResponse {
        try await call(.runtime, "Version", Runtime_V1_VersionRequest.with { $0.version = "v1" }, timeout: .seconds(10))
    }

    /// The runtime's conditions (RuntimeReady, NetworkReady).
    package func status(timeout: Duration = .seconds(10)) async throws(CRIError) -> [Runtime_V1_RuntimeCondition] {
        let response: Runtime_V1_StatusResponse = try await call(.runtime, "Status", Runtime_V1_StatusRequest(), timeout: timeout)
        return response.status.conditions
    }

    /// Starts a sandbox (its namespaces, the pause container, the CNI network); its id.
    package func runPodSandbox(_ config: Runtime_V1_PodSandboxConfig) async throws(CRIError) -> String {
        let response: Runtime_V1_RunPodSandboxResponse = try await call(.runtime, "RunPodSandbox", Runtime_V1_RunPodSandboxRequest.with { $0.config = config })
        return response.podSandboxID
    }

    package func podSandboxStatus(_ id: String) async throws(CRIError) -> Runtime_V1_PodSandboxStatus {
        let response: Runtime_V1_PodSandboxStatusResponse = try await call(.runtime, "PodSandboxStatus", Runtime_V1_PodSandboxStatusRequest.with { $0.podSandboxID = id })
        guard response.hasStatus else { throw .incomplete(method: "PodSandboxStatus", missing: "status") }
        return response.status
    }

    /// Sandboxes whose labels include all of `labels`.
    package func listPodSandbox(labels: [String: String]) async throws(CRIError) -> [Runtime_V1_PodSandbox] {
        let response: Runtime_V1_ListPodSandboxResponse = try await call(.runtime, "ListPodSandbox", Runtime_V1_ListPodSandboxRequest.with { $0.filter.labelSelector = labels })
        return response.items
    }

    /// Kills the sandbox's containers and releases its network; idempotent.
    package func stopPodSandbox(_ id: String) async throws(CRIError) {
        let _: Runtime_V1_StopPodSandboxResponse = try await call(.runtime, "StopPodSandbox", Runtime_V1_StopPodSandboxRequest.with { $0.podSandboxID = id })
    }

    package func removePodSandbox(_ id: String) async throws(CRIError) {
        let _: Runtime_V1_RemovePodSandboxResponse = try await call(.runtime, "RemovePodSandbox", Runtime_V1_RemovePodSandboxRequest.with { $0.podSandboxID = id })
    }

    /// Creates a container in a sandbox (its image already present); its id.
    package func createContainer(in sandbox: String, _ config: Runtime_V1_ContainerConfig, sandboxConfig: Runtime_V1_PodSandboxConfig) async throws(CRIError) -> String {
        let response: Runtime_V1_CreateContainerResponse = try await call(.runtime, "CreateContainer", Runtime_V1_CreateContainerRequest.with {
            $0.podSandboxID = sandbox
            $0.config = config
            $0.sandboxConfig = sandboxConfig
        })
        return response.containerID
    }

    package func startContainer(_ id: String) async throws(CRIError) {
        let _: Runtime_V1_StartContainerResponse = try await call(.runtime, "StartContainer", Runtime_V1_StartContainerRequest.with { $0.containerID = id })
    }

    /// The image's stop signal, then SIGKILL after `grace` seconds (0: at once); idempotent.
    package func stopContainer(_ id: String, grace: Int64) async throws(CRIError) {
        let _: Runtime_V1_StopContainerResponse = try await call(
            .runtime, "StopContainer", Runtime_V1_StopContainerRequest.with { $0.containerID = id; $0.timeout = grace },
            timeout: .seconds(max(0, min(grace, 3_600))) + .seconds(30)
        )
    }

    package func removeContainer(_ id: String) async throws(CRIError) {
        let _: Runtime_V1_RemoveContainerResponse = try await call(.runtime, "RemoveContainer", Runtime_V1_RemoveContainerRequest.with { $0.containerID = id })
    }

    package func containerStatus(_ id: String) async throws(CRIError) -> Runtime_V1_ContainerStatus {
        let response: Runtime_V1_ContainerStatusResponse = try await call(.runtime, "ContainerStatus", Runtime_V1_ContainerStatusRequest.with { $0.containerID = id })
        guard response.hasStatus else { throw .incomplete(method: "ContainerStatus", missing: "status") }
        return response.status
    }

    /// Containers of `sandbox` (all sandboxes when nil) whose labels include all of `labels`.
    package func listContainers(sandbox: String? = nil, labels: [String: String] = [:]) async throws(CRIError) -> [Runtime_V1_Container] {
        let response: Runtime_V1_ListContainersResponse = try await call(.runtime, "ListContainers", Runtime_V1_ListContainersRequest.with {
            if let sandbox { $0.filter.podSandboxID = sandbox }
            $0.filter.labelSelector = labels
        })
        return response.containers
    }

    /// Runs `command` in a running container to its end (probes run this way).
    package func execSync(_ id: String, _ command: [String], timeout seconds: Int64) async throws(CRIError) -> Runtime_V1_ExecSyncResponse {
        try await call(
            .runtime, "ExecSync", Runtime_V1_ExecSyncRequest.with { $0.containerID = id; $0.cmd = command; $0.timeout = seconds },
            timeout: .seconds(max(1, min(seconds, 3_600))) + .seconds(10)
        )
    }

    /// The image when present (nil: not pulled yet).
    package func imageStatus(_ image: String) async throws(CRIError) -> Runtime_V1_Image? {
        let response: Runtime_V1_ImageStatusResponse = try await call(.image, "ImageStatus", Runtime_V1_ImageStatusRequest.with { $0.image.image = image }, timeout: .seconds(30))
        return response.hasImage ? response.image : nil
    }

    /// Pulls `image`; its reference (the image id), which CreateContainer takes.
    package func pullImage(_ image: String, sandboxConfig: Runtime_V1_PodSandboxConfig) async throws(CRIError) -> String {
        let response: Runtime_V1_PullImageResponse = try await call(.image, "PullImage", Runtime_V1_PullImageRequest.with {
            $0.image.image = image
            $0.sandboxConfig = sandboxConfig
        }, timeout: .seconds(600))
        return response.imageRef
    }

    /// Every image the runtime holds.
    package func listImages() async throws(CRIError) -> [Runtime_V1_Image] {
        let response: Runtime_V1_ListImagesResponse = try await call(.image, "ListImages", Runtime_V1_ListImagesRequest(), timeout: .seconds(30))
        return response.images
    }

    package func removeImage(_ id: String) async throws(CRIError) {
        let _: Runtime_V1_RemoveImageResponse = try await call(.image, "RemoveImage", Runtime_V1_RemoveImageRequest.with { $0.image.image = id }, timeout: .seconds(60))
    }

    /// Where the runtime keeps image layers (their mount points), for the collector's statvfs.
    package func imageFilesystems() async throws(CRIError) -> [String] {
        let response: Runtime_V1_ImageFsInfoResponse = try await call(.image, "ImageFsInfo", Runtime_V1_ImageFsInfoRequest(), timeout: .seconds(30))
        return response.imageFilesystems.map(\.fsID.mountpoint).filter { !$0.isEmpty }
    }

    /// The sandbox (pause) image the runtime is configured with, from its verbose status
    /// (containerd's CRI puts its config there as JSON); nil when it does not say.
    package func sandboxImage() async throws(CRIError) -> String? {
        let response: Runtime_V1_StatusResponse = try await call(.runtime, "Status", Runtime_V1_StatusRequest.with { $0.verbose = true }, timeout: .seconds(10))
        guard let config = response.info["config"],
              let object = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any] else { return nil }
        return object["sandboxImage"] as? String
    }
}
