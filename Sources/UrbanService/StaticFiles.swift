import Foundation
import Hummingbird

/// Leaflet from Debian's libjs-leaflet, read once at start-up and served under `/static/leaflet/` (script,
/// stylesheet, its images): the map page needs no CDN and no network. Only the files found at start-up are
/// served, by exact name, so no request path ever reaches the file system.
struct StaticFiles: Sendable {
    struct File: Sendable {
        var bytes: [UInt8]
        var type: String
    }

    private(set) var files: [String: File] = [:]

    /// Reads `leaflet.js`, `leaflet.css` and `images/*.png` from `leafletDirectory`; missing files are simply absent.
    init(leafletDirectory: String) {
        let fm = FileManager.default
        for (name, type) in [("leaflet.js", "text/javascript; charset=utf-8"), ("leaflet.css", "text/css; charset=utf-8")] {
            if let data = fm.contents(atPath: leafletDirectory + "/" + name) {
                files["leaflet/" + name] = File(bytes: Array(data), type: type)
            }
        }
        for name in (try? fm.contentsOfDirectory(atPath: leafletDirectory + "/images")) ?? [] where name.hasSuffix(".png") {
            if let data = fm.contents(atPath: leafletDirectory + "/images/" + name) {
                files["leaflet/images/" + name] = File(bytes: Array(data), type: "image/png")
            }
        }
    }

    var hasLeaflet: Bool { files["leaflet/leaflet.js"] != nil && files["leaflet/leaflet.css"] != nil }

    func register(on router: Router<ServiceRequestContext>) {
        router.get("/static/leaflet/{name}") { _, context in try self.response(for: "leaflet/" + context.parameters.require("name")) }
        router.get("/static/leaflet/images/{name}") { _, context in
            try self.response(for: "leaflet/images/" + context.parameters.require("name"))
        }
    }

    func response(for key: String) throws -> Response {
        guard let f = files[key] else {
            throw ServiceError.notFound("no static file /static/\(key)" + (hasLeaflet ? "" : " (Leaflet is missing: install Debian's libjs-leaflet)"))
        }
        return Response(
            status: .ok, headers: [.contentType: f.type, .cacheControl: "public, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(bytes: f.bytes)))
    }
}
