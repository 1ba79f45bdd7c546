import StewardCore

/// A compact binary form of a parsed mesh file (a domain, product or contract), for the
/// persistent parse cache (`ParseStore`, docs/parse-cache.md). Decoding it is several times
/// cheaper than parsing and checking the YAML again, and it keeps every source location.
///
/// Only files that parsed clean are stored, so there are no diagnostics to keep. Locations in
/// the file's own path (nearly all of them) are stored as line and column alone.
enum ModelCodec {
    /// Bumped whenever the layout below, or `ParseStore.checksum`, changes; part of the cache
    /// folder's name.
    static let formatVersion = 3

    static func encode(_ parsed: MeshLoader.Parsed, path: String) -> [UInt8] {
        var w = BinaryWriter(path: path)
        switch parsed {
        case let .domain(d): w.byte(0); w.domain(d)
        case let .product(p): w.byte(1); w.product(p)
        case let .contract(c): w.byte(2); w.contract(c)
        }
        return w.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(CodecError) -> MeshLoader.Parsed {
        var r = BinaryReader(bytes, path: path)
        let parsed: MeshLoader.Parsed
        switch try r.byte() {
        case 0: parsed = .domain(try r.domain())
        case 1: parsed = .product(try r.product())
        case 2: parsed = .contract(try r.contract())
        default: throw CodecError()
        }
        guard r.atEnd else { throw CodecError() }
        return parsed
    }
}

/// Bytes that do not decode: a damaged cache entry, read as a miss.
package struct CodecError: Error {}

// MARK: writing

package struct BinaryWriter {
    let path: String
    package var bytes: [UInt8] = []

    package init(path: String) {
        self.path = path
        bytes.reserveCapacity(2048)
    }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    package mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func int(_ v: Int) { uint(UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))) }  // zigzag
    package mutating func bool(_ v: Bool) { byte(v ? 1 : 0) }

    mutating func double(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            uint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    /// Length + 1, or 0 for nil.
    mutating func string(_ s: String?) {
        guard var s else { return byte(0) }
        s.withUTF8 { u in
            uint(UInt64(u.count) + 1)
            bytes.append(contentsOf: u)
        }
    }

    mutating func strings(_ list: [String]) {
        uint(UInt64(list.count))
        for s in list { string(s) }
    }

    mutating func int(_ v: Int?) {
        guard let v else { return byte(0) }
        byte(1)
        int(v)
    }

    mutating func list<T>(_ items: [T], _ write: (inout BinaryWriter, T) -> Void) {
        uint(UInt64(items.count))
        for item in items { write(&self, item) }
    }

    mutating func optional<T>(_ v: T?, _ write: (inout BinaryWriter, T) -> Void) {
        guard let v else { return byte(0) }
        byte(1)
        write(&self, v)
    }

    mutating func location(_ box: LocationBox) {
        guard let l = box.location else { return byte(0) }
        if l.path == path {
            byte(1)
        } else {
            byte(2)
            string(l.path)
        }
        uint(UInt64(max(0, l.line)))
        uint(UInt64(max(0, l.column)))
    }

    mutating func yaml(_ v: YAMLValue) {
        switch v {
        case .null: byte(0)
        case let .bool(b): byte(b ? 2 : 1)
        case let .int(i): byte(3); int(i)
        case let .double(d): byte(4); double(d)
        case let .string(s): byte(5); string(s)
        case let .list(items): byte(6); list(items) { $0.yaml($1) }
        case let .map(pairs): byte(7); list(pairs) { $0.string($1.0); $0.yaml($1.1) }
        }
    }

    /// Dictionaries in key order, so the same value always encodes to the same bytes.
    mutating func yamlMap(_ m: [String: YAMLValue]) {
        list(m.sorted { $0.key < $1.key }) { $0.string($1.key); $0.yaml($1.value) }
    }

    mutating func custom(_ props: [CustomProperty]) {
        list(props) { w, p in
            w.string(p.property)
            w.yaml(p.value)
            w.string(p.description)
        }
    }

    mutating func team(_ t: Team?) {
        optional(t) { w, t in
            w.string(t.name)
            w.string(t.description)
            w.list(t.members) { w, m in
                w.string(m.username)
                w.string(m.name)
                w.string(m.role)
                w.string(m.dateIn)
                w.string(m.dateOut)
            }
        }
    }

    mutating func domain(_ d: Domain) {
        string(d.name)
        string(d.description)
        string(d.owners.team)
        strings(d.owners.members)
        location(d._location)
    }

    mutating func product(_ p: Product) {
        string(p.odpsID)
        string(p.apiVersion)
        string(p.name)
        string(p.version)
        string(p.status)
        string(p.domain)
        string(p.tenant)
        string(p.purpose)
        list(p.inputPorts) { w, i in
            w.string(i.name)
            w.string(i.version)
            w.string(i.contractId)
            w.strings(i.tags)
            w.location(i._location)
            w.location(i._contractLocation)
        }
        list(p.outputPorts) { w, o in
            w.string(o.name)
            w.string(o.version)
            w.string(o.contractId)
            w.string(o.type)
            w.string(o.description)
            w.strings(o.tags)
            w.location(o._location)
            w.location(o._contractLocation)
        }
        strings(p.tags)
        team(p.team)
        custom(p.customProperties)
        yamlMap(p.extra)
        location(p._location)
    }

    mutating func contract(_ c: Contract) {
        string(c.id)
        string(c.apiVersion)
        string(c.version)
        string(c.status)
        string(c.name)
        string(c.domain)
        string(c.dataProduct)
        string(c.tenant)
        optional(c.description) { w, d in
            w.string(d.purpose)
            w.string(d.limitations)
            w.string(d.usage)
        }
        list(c.objects) { w, o in
            w.string(o.name)
            w.string(o.id)
            w.string(o.physicalName)
            w.string(o.physicalType)
            w.string(o.logicalType)
            w.string(o.businessName)
            w.string(o.description)
            w.properties(o.properties)
            w.list(o.quality) { $0.quality($1) }
            w.strings(o.tags)
            w.custom(o.customProperties)
            w.location(o._location)
        }
        list(c.servers) { w, s in
            w.string(s.server)
            w.string(s.type)
            w.string(s.description)
            w.string(s.environment)
            w.yamlMap(s.settings)
            w.location(s._location)
        }
        list(c.roles) { w, r in
            w.string(r.role)
            w.string(r.access)
            w.string(r.description)
            w.string(r.firstLevelApprovers)
            w.string(r.secondLevelApprovers)
            w.custom(r.customProperties)
            w.location(r._location)
        }
        team(c.team)
        string(c.slaDefaultElement)
        list(c.sla) { w, s in
            w.string(s.property)
            w.yaml(s.value)
            w.optional(s.valueExt) { $0.yaml($1) }
            w.string(s.unit)
            w.string(s.element)
            w.string(s.driver)
            w.optional(s.span) { w, span in
                w.double(span.value)
                w.string(span.unit.rawValue)
            }
            w.location(s._location)
        }
        strings(c.tags)
        custom(c.customProperties)
        yamlMap(c.extra)
        location(c._location)
    }

    mutating func properties(_ props: [SchemaProperty]) {
        list(props) { w, p in
            w.string(p.name)
            w.string(p.id)
            w.string(p.logicalType)
            w.string(p.physicalType)
            w.string(p.physicalName)
            w.string(p.businessName)
            w.string(p.description)
            w.bool(p.required)
            w.bool(p.unique)
            w.bool(p.primaryKey)
            w.int(p.primaryKeyPosition)
            w.bool(p.partitioned)
            w.string(p.classification)
            w.yamlMap(p.logicalTypeOptions)
            w.bool(p.criticalDataElement)
            w.strings(p.tags)
            w.list(p.quality) { $0.quality($1) }
            w.custom(p.customProperties)
            w.properties(p.properties)
            w.optional(p.items) { w, items in
                w.string(items.logicalType)
                w.properties(items.properties)
            }
            w.location(p._location)
        }
    }

    mutating func quality(_ q: QualityRule) {
        string(q.type.rawValue)
        string(q.metric)
        string(q.query)
        optional(q.threshold) { w, t in
            switch t {
            case let .mustBe(v): w.byte(0); w.yaml(v)
            case let .mustNotBe(v): w.byte(1); w.yaml(v)
            case let .mustBeGreaterThan(v): w.byte(2); w.double(v)
            case let .mustBeGreaterOrEqualTo(v): w.byte(3); w.double(v)
            case let .mustBeLessThan(v): w.byte(4); w.double(v)
            case let .mustBeLessOrEqualTo(v): w.byte(5); w.double(v)
            case let .mustBeBetween(a, b): w.byte(6); w.double(a); w.double(b)
            case let .mustNotBeBetween(a, b): w.byte(7); w.double(a); w.double(b)
            }
        }
        string(q.unit)
        string(q.dimension)
        string(q.severity)
        string(q.name)
        string(q.description)
        optional(q.arguments) { $0.yaml($1) }
        location(q._location)
    }
}

