/// The keys each ODCS object allows, taken from the official JSON schemas (v3.0.2, v3.1.0,
/// v3.2.0). Keys added by v3.2.0 are accepted only when the contract declares it.
enum ODCSKeys {
    static let top: Set<String> = [
        "apiVersion", "authoritativeDefinitions", "contractCreatedTs", "customProperties", "dataProduct",
        "description", "domain", "id", "kind", "name", "price", "roles", "schema", "servers",
        "slaDefaultElement", "slaProperties", "status", "support", "tags", "team", "tenant", "version",
    ]
    static let description: Set<String> = ["purpose", "limitations", "usage", "authoritativeDefinitions", "customProperties"]
    static let schemaObject: Set<String> = [
        "authoritativeDefinitions", "businessName", "customProperties", "dataGranularityDescription", "description",
        "id", "logicalType", "name", "physicalName", "physicalType", "properties", "quality", "relationships", "tags",
    ]
    static let property: Set<String> = [
        "authoritativeDefinitions", "businessName", "classification", "criticalDataElement", "customProperties",
        "description", "encryptedName", "examples", "id", "items", "logicalType", "logicalTypeOptions", "name",
        "partitionKeyPosition", "partitioned", "physicalName", "physicalType", "primaryKey", "primaryKeyPosition",
        "properties", "quality", "relationships", "required", "tags", "transformDescription", "transformLogic",
        "transformSourceObjects", "unique",
    ]
    static let quality: Set<String> = [
        "authoritativeDefinitions", "businessImpact", "customProperties", "description", "dimension", "id", "method",
        "name", "schedule", "scheduler", "severity", "tags", "type", "unit",
        "metric", "rule", "arguments", "query", "engine", "implementation",
    ]
    static let qualityAll: Set<String> = quality.union(thresholds)
    static let thresholds: Set<String> = [
        "mustBe", "mustBeBetween", "mustBeGreaterOrEqualTo", "mustBeGreaterThan", "mustBeLessOrEqualTo",
        "mustBeLessThan", "mustNotBe", "mustNotBeBetween",
    ]
    static let server: Set<String> = ["customProperties", "description", "environment", "id", "roles", "server", "type"]
    static let role: Set<String> = ["access", "customProperties", "description", "firstLevelApprovers", "id", "role", "secondLevelApprovers"]
    static let sla: Set<String> = ["description", "driver", "element", "id", "property", "schedule", "scheduler", "unit", "value", "valueExt"]
    static let team: Set<String> = ["authoritativeDefinitions", "customProperties", "description", "id", "members", "name", "tags"]
    static let teamMember: Set<String> = [
        "authoritativeDefinitions", "customProperties", "dateIn", "dateOut", "description", "id", "name",
        "replacedByUsername", "role", "tags", "username",
    ]
    static let customProperty: Set<String> = ["description", "id", "property", "value"]
    static let authoritativeDefinition: Set<String> = ["description", "id", "type", "url"]
    static let support: Set<String> = ["channel", "customProperties", "description", "id", "invitationUrl", "scope", "tool", "url"]
    static let price: Set<String> = ["id", "priceAmount", "priceCurrency", "priceUnit"]
    static let relationship: Set<String> = ["customProperties", "from", "to", "type"]

    /// Keys that v3.2.0 added, by object.
    static let v32Top: [String: String] = ["context": "v3.2.0"]
    static let v32Object: [String: String] = ["context": "v3.2.0", "synonyms": "v3.2.0"]
    static let v32Property: [String: String] = ["enum": "v3.2.0", "map": "v3.2.0", "semanticType": "v3.2.0", "synonyms": "v3.2.0"]

    /// Type-specific server keys (the schema's `if type == ... then` branches).
    static let serverTypes: [String: (allowed: [String], required: [String])] = [
        "api": (["location"], ["location"]),
        "athena": (["stagingDir", "schema", "catalog", "regionName", "workgroup"], ["stagingDir", "schema"]),
        "azure": (["location", "format", "delimiter"], ["location", "format"]),
        "bigquery": (["project", "dataset"], ["project", "dataset"]),
        "clickhouse": (["host", "port", "database"], ["host", "port", "database"]),
        "databricks": (["host", "catalog", "schema"], ["catalog", "schema"]),
        "denodo": (["host", "port", "database"], ["host", "port"]),
        "dremio": (["host", "port", "schema"], ["host", "port"]),
        "duckdb": (["database", "schema"], ["database"]),
        "glue": (["account", "database", "location", "format"], ["account", "database"]),
        "cloudsql": (["host", "port", "database", "schema"], ["host", "port", "database", "schema"]),
        "db2": (["host", "port", "database", "schema"], ["host", "port", "database"]),
        "hive": (["host", "port", "database"], ["host", "database"]),
        "impala": (["host", "port", "database"], ["host", "database"]),
        "informix": (["host", "port", "database"], ["host", "database"]),
        "zen": (["host", "port", "database"], ["host", "database"]),
        "custom": ([
            "account", "catalog", "database", "dataset", "delimiter", "endpointUrl", "format", "host", "location",
            "path", "port", "project", "region", "regionName", "schema", "serviceName", "stagingDir", "warehouse", "stream",
        ], []),
        "kafka": (["host", "format"], ["host"]),
        "kinesis": (["region", "format"], []),
        "local": (["path", "format"], ["path", "format"]),
        "mysql": (["host", "port", "database"], ["host", "port", "database"]),
        "oracle": (["host", "port", "serviceName"], ["host", "port", "serviceName"]),
        "postgresql": (["host", "port", "database", "schema"], ["host", "port", "database", "schema"]),
        "postgres": (["host", "port", "database", "schema"], ["host", "port", "database", "schema"]),
        "presto": (["host", "catalog", "schema"], ["host"]),
        "pubsub": (["project"], ["project"]),
        "redshift": (["host", "database", "schema", "region", "account"], ["database", "schema"]),
        "s3": (["location", "endpointUrl", "format", "delimiter"], ["location"]),
        "sftp": (["location", "format", "delimiter"], ["location"]),
        "snowflake": (["host", "port", "account", "database", "schema", "warehouse"], ["account", "database", "schema"]),
        "sqlserver": (["host", "port", "database", "schema"], ["host", "database", "schema"]),
        "synapse": (["host", "port", "database"], ["host", "port", "database"]),
        "trino": (["host", "port", "catalog", "schema"], ["host", "port", "catalog", "schema"]),
        "vertica": (["host", "port", "database", "schema"], ["host", "port", "database", "schema"]),
    ]

    static let logicalTypes: Set<String> = ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"]
    static let apiVersions: [String] = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0", "v3.2.0"]
    static let qualityTypes: Set<String> = ["library", "sql", "text", "custom"]
    static let classifications: [String] = ["public", "internal", "confidential", "restricted"]
    static let anonymizationStrategies: Set<String> = ["none", "hash", "redact", "tokenize", "drop"]
}
