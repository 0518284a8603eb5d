import Foundation
public import SpatialCore
public import UrbanModel
public import UrbanStore

/// Leaflet's script and stylesheet, read from Debian's `libjs-leaflet` (`/usr/share/javascript/leaflet`), with the
/// stylesheet's images inlined as data: URIs, so that a report embedding them opens from disk with no network.
public struct LeafletAssets: Sendable {
    public static let debianDirectory = "/usr/share/javascript/leaflet"

    public var script: String
    public var stylesheet: String
    /// Leaflet's version as its script announces it (`L.version`), e.g. "1.7.1".
    public var version: String?

    /// Loads the assets; nil when the directory has no `leaflet.js` / `leaflet.css`.
    public static func load(from directory: String = debianDirectory) -> LeafletAssets? {
        guard let js = try? String(contentsOfFile: directory + "/leaflet.js", encoding: .utf8),
              var css = try? String(contentsOfFile: directory + "/leaflet.css", encoding: .utf8) else { return nil }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/images")) ?? [] where name.hasSuffix(".png") {
            guard let png = FileManager.default.contents(atPath: directory + "/images/" + name) else { continue }
            css = css.replacingOccurrences(of: "url(images/\(name))", with: "url(data:image/png;base64,\(png.base64EncodedString()))")
        }
        let version = js.range(of: #"version\s*=\s*"[0-9.]+""#, options: .regularExpression).map { r -> String in
            String(js[r]).split(separator: "\"")[1].description
        } ?? js.range(of: #"Leaflet [0-9.]+"#, options: .regularExpression).map { String(js[$0].dropFirst(8)) }
        // a literal "</script" inside the script would end the inline element early
        return LeafletAssets(script: js.replacingOccurrences(of: "</script", with: "<\\/script"), stylesheet: css, version: version)
    }
}
