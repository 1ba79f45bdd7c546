import StewardCore

/// The records of a model view, stored by field: per record kind, one array of values for
/// each field the policies can read (`Demand`), and one of source positions.
///
/// A record is its kind and its index in these arrays. Stored as an array of fields each, a
/// large mesh's 92,000 properties were 92,000 allocations of 23 values, most of them fields
/// no policy reads; this way a record costs no allocation of its own, and an unread field
/// costs nothing.
struct RecordTables: Sendable {
    /// Per kind, per field in `Schema` order: the column that stores it, or -1.
    private let columnOf: [[Int]]
    /// Per kind: the fields kept, with their columns.
    private let kept: [[(field: Int, column: Int)]]
    /// Per kind, per column: the values, by record index.
    private var columns: [[[Value]]]
    /// Per kind: where each record was read; its count is the number of records.
    private var locations: [[SourceLocation]]
    /// Per kind, by record index: positions of fields read from somewhere other than the
    /// record itself (the SLA entry behind `retention`, the quality rule behind
    /// `completeness`); a few a record at most, and none for most. Lists, not a dictionary:
    /// every field an evaluation reads asks for its position, and hashing was 10% of it.
    /// Shorter than the records when the last ones have none.
    private var fieldLocations: [[[FieldLocation]]]

    /// Tables for the fields `demand` can observe, the ones explain names records by, and
    /// the few records every view has one of.
    init(demand: Demand) {
        var columnOf: [[Int]] = []
        for kind in RecordKind.allCases {
            precondition(kind.ordinal == columnOf.count, "RecordKind.ordinal follows the declaration order")
            var next = 0
            columnOf.append(Schema.fields(of: kind).map { field in
                guard demand.wants(kind, field.name) || Self.naming.contains(field.name) || Self.whole.contains(kind) else { return -1 }
                defer { next += 1 }
                return next
            })
        }
        self.columnOf = columnOf
        kept = columnOf.map { kindColumns in kindColumns.enumerated().filter { $0.element >= 0 }.map { ($0.offset, $0.element) } }
        columns = columnOf.map { kindColumns in Array(repeating: [], count: kindColumns.filter { $0 >= 0 }.count) }
        locations = Array(repeating: [], count: columnOf.count)
        fieldLocations = Array(repeating: [], count: columnOf.count)
    }

    /// The fields explain shows a record by (`Explainer.describe`), kept whatever the demand.
    static let naming: Set<String> = ["id", "name", "role", "username"]
    /// Kinds of one record a view, kept whole: callers read them by name (`evaluation.time`).
    static let whole: Set<RecordKind> = [.evaluation, .mesh, .platformTeam]

    func count(_ kind: RecordKind) -> Int { locations[kind.ordinal].count }

    /// Field `field` of a record; missing when the demand left it out.
    func value(_ r: RecordRef, field: Int) -> Value {
        let k = r.kind.ordinal
        let c = columnOf[k][field]
        return c < 0 ? .missing : columns[k][c][Int(r.index)]
    }

    func location(_ r: RecordRef) -> SourceLocation { locations[r.kind.ordinal][Int(r.index)] }

    /// Where field `field` of a record was read.
    func location(_ r: RecordRef, field: Int) -> SourceLocation {
        let k = r.kind.ordinal, index = Int(r.index)
        if index < fieldLocations[k].count {
            for (f, at) in fieldLocations[k][index] where f == field { return at }
        }
        return locations[k][index]
    }

    /// Appends a record given all its fields in `Schema` order; returns its index.
    mutating func append(_ kind: RecordKind, _ fields: [Value], at location: SourceLocation,
                         fieldLocations positions: [FieldLocation] = []) -> Int32 {
        assert(fields.count == columnOf[kind.ordinal].count, "\(kind) built with \(fields.count) fields")
        let index = append(kind, at: location) { fields[$0] }
        for (f, at) in positions { setLocation(kind, Int(index), field: f, at) }
        return index
    }

    /// Appends a record whose field `f` (in `Schema` order) is `field(f)`, asked only for the
    /// fields kept; returns its index. For the kinds of many records (properties), whose
    /// fields built as an array cost an allocation and a copy of every value per record.
    mutating func append(_ kind: RecordKind, at location: SourceLocation, _ field: (Int) -> Value) -> Int32 {
        let k = kind.ordinal
        let index = locations[k].count
        for (f, c) in kept[k] { columns[k][c].append(field(f)) }
        locations[k].append(location)
        return Int32(index)
    }

    /// A field read somewhere other than its record, as records are built: a few per record at
    /// most, so a list (a dictionary each was 10% of building a large mesh's contracts).
    typealias FieldLocation = (field: Int, location: SourceLocation)

