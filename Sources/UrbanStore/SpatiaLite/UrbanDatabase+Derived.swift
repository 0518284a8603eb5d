import Foundation
public import SpatialCore
public import UrbanModel

extension UrbanDatabase {
    /// Schema version 2: the derived columns.
    static let derivedColumnsMigration = Migration(version: 2, name: "derived street and hazard columns", sql: """
        ALTER TABLE streets ADD COLUMN length_m REAL;
        ALTER TABLE hazards ADD COLUMN segment_id TEXT;
        ALTER TABLE hazards ADD COLUMN segment_position_m REAL;
        ALTER TABLE hazards ADD COLUMN segment_distance_m REAL;
        ALTER TABLE hazards ADD COLUMN grid_code TEXT;
        """)

    /// Gives every stored hazard the code of the grid cell covering it now (lowest code on a shared edge,
    /// null outside every cell): run after the grids change, so `grid_code` never names a replaced cell.
    func reassignHazardGrids() throws {
        let cells = try existingLines().grids
        let hazards = try store.query("SELECT pk, AsBinary(geom) g FROM hazards").map { r in (Int64(r["pk"]?.int ?? 0), try r["g"]?.geometry()) }
        let update = try store.prepare("UPDATE hazards SET grid_code = ? WHERE pk = ?")
        for (pk, code) in try HazardLocation.gridCodes(of: hazards, in: cells) { try update.run([code, pk]) }
    }

}
