internal import Foundation

/// Reading the small text data files of `GeoData/` (code tables, layouts).
enum DataFile {
    /// The whole file as UTF-8 text, without a leading byte-order mark.
    static func text(atPath path: String) throws(ModelError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not valid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}
