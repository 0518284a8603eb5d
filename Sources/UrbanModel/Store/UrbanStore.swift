public import SpatialCore

/// What the commands need of a city database. `UrbanDatabase` (one SpatiaLite file) is the one
/// implementation today; a PostGIS backend for multi-user, city-scale deployments is meant to conform
/// too, so the CLI and the service depend on this protocol, not on SpatiaLite.
public protocol UrbanStore: AnyObject {
    /// IANA time zone for times written without an offset.
    var timeZone: String { get throws }
    /// Features in a layer.
    func count(_ layer: UrbanModel.Layer) throws -> Int
    /// All-or-nothing import of checked WGS84 features; returns the rows stored.
    @discardableResult
    func importFeatures(_ features: [Feature], into layer: UrbanModel.Layer, source: String, noding: UrbanDatabase.StreetNoding) throws -> Int
    /// The communities under an admin code (all when nil), for grid building.
    func gridAreas(under code: String?) throws -> [GridArea]
    /// The street lines that block grids follow.
    func gridStreets() throws -> [Geometry]
    /// Replaces the grids of the communities built; returns the cells removed.
    @discardableResult
    func replaceGrids(with result: GridBuildResult) throws -> Int
}

extension UrbanDatabase: UrbanStore {}
