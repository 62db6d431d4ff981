import Basics
package import ClusterState

/// Which pods this agent's runtime must start and which it must stop: the agent's half of
/// the at-most-one guarantee (design §5), as a pure function so the simulation checks the
/// very rule the agent runs.
///
/// A process is started only for a pod assigned here with its fencing epoch, while the
/// lease is valid and after the agent has applied everything the leader had committed when
/// it granted the lease; so an agent that was frozen or cut off first learns that its pod
/// moved. A process is stopped as soon as the replica no longer assigns that pod, with that
/// uid and epoch, here.
package enum PodDuty {
    /// One pod whose processes run here, as the runtime started it.
    package struct Held: Sendable, Hashable {
        package var uid: String
        package var epoch: UInt64

        package init(uid: String, epoch: UInt64) {
            self.uid = uid
            self.epoch = epoch
        }
    }

    package struct Plan: Sendable, Hashable {
        package var start: [Pod] = []
        package var stop: [ObjectKey] = []
    }

    /// - Parameters:
    ///   - held: the pods whose processes this agent runs, by key.
    ///   - lease: this agent's lease; `applied` its applied Raft index.
    package static func plan(
        state: ClusterState, node: String, held: [ObjectKey: Held], lease: LeaseHolder, applied: UInt64, now: Instant
    ) -> Plan {
        var plan = Plan()
        for (key, holding) in held.sorted(by: { $0.key < $1.key }) {
            guard let pod = state.pods[key], Held(uid: pod.metadata.uid ?? "", epoch: pod.fencingEpoch) == holding,
                  pod.nodeName == node, !pod.isTerminating
            else {
                plan.stop.append(key)
                continue
            }
        }
        guard lease.isValid(at: now), applied >= lease.readIndex else { return plan }
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) where held[key] == nil {
            guard pod.nodeName == node, !pod.isTerminating, pod.metadata.uid != nil, pod.fencingEpoch > 0,
                  pod.phase != Pod.Phase.succeeded, pod.phase != Pod.Phase.failed
            else { continue }
            plan.start.append(pod)
        }
        return plan
    }
}
