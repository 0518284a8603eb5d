import SpatialCore
import UrbanModel

/// A minimal OpenAPI 3.0 document for `/api`: the OGC routes with their parameters (GDAL reads `limit`'s
/// maximum from it to size its pages) and the map page. The query routes document themselves where they are added.
enum OpenAPIDocument {
    static func make(_ config: ServiceConfiguration, base: String) -> JSONValue {
        func op(_ summary: String, _ id: String, parameters: [JSONValue] = [], type: String = "application/json") -> JSONValue {
            [
                "get": [
                    "summary": .string(summary),
                    "operationId": .string(id),
                    "parameters": .array(parameters),
                    "responses": [
                        "200": ["description": "OK", "content": [type: ["schema": ["type": "object"]]]],
                        "400": ["description": "Bad parameter: {\"code\", \"description\"}"],
                        "404": ["description": "Not found: {\"code\", \"description\"}"],
                        "503": ["description": "Over the time limit: {\"code\", \"description\"}"],
                    ],
                ],
            ]
        }
        let collectionId: JSONValue = [
            "name": "collectionId", "in": "path", "required": true,
            "schema": ["type": "string", "enum": .array(UrbanModel.Layer.allCases.map { .string($0.rawValue) })],
        ]
        let featureId: JSONValue = ["name": "featureId", "in": "path", "required": true, "schema": ["type": "string"]]
        let limit: JSONValue = [
            "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
            "description": .string("Features per page; larger values are clamped to \(config.maximumLimit)."),
            "schema": ["type": "integer", "minimum": 1, "maximum": .int(Int64(config.maximumLimit)), "default": .int(Int64(config.defaultLimit))],
        ]
        let offset: JSONValue = [
            "name": "offset", "in": "query", "required": false,
            "schema": ["type": "integer", "minimum": 0, "default": 0],
        ]
        let bbox: JSONValue = [
            "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
            "description": "minLon,minLat,maxLon,maxLat (CRS84)",
            "schema": ["type": "array", "minItems": 4, "maxItems": 6, "items": ["type": "number"]],
        ]
        let bboxCRS: JSONValue = [
            "name": "bbox-crs", "in": "query", "required": false,
            "schema": ["type": "string", "enum": [.string(FeaturesAPI.crs84)]],
        ]
        let datetime: JSONValue = [
            "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
            "description": "An RFC 3339 date-time or an interval start/end (open end: ..), on the layer's time property (hazards: reported_at); other layers refuse it.",
            "schema": ["type": "string"],
        ]
        func f(_ formats: [String]) -> JSONValue {
            ["name": "f", "in": "query", "required": false, "schema": ["type": "string", "enum": .array(formats.map { .string($0) })]]
        }
        let json = f(["json"]), geojson = f(["json", "geojson"])
        // the map page's own parameters (MapPage): the vendor-zone time, and a spot whose lookup it opens
        let pageAt: JSONValue = ["name": "at", "in": "query", "required": false, "description": "Vendor-zone time (ISO 8601) the map shows",
                                 "schema": ["type": "string"]]
        let pageLookup: JSONValue = ["name": "lookup", "in": "query", "required": false, "description": "LON,LAT whose lookup the map opens",
                                     "schema": ["type": "string"]]
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "UrbanGrid",
                "version": "1.0.0",
                "description": "OGC API – Features (Part 1: Core) over the UrbanGrid layers, read-only, and the map page at /.",
            ],
            "servers": [["url": .string(base)]],
            "paths": [
                "/": op("Landing page (HTML map for browsers; JSON with f=json or Accept: application/json)", "getLandingPage",
                        parameters: [f(["json", "html"]), pageAt, pageLookup]),
                "/api": op("This document", "getAPI", parameters: [json], type: FeaturesAPI.openAPIType),
                "/conformance": op("Conformance classes", "getConformance", parameters: [json]),
                "/collections": op("The layers", "getCollections", parameters: [json]),
                "/collections/{collectionId}": op("One layer", "describeCollection", parameters: [collectionId, json]),
                "/collections/{collectionId}/items": op("Features of a layer (GeoJSON)", "getFeatures",
                                                        parameters: [collectionId, limit, offset, bbox, bboxCRS, datetime, geojson],
                                                        type: FeaturesAPI.geoJSON),
                "/collections/{collectionId}/items/{featureId}": op("One feature (GeoJSON)", "getFeature",
                                                                    parameters: [collectionId, featureId, geojson], type: FeaturesAPI.geoJSON),
            ],
        ]
    }
}