    /// Records that field `field` of a record was read at `location`, not where the record was.
    mutating func setLocation(_ kind: RecordKind, _ index: Int, field: Int, _ location: SourceLocation) {
        let k = kind.ordinal
        precondition(index < locations[k].count, "a field position for a record not made yet")
        if fieldLocations[k].count <= index {
            fieldLocations[k] += repeatElement([], count: index + 1 - fieldLocations[k].count)
        }
        if let i = fieldLocations[k][index].firstIndex(where: { $0.field == field }) {
            fieldLocations[k][index][i].location = location
        } else {
            fieldLocations[k][index].append((field, location))
        }
    }

    /// Room for `count` more records of a kind, appended later: a column of 92,000 properties
    /// grown by doubling was copied about seventeen times.
    mutating func reserveCapacity(_ kind: RecordKind, more count: Int) {
        let k = kind.ordinal
        for c in columns[k].indices { columns[k][c].reserveCapacity(columns[k][c].count + count) }
        locations[k].reserveCapacity(locations[k].count + count)
    }

    /// Reserves `count` records of a kind, to be filled by `set`, so others can point at them first.
    mutating func reserve(_ kind: RecordKind, count: Int) {
        let k = kind.ordinal
        for c in columns[k].indices { columns[k][c] += repeatElement(.missing, count: count) }
        locations[k] += repeatElement(SourceLocation(path: ""), count: count)
    }

    /// Fills a reserved record.
    mutating func set(_ kind: RecordKind, _ index: Int, _ fields: [Value], at location: SourceLocation,
                      fieldLocations positions: [FieldLocation] = []) {
        let k = kind.ordinal
        assert(fields.count == columnOf[k].count, "\(kind) built with \(fields.count) fields")
        for (f, c) in kept[k] { columns[k][c][index] = fields[f] }
        locations[k][index] = location
        for (f, at) in positions { setLocation(kind, index, field: f, at) }
    }

    /// Appends the records of `other` (same demand, built apart from these), moving every
    /// reference to a kind `other` holds records of by the count of that kind here; references
    /// to other kinds are left as they are. `other` is emptied.
    mutating func append(moving other: inout RecordTables) -> [Int32] {
        var offsets = Array(repeating: Int32(0), count: locations.count)
        for k in locations.indices where !other.locations[k].isEmpty { offsets[k] = Int32(locations[k].count) }
        let moving = offsets.contains { $0 != 0 }
        for k in locations.indices where !other.locations[k].isEmpty {
            let base = locations[k].count
            for c in columns[k].indices {
                var values = other.columns[k][c]
                other.columns[k][c] = []
                if moving { for i in values.indices { values[i].relocate(by: offsets) } }
                // A kind only `other` has moves over whole, without copying its values.
                if base == 0 { columns[k][c] = values } else { columns[k][c] += values }
            }
            if base == 0 { locations[k] = other.locations[k] } else { locations[k] += other.locations[k] }
            other.locations[k] = []
            if base == 0 {
                fieldLocations[k] = other.fieldLocations[k]
            } else if !other.fieldLocations[k].isEmpty {
                fieldLocations[k] += repeatElement([], count: base - fieldLocations[k].count)
                fieldLocations[k] += other.fieldLocations[k]
            }
            other.fieldLocations[k] = []
        }
        return offsets
    }
}

extension Value {
    /// Moves the record references it holds, at any depth, by `offsets` (per
    /// `RecordKind.ordinal`): for records built apart and then appended after others.
    mutating func relocate(by offsets: [Int32]) {
        switch self {
        case .record(let r):
            self = .record(RecordRef(kind: r.kind, index: r.index + offsets[r.kind.ordinal]))
        case .list(var values):
            guard values.contains(where: \.holdsRecords) else { return }
            self = .missing  // so `values` is the only reference, and changes in place
            for i in values.indices { values[i].relocate(by: offsets) }
            self = .list(values)
        case .set(var values):
            guard values.contains(where: \.holdsRecords) else { return }
            self = .missing
            for i in values.indices { values[i].relocate(by: offsets) }
            self = .set(values)
        case .map(var entries):
            guard entries.values.contains(where: \.holdsRecords) else { return }
            self = .missing
            for key in entries.keys { entries[key]!.relocate(by: offsets) }
            self = .map(entries)
        default:
            return
        }
    }

    func relocated(by offsets: [Int32]) -> Value {
        var v = self
        v.relocate(by: offsets)
        return v
    }

    private var holdsRecords: Bool {
        switch self {
        case .record: true
        case .list(let v), .set(let v): v.contains(where: \.holdsRecords)
        case .map(let m): m.values.contains(where: \.holdsRecords)
        default: false
        }
    }
}
