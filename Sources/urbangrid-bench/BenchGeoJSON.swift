import ArgumentParser
import Foundation
import SpatialCore

extension Bench {
    // MARK: GeoJSON

    func geoJSON(_ wanted: Set<String>) throws {
        guard let data = FileManager.default.contents(atPath: geojsonFile) else {
            throw ValidationError("missing \(geojsonFile): run Tools/bench/peers.py first (it writes the shared input)")
        }
        let bytes = [UInt8](data)
        let mb = Double(bytes.count) / 1e6
        var fc: FeatureCollection?
        let parse = try measure { fc = try FeatureCollection(geoJSON: bytes) }
        if wanted.contains("geojson_parse") {
            emit("geojson_parse", "urbangrid_geojson", parse, extra: ["mb": mb, "matched": fc!.features.count])
            log("geojson_parse: \(String(format: "%.1f", parse.median)) ms, \(String(format: "%.0f", mb / parse.median * 1e3)) MB/s")
        }
        if wanted.contains("geojson_write") {
            var size = 0
            let write = measure { size = fc!.geoJSON().utf8.count }
            emit("geojson_write", "urbangrid_geojson", write, extra: ["mb": Double(size) / 1e6, "matched": fc!.features.count])
            log("geojson_write: \(String(format: "%.1f", write.median)) ms")
        }
    }
}
