/// The agent's HTTP API, served by Hummingbird on every agent (default port 7480).
///
/// Reads answer from the local agent's own view; the paths follow Kubernetes where a
/// Kubernetes resource exists and live under `/ordinal/v1` where it does not. The router is
/// built without a transport so tests drive it with `app.test(.router)`.
package enum API {}
