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
                        parameters: [["name": "f", "in": "query", "required": false, "schema": ["type": "string", "enum": ["json", "html"]]]]),
                "/api": op("This document", "getAPI", type: FeaturesAPI.openAPIType),
                "/conformance": op("Conformance classes", "getConformance"),
                "/collections": op("The layers", "getCollections"),
                "/collections/{collectionId}": op("One layer", "describeCollection", parameters: [collectionId]),
                "/collections/{collectionId}/items": op("Features of a layer (GeoJSON)", "getFeatures",
                                                        parameters: [collectionId, limit, offset, bbox], type: FeaturesAPI.geoJSON),
                "/collections/{collectionId}/items/{featureId}": op("One feature (GeoJSON)", "getFeature",
                                                                    parameters: [collectionId, featureId], type: FeaturesAPI.geoJSON),
            ],
        ]
    }
}
