/// The pure composition of Ordinal's protocol cores: the one state machine an agent runs.
///
/// ``AgentNode`` takes every input an agent sees (peer messages, ticks, operator actions) as an
/// ``AgentEvent`` and returns ``AgentEffect``s for the shell to carry out. The real agent
/// (module `Agent`) and the simulation interpret the same effects, so a simulated cluster
/// exercises the real wiring. Today it routes gossip; Raft, the controller gate and leases
/// plug into the same event/effect path.
package enum AgentCore {}
