/// Rules for apps/v1 StatefulSets (Kubernetes' `ValidateStatefulSet` and
/// `ValidateStatefulSetUpdate`). Unset fields are fine: they take the defaults of
/// ``StatefulSet/withDefaults``, as the API server defaults before it validates.
enum StatefulSetRules {
    typealias Policy = StatefulSet.Policy

    static let podManagementPolicies = [Policy.orderedReady, Policy.parallel]
    static let updateStrategyTypes = [Policy.rollingUpdate, Policy.onDelete]
    static let retentionPolicies = [Policy.retain, Policy.delete]
    static let selectorMismatch = "`selector` does not match template `labels`"
    static let immutableSpec = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

    /// The name is a DNS label because it prefixes every pod's hostname.
    static func errors(_ set: StatefulSet) -> [FieldError] {
        MetadataRules.errors(set.metadata, namespaced: true, format: .dns1123Label) + specErrors(set.spec, at: FieldPath("spec"))
    }

    /// In Kubernetes' order: policies, counts, selector and template, then the pod spec
    /// and the claim templates.
    static func specErrors(_ spec: StatefulSet.Spec, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if let policy = spec.podManagementPolicy, !podManagementPolicies.contains(policy) {
            errors.append(.notSupported(path.child("podManagementPolicy"), policy, supported: podManagementPolicies))
        }
        errors += strategyErrors(spec.updateStrategy, at: path.child("updateStrategy"))
        if let retention = spec.persistentVolumeClaimRetentionPolicy {
            for (field, value) in [("whenDeleted", retention.whenDeleted), ("whenScaled", retention.whenScaled)] {
                guard let value, !retentionPolicies.contains(value) else { continue }
                errors.append(.notSupported(path.child("persistentVolumeClaimRetentionPolicy", field), value, supported: retentionPolicies))
            }
        }
        errors += nonNegative(spec.replicas, at: path.child("replicas"))
        errors += nonNegative(spec.minReadySeconds, at: path.child("minReadySeconds"))
        errors += nonNegative(spec.ordinals?.start, at: path.child("ordinals", "start"))
        errors += nonNegative(spec.revisionHistoryLimit, at: path.child("revisionHistoryLimit"))
        errors += selectorErrors(spec, at: path)
        if let policy = spec.template.spec.restartPolicy, policy != "Always" {
            errors.append(.notSupported(path.child("template", "spec", "restartPolicy"), policy, supported: ["Always"]))
        }
        if let service = spec.serviceName, !service.isEmpty {
            errors += NameSyntax.dns1123Label(service).map { .invalid(path.child("serviceName"), .string(service), $0) }
        }
        let templates = spec.volumeClaimTemplates ?? []
        let claimNames = templates.compactMap(\.metadata.name).filter { !$0.isEmpty }
        errors += PodSpecRules.errors(spec.template.spec, at: path.child("template", "spec"), claimTemplates: claimNames)
        errors += claimTemplateErrors(templates, at: path.child("volumeClaimTemplates"))
        return errors
    }

    /// A selector is required and may not be empty (it would adopt every pod in the
    /// namespace), and the template's labels must satisfy it, or the set could never see
    /// the pods it creates. A missing selector matches nothing, so Kubernetes reports the
    /// template's labels as well.
    static func selectorErrors(_ spec: StatefulSet.Spec, at path: FieldPath) -> [FieldError] {
        let template = spec.template.metadata
        let labelsPath = path.child("template", "metadata", "labels")
        var errors: [FieldError] = []
        if let selector = spec.selector {
            let selectorErrors = MetadataRules.selectorErrors(selector, at: path.child("selector"))
            errors += selectorErrors
            if selector.isEmpty {
                errors.append(.invalid(path.child("selector"), .rendered("{}"), "empty selector is invalid for statefulset"))
            } else if selectorErrors.isEmpty && !selector.matches(template?.labels) {
                errors.append(.invalid(labelsPath, .labels(template?.labels), selectorMismatch))
            }
        } else {
            errors.append(.required(path.child("selector")))
            errors.append(.invalid(labelsPath, .labels(template?.labels), selectorMismatch))
        }
        errors += MetadataRules.labelErrors(template?.labels, at: labelsPath)
        errors += MetadataRules.annotationErrors(template?.annotations, at: path.child("template", "metadata", "annotations"))
        return errors
    }

