import SpatialCore
import UrbanModel

/// A minimal OpenAPI 3.0 document for `/api`: the OGC routes with their parameters (GDAL reads `limit`'s
/// maximum from it to size its pages), the map page and the query routes (`QueryRoutes.swift`) with the parameters
/// `RequestParameters.allowed` lists for them.
enum OpenAPIDocument {
    static func make(_ config: ServiceConfiguration, base: String) -> JSONValue {
        func op(_ summary: String, _ id: String, parameters: [JSONValue] = [], type: String = "application/json",
                alsoType: (String, JSONValue)? = nil, arrayAnswer: Bool = false) -> JSONValue {
            var content: JSONObject = [type: ["schema": ["type": arrayAnswer ? "array" : "object"]]]
            if let alsoType { content[alsoType.0] = ["schema": alsoType.1] }
            return [
                "get": [
                    "summary": .string(summary),
                    "operationId": .string(id),
                    "parameters": .array(parameters),
                    "responses": [
                        "200": ["description": "OK", "content": .object(content)],
                        "405": ["description": "Method not allowed (the service is read-only): an Allow header names GET, HEAD"],
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
        // the query routes' parameters
        func query(_ name: String, _ description: String, type: String = "string", required: Bool = false, values: [String]? = nil,
                   minimum: Int? = nil, pattern: String? = nil) -> JSONValue {
            var schema: JSONObject = ["type": .string(type)]
            if let values { schema["enum"] = .array(values.map { .string($0) }) }
            if let minimum { schema["minimum"] = .int(Int64(minimum)) }
            if type == "string", values == nil { schema["minLength"] = 1 }  // an empty text is refused as missing
            if let pattern { schema["pattern"] = .string(pattern) }
            return ["name": .string(name), "in": "query", "required": .bool(required), "description": .string(description), "schema": .object(schema)]
        }
        let crs = query("crs", "CRS of the coordinates given (lon/lat, near): EPSG:n, an OGC CRS URI (http://www.opengis.net/def/crs/EPSG/0/n), a PROJ string, GCJ02 (AMap, Tencent) or BD09 (Baidu); x is longitude or easting. Default WGS84 lon/lat. Answers are WGS84.")
        let lon = query("lon", "Longitude (WGS84; with crs, x in that CRS)", type: "number", required: true)
        let lat = query("lat", "Latitude (WGS84; with crs, y in that CRS)", type: "number", required: true)
        let at = query("at", "ISO 8601 time (without an offset, local time of the city's zone), or now", required: true,
                       pattern: #"^(now|\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?)$"#)
        let dutyAt = query("at", "The moment who is on duty is answered for: ISO 8601 (without an offset, local time of the city's zone), or now; default the moment of the request (the answer then has no at key)",
                           pattern: #"^(now|\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?)$"#)
        let near = query("near", "LON,LAT (with crs, X,Y in that CRS)", pattern: #"^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$"#)
        let radius = query("radius", "Metres", type: "number", minimum: 0)
        let queryPaths: [(String, JSONValue)] = [
            ("/lookup", op("Who is responsible for a spot (the urbangrid lookup object: grid, chief, nearest segment, and at a moment the chief's phone and on_duty, responsible (the chief on duty, else the AB角 backup; null with duty_note when nobody is), road_chief, frontage_unit and frontage_holder; warnings when it lies far outside the city)", "lookup", parameters: [lon, lat, dutyAt, crs])),
            ("/vendor/check", op("May a vendor trade at this spot at this time (the urbangrid vendor check object)", "vendorCheck", parameters: [lon, lat, at, crs])),
            ("/vendor/open", op("Vendor zones with their state at a time", "vendorOpen",
                                parameters: [at, near, radius, query("open_only", "Only the open zones", type: "boolean"), crs])),
            ("/hazards", op("Hazards near a spot, along a street segment or in a grid cell, nearest first", "hazards",
                            parameters: [near, radius, query("along", "Street segment id"), query("buffer", "Metres, with along", type: "number", minimum: 0),
                                         query("in_grid", "Grid code"), query("class", "Class code or its prefix"),
                                         query("kind", "component (部件) or event (事件): the table of the class code", values: ["component", "event", "部件", "事件"]),
                                         query("status", "open or resolved", values: ["open", "resolved"]),
                                         query("min_severity", "Least severity: a grade 1–4 or its name (一般/low, 较大/medium, 重大/high, 紧急/urgent)"),
                                         f(["json", "geojson"]), crs],
                            alsoType: (FeaturesAPI.geoJSON, ["type": "object"]), arrayAnswer: true)),
            ("/hazards/hotspots", op("Open hazards counted per grid cell, street segment or community", "hazardHotspots",
                                     parameters: [query("by", "grid, segment or community", values: ["grid", "segment", "community"]),
                                                  query("top", "How many", type: "integer", minimum: 1)], arrayAnswer: true)),
            ("/stations/nearest", op("The nearest service stations to a spot", "nearestStations",
                                     parameters: [lon, lat, query("k", "How many", type: "integer", minimum: 1),
                                                  query("network", "walk or drive: along the streets", values: ["walk", "drive"]), crs],
                                     arrayAnswer: true)),
        ]
        var paths: JSONObject = [
            "/": op("Landing page: the HTML map for browsers (the default, text/html); the OGC landing page as JSON with f=json or Accept: application/json",
                    "getLandingPage", parameters: [f(["json", "html"]), pageAt, pageLookup], type: "text/html",
                    alsoType: ("application/json", ["type": "object"])),
            "/api": op("This document", "getAPI", parameters: [json], type: FeaturesAPI.openAPIType),
            "/conformance": op("Conformance classes", "getConformance", parameters: [json]),
            "/collections": op("The layers", "getCollections", parameters: [json]),
            "/collections/{collectionId}": op("One layer", "describeCollection", parameters: [collectionId, json]),
            "/collections/{collectionId}/items": op("Features of a layer (GeoJSON)", "getFeatures",
                                                    parameters: [collectionId, limit, offset, bbox, bboxCRS, datetime, geojson],
                                                    type: FeaturesAPI.geoJSON),
            "/collections/{collectionId}/items/{featureId}": op("One feature (GeoJSON)", "getFeature",
                                                                parameters: [collectionId, featureId, geojson], type: FeaturesAPI.geoJSON),
        ]
        for (path, operation) in queryPaths { paths[path] = operation }
        for (path, operation) in caseOperations(config, query: { query($0, $1, type: $2, required: $3, values: $4, minimum: $5, pattern: $6) }) {
            paths[path] = operation
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "UrbanGrid",
                "version": "1.0.0",
                "description": "OGC API – Features (Part 1: Core) over the UrbanGrid layers, read-only, and the map page at /.",
            ],
            "servers": [["url": .string(base)]],
            "paths": .object(paths),
            "components": ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "A token of 'urbangrid users add'"]]],
        ]
    }

    /// The case loop's routes (`CaseRoutes.swift`): the reads always, the writes with `--enable-cases`; every one
    /// needs a bearer token.
    static func caseOperations(_ config: ServiceConfiguration,
                               query: (String, String, String, Bool, [String]?, Int?, String?) -> JSONValue) -> [(String, JSONValue)] {
        func q(_ name: String, _ description: String, type: String = "string", required: Bool = false, values: [String]? = nil, minimum: Int? = nil) -> JSONValue {
            query(name, description, type, required, values, minimum, nil)
        }
        let errors: JSONObject = [
            "400": ["description": "Bad parameter or body (the description names the field)"],
            "401": ["description": "No valid bearer token"], "403": ["description": "The user's role or scope may not"],
            "429": ["description": "Too many bad tokens from this client"], "503": ["description": "Over the time limit"],
        ]
        func operation(_ summary: String, _ id: String, parameters: [JSONValue] = [], body: JSONValue? = nil, answers: JSONObject,
                       type: String = "application/json") -> JSONValue {
            var responses = errors
            for m in answers { responses[m.key] = m.value }
            var o: JSONObject = ["summary": .string(summary), "operationId": .string(id), "parameters": .array(parameters),
                                "security": [["bearer": []]], "responses": .object(responses)]
            if let body { o["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]] }
            return .object(o)
        }
        let caseAnswer: JSONValue = ["description": "The case: its members, clock and events (ETag: its version)",
                                     "content": ["application/json": ["schema": ["type": "object"]]]]
        let id: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string"]]
        func string(_ values: [String]? = nil) -> JSONValue { values.map { ["type": "string", "enum": .array($0.map { .string($0) })] } ?? ["type": "string"] }
        let report: JSONValue = [
            "type": "object", "required": ["source"], "additionalProperties": false,
            "description": "kind, class_code, lon and lat are required unless hazard_id names a hazard (its class and point are taken)",
            "properties": [
                "source": string(CaseWorkflow.Source.allCases.map(\.rawValue)), "kind": string(["component", "event", "部件", "事件"]),
                "class_code": ["type": "string", "pattern": "^[0-9]{2,12}$"],
                // normal or urgent, or a grade of the grade table (1–2 normal, 3–4 urgent)
                "urgency": string(["normal", "urgent"] + SeverityGrade.allCases.flatMap { g in
                    [String(g.rawValue)] + g.names.filter { $0 != "normal" && $0 != "urgent" }
                }),
                "description": ["type": "string", "maxLength": .int(Int64(CaseDesk.maximumDescription))],
                "lon": ["type": "number"], "lat": ["type": "number"], "crs": ["type": "string"], "hazard_id": ["type": "string"],
            ],
        ]
        let transition: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": ["note": ["type": "string"], "confirmed": ["type": "boolean"], "passed": ["type": "boolean"],
                           "department_id": ["type": "string"], "work_hours": ["type": "number", "exclusiveMinimum": true, "minimum": 0]],
        ]
        var casesPath: JSONObject = [
            "get": operation("Cases, newest first (scoped to the user's district or department)", "listCases", parameters: [
                q("status", "Case status, or open (neither closed nor voided)", values: ["open"] + CaseWorkflow.Status.allCases.map(\.rawValue)), q("district", "District, street or community code prefix"),
                q("grid", "Grid code"), q("department", "Department id"), q("time_state", "green, yellow or red", values: ["green", "yellow", "red"]),
                q("from", "Reported at or after (ISO 8601)"), q("to", "Reported before (ISO 8601)"),
                q("limit", "At most", type: "integer", minimum: 1), q("offset", "Skip", type: "integer", minimum: 0),
                ["name": "f", "in": "query", "required": false, "schema": string(["json", "geojson"])],
            ], answers: ["200": ["description": "The cases", "content": ["application/json": ["schema": ["type": "array"]],
                                                                         FeaturesAPI.geoJSON: ["schema": ["type": "object"]]]]]),
        ]
        let casePath: JSONObject = ["get": operation("One case with its events", "getCase", parameters: [id], answers: ["200": caseAnswer, "404": ["description": "No such case"]])]
        var out: [(String, JSONValue)] = [
            ("/assessment", ["get": operation("考核: counts and rates over [from, to) by grid, street, district, department or supervisor (rates over the cases due)",
                                             "assessment", parameters: [
                                                q("by", "Grouping", required: true, values: AssessmentGrouping.allCases.map(\.rawValue)),
                                                q("from", "First day yyyy-MM-dd", required: true), q("to", "Day after the last yyyy-MM-dd", required: true),
                                                ["name": "f", "in": "query", "required": false, "schema": string(["json", "csv"])],
                                             ], answers: ["200": ["description": "One row per key",
                                                                  "content": ["application/json": ["schema": ["type": "array"]], "text/csv": ["schema": ["type": "string"]]]]])]),
        ]
        if config.enableCases {
            casesPath["post"] = operation("Report a problem (supervisor, operator); Idempotency-Key: the same key and body within 24 h return the first answer",
                                          "reportCase", parameters: [["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "maxLength": 200]]],
                                          body: report, answers: ["201": caseAnswer, "422": ["description": "The key was used with another body"]])
            let action: JSONValue = ["name": "action", "in": "path", "required": true,
                                     "schema": string(["verify", "file", "void", "dispatch", "return", "handle", "check", "park", "unpark", "extend"])]
            out.append(("/cases/{id}/{action}", ["post": operation("A transition of the case workflow (who may: see the contract's table)", "caseTransition",
                                                                   parameters: [id, action, ["name": "If-Match", "in": "header", "required": false, "schema": ["type": "string"]]],
                                                                   body: transition, answers: [
                                                                    "200": caseAnswer, "404": ["description": "No such case"],
                                                                    "409": ["description": "The case's status does not allow the action"],
                                                                    "412": ["description": "If-Match names another version"]])]))
            out.append(("/hazards/{id}/status", ["post": operation("Resolve or reopen a hazard (department, supervisor); kept in its history", "setHazardStatus",
                                                                   parameters: [id],
                                                                   body: ["type": "object", "required": ["status"], "additionalProperties": false,
                                                                          "properties": ["status": string(["open", "resolved"]), "note": ["type": "string"]]],
                                                                   answers: ["200": ["description": "The status change"], "404": ["description": "No such hazard"]])]))
        }
        out.append(("/cases", .object(casesPath)))
        out.append(("/cases/{id}", .object(casePath)))
        return out
    }
}
