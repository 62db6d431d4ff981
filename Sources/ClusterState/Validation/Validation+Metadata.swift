/// Rules every object shares: `metadata` (Kubernetes' `ValidateObjectMeta`), label maps,
/// annotation maps and label selectors (`ValidateLabels`, `ValidateAnnotations`,
/// `ValidateLabelSelector`).
enum MetadataRules {
    /// Which name format a kind requires.
    enum NameFormat {
        /// A DNS label: kinds whose name becomes one label of a DNS name (a StatefulSet's
        /// pods are `<set>-<ordinal>.<service>`, a Service is `<service>.<namespace>.svc`).
        case dns1123Label
        /// A DNS subdomain: everything else (pods, claims, volumes, nodes, revisions, events).
        case dns1123Subdomain

        func messages(_ name: String) -> [String] {
            switch self {
            case .dns1123Label: NameSyntax.dns1123Label(name)
            case .dns1123Subdomain: NameSyntax.dns1123Subdomain(name)
            }
        }
    }

    /// Kubernetes' limit on the bytes of all keys and values of an object's annotations.
    static let totalAnnotationSizeLimit = 256 * 1024

    /// `metadata.name` in `format`, `metadata.namespace` a DNS label, then labels and
    /// annotations. A nil namespace is fine (it means `default`); an empty one is not, since
    /// the object would be stored under the empty namespace. Cluster-scoped kinds ignore the
    /// namespace, as Kubernetes clears it before validating.
    static func errors(_ meta: ObjectMeta, namespaced: Bool, format: NameFormat) -> [FieldError] {
        let path = FieldPath("metadata")
        var errors: [FieldError] = []
        if meta.name.isEmpty {
            errors.append(.required(path.child("name"), "name or generateName is required"))
        } else {
            errors += format.messages(meta.name).map { .invalid(path.child("name"), .string(meta.name), $0) }
        }
        if namespaced, let namespace = meta.namespace {
            if namespace.isEmpty {
                errors.append(.required(path.child("namespace")))
            } else {
                errors += NameSyntax.dns1123Label(namespace).map { .invalid(path.child("namespace"), .string(namespace), $0) }
            }
        }
        errors += labelErrors(meta.labels, at: path.child("labels"))
        errors += annotationErrors(meta.annotations, at: path.child("annotations"))
        return errors
    }

    /// Each key a qualified name, each value a label value; keys in sorted order so the
    /// errors come out the same on every replica.
    static func labelErrors(_ labels: [String: String]?, at path: FieldPath) -> [FieldError] {
        guard let labels else { return [] }
        var errors: [FieldError] = []
        for key in labels.keys.sorted() {
            let value = labels[key] ?? ""
            errors += NameSyntax.qualifiedName(key).map { .invalid(path, .string(key), $0) }
            errors += NameSyntax.labelValue(value).map { .invalid(path, .string(value), $0) }
        }
        return errors
    }

    /// Keys are qualified names compared case-insensitively; values are free text, but all
    /// of them together may not exceed 256 KiB.
    static func annotationErrors(_ annotations: [String: String]?, at path: FieldPath) -> [FieldError] {
        guard let annotations else { return [] }
        var errors: [FieldError] = []
        for key in annotations.keys.sorted() {
            errors += NameSyntax.qualifiedName(key.lowercased()).map { .invalid(path, .string(key), $0) }
        }
        let size = annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if size > totalAnnotationSizeLimit { errors.append(.tooLong(path, maxBytes: totalAnnotationSizeLimit)) }
        return errors
    }

    /// `matchLabels` as labels; each requirement with a known operator, values exactly when
    /// the operator takes them, a qualified-name key and label-value values.
    static func selectorErrors(_ selector: LabelSelector, at path: FieldPath) -> [FieldError] {
        var errors = labelErrors(selector.matchLabels, at: path.child("matchLabels"))
        for (position, requirement) in (selector.matchExpressions ?? []).enumerated() {
            let at = path.child("matchExpressions").index(position)
            let values = requirement.values ?? []
            switch requirement.operator {
            case "In", "NotIn":
                if values.isEmpty { errors.append(.required(at.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")) }
            case "Exists", "DoesNotExist":
                if !values.isEmpty { errors.append(.forbidden(at.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            default:
                errors.append(.invalid(at.child("operator"), .string(requirement.operator), "not a valid selector operator"))
            }
            errors += NameSyntax.qualifiedName(requirement.key).map { .invalid(at.child("key"), .string(requirement.key), $0) }
            for (index, value) in values.enumerated() {
                errors += NameSyntax.labelValue(value).map { .invalid(at.child("values").index(index), .string(value), $0) }
            }
        }
        return errors
    }
}
