import Foundation

/// The shipped code data, found from this file's location.
enum CodesTestData {
    /// `Tests/UrbanModelTests/Codes/` → the package root.
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file of `GeoData/codes/`.
    static func path(_ name: String) -> String {
        repoRoot.appendingPathComponent("GeoData/codes").appendingPathComponent(name).path
    }
}
