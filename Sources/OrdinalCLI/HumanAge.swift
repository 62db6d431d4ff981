/// kubectl's `AGE`: `45s`, `3m12s`, `17m`, `5h3m`, `2d4h`, `40d`, `3y120d`.
enum HumanAge {
    static func text(seconds: Int64) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<120: return "\(s)s"
        case ..<600: return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(s % 60)s"
        case ..<10_800: return "\(s / 60)m"
        case ..<28_800: return (s / 60) % 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h\((s / 60) % 60)m"
        case ..<172_800: return "\(s / 3600)h"
        case ..<691_200: return (s / 3600) % 24 == 0 ? "\(s / 86_400)d" : "\(s / 86_400)d\((s / 3600) % 24)h"
        case ..<63_072_000: return "\(s / 86_400)d"
        default: return "\(s / 31_536_000)y\((s % 31_536_000) / 86_400)d"
        }
    }
}
