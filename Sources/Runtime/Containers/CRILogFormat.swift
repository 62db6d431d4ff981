/// The CRI log format containerd writes a container's output in: one line per write or line,
/// `<RFC 3339 time> <stdout|stderr> <P|F> <text>`, where `P` marks a partial line continued by
/// the next entry and `F` a full one whose newline was taken off.
package enum CRILogFormat {
    /// The container's output as it wrote it, stdout and stderr interleaved; a line that is not
    /// in the format (a truncated last write) is kept as it is.
    package static func decode(_ text: String) -> String {
        var output = ""
        guard !text.isEmpty else { return output }
        output.reserveCapacity(text.utf8.count)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3, fields[1] == "stdout" || fields[1] == "stderr", fields[2] == "P" || fields[2] == "F" else {
                output += line + "\n"
                continue
            }
            output += fields.count == 4 ? fields[3] : ""
            if fields[2] == "F" { output += "\n" }
        }
        return output
    }
}
