/// SWIM failure detection and gossip dissemination with the Lifeguard extensions, as a pure
/// state machine.
///
/// - SWIM (Das, Gupta, Motivala, DSN 2002): each protocol period a member probes one other,
///   chosen round-robin over a shuffled list; on a missed ack it asks `k` others to probe
///   indirectly; a member that stays silent becomes *suspect*, and after a suspicion timeout
///   *dead*. Incarnation numbers order the claims and let a suspected member refute. State
///   changes ride piggybacked on every message, each sent λ·log n times.
/// - Lifeguard (Dadgar, Phillips, Currey, arXiv:1707.00788): a local health multiplier
///   stretches the probe period and timeouts of a member that is itself slow (missed nacks,
///   refutations); suspicion starts long and shrinks logarithmically with independent
///   confirmations; a suspect is told directly so it can refute at once (buddy system).
/// - memberlist's periodic push-pull full-state exchange repairs what gossip missed.
///
/// Deviations: transport is TCP with persistent connections, so there is no TCP-ping
/// fallback; the instance has no clock and no randomness of its own (time arrives in events,
/// randomness from a seeded ``Basics/SplitMix64`` it holds), so a simulation replays exactly.
package enum Membership {}
