import Basics
import CRI
import Dispatch
import Glibc
import Logging
import Runtime

extension NodeDriver {
    /// How often images are collected, the kubelet's `ImageGCPeriod`; the first pass comes
    /// ``imageCollectionDelay`` after the start, once the pods here are adopted or started.
    static let imageCollectionInterval: Duration = .seconds(300)
    static let imageCollectionDelay: Duration = .seconds(5)

    /// Removes unused images from the runtime when its image filesystem fills, as the
    /// kubelet's image GC does (``ImageCollector``). An image counts as used while any
    /// container of the runtime (this agent's or another's on the same machine) refers to
    /// it, in any state. Dead containers need no collector: a pod keeps at most its last
    /// exited container per container (for `--previous`), and a sandbox no pod holds is
    /// removed with its containers by the pod pass's sweep.
    func runImageCollection(_ runtime: CRIClient) async {
        var collector = ImageCollector(policy: settings.imageCollection)
        try? await Task.sleep(for: Self.imageCollectionDelay)
        while !Task.isCancelled {
            do {
                try await collectImages(runtime, with: &collector)
            } catch {
                logger.warning("image collection failed (kubelet: ImageGCFailed)", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: Self.imageCollectionInterval)
        }
    }

    private func collectImages(_ runtime: CRIClient, with collector: inout ImageCollector) async throws {
        guard let mountpoint = try await runtime.imageFilesystems().first else { return }
        guard let usage = Self.usage(of: mountpoint) else {
            logger.warning("cannot measure the image filesystem", metadata: ["mountpoint": "\(mountpoint)"])
            return
        }
        let sandboxImage = try await runtime.sandboxImage()
        let images = try await runtime.listImages()
        let containers = try await runtime.listContainers()
        let inUse = Set(containers.flatMap { [$0.imageRef, $0.image.image] })
        let plan = collector.plan(
            images: images.map { image in
                ImageCollector.Image(id: image.id, size: image.size, pinned: image.pinned || sandboxImage.map(image.repoTags.contains) == true)
            },
            inUse: inUse, usage: usage, now: now
        )
        guard plan.bytesToFree > 0 else { return }
        let byID = Dictionary(images.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var freed: UInt64 = 0
        for id in plan.victims {
            do {
                try await runtime.removeImage(id)
                freed = freed.addingSaturated(byID[id]?.size ?? 0)
                logger.info("removed an unused image", metadata: ["image": "\(id)", "tags": "\(byID[id]?.repoTags ?? [])"])
            } catch {
                logger.warning("cannot remove an unused image", metadata: ["image": "\(id)", "error": "\(error)"])
            }
        }
        if freed < plan.bytesToFree {
            logger.warning("image collection freed less than asked (kubelet: FreeDiskSpaceFailed)", metadata: [
                "bytes.to-free": "\(plan.bytesToFree)", "bytes.freed": "\(freed)", "mountpoint": "\(mountpoint)",
            ])
        }
    }

    /// The filesystem's size and what an unprivileged writer has left of it.
    private static func usage(of path: String) -> ImageCollector.Usage? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let block = UInt64(stats.f_frsize)
        return ImageCollector.Usage(
            capacity: UInt64(stats.f_blocks).multipliedSaturated(by: block),
            available: UInt64(stats.f_bavail).multipliedSaturated(by: block)
        )
    }
}