    /// `RollingUpdate` (the default) or `OnDelete`; `rollingUpdate` settings only with the
    /// former, a non-negative partition, and a `maxUnavailable` that lets at least one pod
    /// go and at most all of them.
    static func strategyErrors(_ strategy: StatefulSet.UpdateStrategy?, at path: FieldPath) -> [FieldError] {
        guard let strategy else { return [] }
        let type = strategy.type ?? Policy.rollingUpdate
        guard updateStrategyTypes.contains(type) else {
            return [.notSupported(path.child("type"), type, supported: updateStrategyTypes)]
        }
        guard let rolling = strategy.rollingUpdate else { return [] }
        let rollingPath = path.child("rollingUpdate")
        guard type == Policy.rollingUpdate else {
            return [.invalid(rollingPath, .rendered(json(rolling)), "only allowed for updateStrategy '\(Policy.rollingUpdate)'")]
        }
        var errors = nonNegative(rolling.partition, at: rollingPath.child("partition"))
        if let maxUnavailable = rolling.maxUnavailable {
            errors += maxUnavailableErrors(maxUnavailable, at: rollingPath.child("maxUnavailable"))
        }
        return errors
    }

    /// An integer of at least 1, or a percentage from 1% to 100%.
    static func maxUnavailableErrors(_ value: IntOrString, at path: FieldPath) -> [FieldError] {
        let shown = FieldError.Value.intOrString(value)
        switch value {
        case .int(let number) where number < 0:
            return [.invalid(path, shown, nonNegativeMessage)]
        case .int(let number) where number > Int(Int32.max):
            return [.invalid(path, shown, int32Message)]
        case .int(let number):
            return number == 0 ? [.invalid(path, shown, "must be greater than 0")] : []
        case .string(let text):
            guard let percent = NameSyntax.percentValue(text) else {
                return NameSyntax.percent(text).map { .invalid(path, shown, $0) }
            }
            if percent == 0 { return [.invalid(path, shown, "must be greater than 0")] }
            return percent > 100 ? [.invalid(path, shown, "must not be greater than 100%")] : []
        }
    }

    /// Each template needs a unique DNS-label name: it becomes a volume of every pod and
    /// the prefix of every claim (`<template>-<set>-<ordinal>`).
    static func claimTemplateErrors(_ templates: [StatefulSet.ClaimTemplate], at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for (position, template) in templates.enumerated() {
            let at = path.index(position)
            errors += PodSpecRules.dnsLabelNameErrors(template.metadata.name ?? "", at: at.child("metadata", "name"), seen: &names)
            errors += MetadataRules.labelErrors(template.metadata.labels, at: at.child("metadata", "labels"))
            errors += StorageRules.accessModeErrors(template.spec.accessModes, at: at.child("spec", "accessModes"))
        }
        return errors
    }

    /// Only the fields the controller can roll out may change; the rest (selector,
    /// serviceName, volumeClaimTemplates, podManagementPolicy) shape identities and storage
    /// that already exist. Both sides are compared with defaults filled in, so leaving a
    /// defaulted field out of a re-applied manifest is no change.
    static func updateErrors(_ set: StatefulSet, from old: StatefulSet) -> [FieldError] {
        let stored = old.withDefaults.spec
        var next = set.withDefaults.spec
        next.replicas = stored.replicas
        next.ordinals = stored.ordinals
        next.template = stored.template
        next.updateStrategy = stored.updateStrategy
        next.revisionHistoryLimit = stored.revisionHistoryLimit
        next.persistentVolumeClaimRetentionPolicy = stored.persistentVolumeClaimRetentionPolicy
        next.minReadySeconds = stored.minReadySeconds
        return next == stored ? [] : [.forbidden(FieldPath("spec"), immutableSpec)]
    }

    static let nonNegativeMessage = "must be greater than or equal to 0"
    static let int32Message = "must be between 0 and \(Int32.max), inclusive"

    /// A count, a number of seconds or an ordinal: at least 0, and an int32 as in every
    /// Kubernetes API type, so arithmetic on it (`start + replicas`, sums over pods) can
    /// never overflow wherever the replicated object is read.
    static func nonNegative(_ value: Int?, at path: FieldPath) -> [FieldError] {
        guard let value else { return [] }
        if value < 0 { return [.invalid(path, .int(value), nonNegativeMessage)] }
        if value > Int(Int32.max) { return [.invalid(path, .int(value), int32Message)] }
        return []
    }

    /// The settings as the v1 JSON an API server prints for a structured value.
    private static func json(_ rolling: StatefulSet.RollingUpdate) -> String {
        var fields: [String] = []
        if let partition = rolling.partition { fields.append("\"partition\":\(partition)") }
        if let maxUnavailable = rolling.maxUnavailable { fields.append("\"maxUnavailable\":" + FieldError.Value.intOrString(maxUnavailable).text) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
