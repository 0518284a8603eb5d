/// UrbanGrid's domain: admin areas, street segments, vendor zones and their hours, hazards, stations,
/// points of interest, demand, chiefs and unit grids. Pure Swift over `SpatialCore`; no C here.
public enum UrbanModel {
    /// The layer names shared by import, export and the service's collections (README: commands and layers).
    public enum Layer: String, CaseIterable, Sendable {
        case admin, streets
        case vendorZones = "vendor-zones"
        case hazards, stations, pois, demand, chiefs, grids
    }
}