// MARK: reading

/// Reads what `BinaryWriter` wrote; every read is bounds-checked and a bad byte throws.
package struct BinaryReader {
    private let base: UnsafeRawBufferPointer
    private var at = 0
    let path: String

    package init(_ bytes: UnsafeRawBufferPointer, path: String) {
        base = bytes
        self.path = path
    }

    package var atEnd: Bool { at == base.count }
    var position: Int { at }
    var remaining: Int { base.count - at }

    mutating func skip(_ n: Int) { at = min(base.count, at + n) }

    /// Eight bytes, little-endian (the store's checksums).
    mutating func fixed64() throws(CodecError) -> UInt64 {
        guard remaining >= 8 else { throw CodecError() }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[at + i]) << (8 * UInt64(i)) }
        at += 8
        return v
    }

    mutating func byte() throws(CodecError) -> UInt8 {
        guard at < base.count else { throw CodecError() }
        defer { at += 1 }
        return base[at]
    }

    mutating func uint() throws(CodecError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw CodecError() }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    package mutating func count() throws(CodecError) -> Int {
        let n = try uint()
        // Every item takes at least one byte: a larger count is damage, not a big list.
        guard n <= UInt64(base.count - at) else { throw CodecError() }
        return Int(n)
    }

    mutating func int() throws(CodecError) -> Int {
        let z = try uint()
        return Int(truncatingIfNeeded: Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
    }

    package mutating func bool() throws(CodecError) -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        default: throw CodecError()
        }
    }

    mutating func double() throws(CodecError) -> Double { Double(bitPattern: try fixed64()) }

    private mutating func text(_ n: Int) throws(CodecError) -> String {
        guard base.count - at >= n else { throw CodecError() }
        defer { at += n }
        let slice = UnsafeRawBufferPointer(rebasing: base[at..<at + n]).bindMemory(to: UInt8.self)
        return String(decoding: slice, as: UTF8.self)
    }

    package mutating func string() throws(CodecError) -> String { try text(count()) }

    mutating func optionalString() throws(CodecError) -> String? {
        let n = try uint()
        guard n > 0 else { return nil }
        guard n - 1 <= UInt64(base.count - at) else { throw CodecError() }
        return try text(Int(n - 1))
    }

    mutating func strings() throws(CodecError) -> [String] { try list { r throws(CodecError) in try r.string() } }

    mutating func optionalInt() throws(CodecError) -> Int? { try bool() ? try int() : nil }

    mutating func list<T>(_ read: (inout BinaryReader) throws(CodecError) -> T) throws(CodecError) -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }

    mutating func optional<T>(_ read: (inout BinaryReader) throws(CodecError) -> T) throws(CodecError) -> T? {
        try bool() ? try read(&self) : nil
    }

    mutating func location() throws(CodecError) -> LocationBox {
        let file: String
        switch try byte() {
        case 0: return LocationBox(nil)
        case 1: file = path
        case 2: file = try string()
        default: throw CodecError()
        }
        let line = try uint(), column = try uint()
        guard line <= UInt64(Int32.max), column <= UInt64(Int32.max) else { throw CodecError() }
        return LocationBox(SourceLocation(path: file, line: Int(line), column: Int(column)))
    }

    mutating func yaml() throws(CodecError) -> YAMLValue {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try int())
        case 4: return .double(try double())
        case 5: return .string(try string())
        case 6: return .list(try list { r throws(CodecError) in try r.yaml() })
        case 7: return .map(try list { r throws(CodecError) in (try r.string(), try r.yaml()) })
        default: throw CodecError()
        }
    }

    mutating func yamlMap() throws(CodecError) -> [String: YAMLValue] {
        let pairs = try list { r throws(CodecError) in (try r.string(), try r.yaml()) }
        var m: [String: YAMLValue] = [:]
        m.reserveCapacity(pairs.count)
        for (k, v) in pairs { m[k] = v }
        return m
    }

    mutating func custom() throws(CodecError) -> [CustomProperty] {
        try list { r throws(CodecError) in
            CustomProperty(property: try r.string(), value: try r.yaml(), description: try r.optionalString())
        }
    }

    mutating func team() throws(CodecError) -> Team? {
        try optional { r throws(CodecError) in
            Team(name: try r.optionalString(), description: try r.optionalString(), members: try r.list { r throws(CodecError) in
                TeamMember(username: try r.string(), name: try r.optionalString(), role: try r.optionalString(),
                           dateIn: try r.optionalString(), dateOut: try r.optionalString())
            })
        }
    }

    mutating func domain() throws(CodecError) -> Domain {
        let name = try string(), description = try optionalString()
        let owners = Owners(team: try string(), members: try strings())
        var d = Domain(name: name, description: description, owners: owners)
        d._location = try location()
        return d
    }

    mutating func product() throws(CodecError) -> Product {
        let odpsID = try string(), apiVersion = try string(), name = try string(), version = try optionalString()
        let status = try string(), domain = try optionalString(), tenant = try optionalString(), purpose = try optionalString()
        var p = Product(odpsID: odpsID, name: name, domain: domain, status: status)
        p.apiVersion = apiVersion
        p.version = version
        p.tenant = tenant
        p.purpose = purpose
        p.inputPorts = try list { r throws(CodecError) in
            InputPort(name: try r.string(), version: try r.string(), contractId: try r.string(), tags: try r.strings(),
                      _location: try r.location(), _contractLocation: try r.location())
        }
        p.outputPorts = try list { r throws(CodecError) in
            OutputPort(name: try r.string(), version: try r.string(), contractId: try r.optionalString(), type: try r.optionalString(),
                       description: try r.optionalString(), tags: try r.strings(),
                       _location: try r.location(), _contractLocation: try r.location())
        }
        p.tags = try strings()
        p.team = try team()
        p.customProperties = try custom()
        p.extra = try yamlMap()
        p._location = try location()
        return p
    }

    mutating func contract() throws(CodecError) -> Contract {
        var c = Contract(id: try string(), apiVersion: try string(), version: try string(), status: try string())
        c.name = try optionalString()
        c.domain = try optionalString()
        c.dataProduct = try optionalString()
        c.tenant = try optionalString()
        c.description = try optional { r throws(CodecError) in
            ContractDescription(purpose: try r.optionalString(), limitations: try r.optionalString(), usage: try r.optionalString())
        }
        c.objects = try list { r throws(CodecError) in
            var o = SchemaObject(name: try r.string())
            o.id = try r.optionalString()
            o.physicalName = try r.optionalString()
            o.physicalType = try r.optionalString()
            o.logicalType = try r.optionalString()
            o.businessName = try r.optionalString()
            o.description = try r.optionalString()
            o.properties = try r.properties()
            o.quality = try r.list { r throws(CodecError) in try r.quality() }
            o.tags = try r.strings()
            o.customProperties = try r.custom()
            o._location = try r.location()
            return o
        }
        c.servers = try list { r throws(CodecError) in
            Server(server: try r.string(), type: try r.string(), description: try r.optionalString(), environment: try r.optionalString(),
                   settings: try r.yamlMap(), _location: try r.location())
        }
        c.roles = try list { r throws(CodecError) in
            Role(role: try r.string(), access: try r.optionalString(), description: try r.optionalString(),
                 firstLevelApprovers: try r.optionalString(), secondLevelApprovers: try r.optionalString(),
                 customProperties: try r.custom(), _location: try r.location())
        }
        c.team = try team()
        c.slaDefaultElement = try optionalString()
        c.sla = try list { r throws(CodecError) in
            SLAProperty(property: try r.string(), value: try r.yaml(), valueExt: try r.optional { r throws(CodecError) in try r.yaml() },
                        unit: try r.optionalString(), element: try r.optionalString(), driver: try r.optionalString(),
                        span: try r.optional { r throws(CodecError) in
                            let value = try r.double()
                            guard let unit = TimeSpan.Unit(rawValue: try r.string()) else { throw CodecError() }
                            return TimeSpan(value, unit)
                        },
                        _location: try r.location())
        }
        c.tags = try strings()
        c.customProperties = try custom()
        c.extra = try yamlMap()
        c._location = try location()
        return c
    }

    mutating func properties() throws(CodecError) -> [SchemaProperty] {
        try list { r throws(CodecError) in
            var p = SchemaProperty(name: try r.string())
            p.id = try r.optionalString()
            p.logicalType = try r.optionalString()
            p.physicalType = try r.optionalString()
            p.physicalName = try r.optionalString()
            p.businessName = try r.optionalString()
            p.description = try r.optionalString()
            p.required = try r.bool()
            p.unique = try r.bool()
            p.primaryKey = try r.bool()
            p.primaryKeyPosition = try r.optionalInt()
            p.partitioned = try r.bool()
            p.classification = try r.optionalString()
            p.logicalTypeOptions = try r.yamlMap()
            p.criticalDataElement = try r.bool()
            p.tags = try r.strings()
            p.quality = try r.list { r throws(CodecError) in try r.quality() }
            p.customProperties = try r.custom()
            p.properties = try r.properties()
            p.items = try r.optional { r throws(CodecError) in ItemsBox(logicalType: try r.optionalString(), properties: try r.properties()) }
            p._location = try r.location()
            return p
        }
    }

    mutating func quality() throws(CodecError) -> QualityRule {
        guard let type = QualityRule.Kind(rawValue: try string()) else { throw CodecError() }
        var q = QualityRule(type: type)
        q.metric = try optionalString()
        q.query = try optionalString()
        q.threshold = try optional { r throws(CodecError) -> Threshold in
            switch try r.byte() {
            case 0: return .mustBe(try r.yaml())
            case 1: return .mustNotBe(try r.yaml())
            case 2: return .mustBeGreaterThan(try r.double())
            case 3: return .mustBeGreaterOrEqualTo(try r.double())
            case 4: return .mustBeLessThan(try r.double())
            case 5: return .mustBeLessOrEqualTo(try r.double())
            case 6: return .mustBeBetween(try r.double(), try r.double())
            case 7: return .mustNotBeBetween(try r.double(), try r.double())
            default: throw CodecError()
            }
        }
        q.unit = try optionalString()
        q.dimension = try optionalString()
        q.severity = try optionalString()
        q.name = try optionalString()
        q.description = try optionalString()
        q.arguments = try optional { r throws(CodecError) in try r.yaml() }
        q._location = try location()
        return q
    }
}
