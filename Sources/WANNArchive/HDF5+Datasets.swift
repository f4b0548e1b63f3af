import CHDF5
import Foundation

/// A column of a compound table (one field per column; h5py reads the table as a NumPy
/// structured array).
public enum ArchiveColumn: Sendable {
  case int8(String, [Int8])
  case int32(String, [Int32])
  case int64(String, [Int64])
  case float64(String, [Double])

  var name: String {
    switch self {
    case .int8(let n, _), .int32(let n, _), .int64(let n, _), .float64(let n, _): n
    }
  }
  var count: Int {
    switch self {
    case .int8(_, let v): v.count
    case .int32(_, let v): v.count
    case .int64(_, let v): v.count
    case .float64(_, let v): v.count
    }
  }
  var size: Int {
    switch self {
    case .int8: 1
    case .int32: 4
    case .int64, .float64: 8
    }
  }
  var type: hid_t {
    switch self {
    case .int8: Int8.h5Type
    case .int32: Int32.h5Type
    case .int64: Int64.h5Type
    case .float64: Double.h5Type
    }
  }
}

/// Datasets: N-d arrays and compound tables, written (chunked, checksummed, compressed when
/// large) and read back, and the walk that reads everything to find damage.
extension H5Location {
  /// Creates an N-d dataset of `T`, chunked and compressed (gzip + shuffle) when `compress`,
  /// described in the file (`describe`).
  func writeArray<T: H5Scalar>(
    _ name: String, _ values: [T], shape: [Int], compress: Bool = true, _ about: DatasetDescription
  ) throws {
    try writeArray(name, values, shape: shape, compress: compress)
    try describe(name, about, shape: shape)
  }

  private func writeArray<T: H5Scalar>(_ name: String, _ values: [T], shape: [Int], compress: Bool) throws {
    precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
    var dims = shape.map { hsize_t($0) }
    let space = H5Object(
      try H5.check(id: H5Screate_simple(Int32(dims.count), &dims, nil), "dataspace"), closer: H5Sclose)
    let plist = try datasetCreation(shape: shape, rowBytes: MemoryLayout<T>.size, compress: compress)
    let ds = H5Object(
      try H5.check(
        id: H5Dcreate2(object.id, name, T.h5Type, space.id, wann_h5p_default(), plist.id, wann_h5p_default()),
        "cannot create dataset \(path)/\(name)"), closer: H5Dclose)
    if values.isEmpty { return }
    _ = try values.withUnsafeBytes { buf in
      try H5.check(
        H5Dwrite(ds.id, T.h5Type, wann_h5s_all(), wann_h5s_all(), wann_h5p_default(), buf.baseAddress),
        "cannot write dataset \(path)/\(name)")
    }
  }

  /// Creates a 1-d table of a compound type with one field per column (h5py gives a NumPy
  /// structured array; `pandas.DataFrame(dataset[()])` turns it into a frame), described in the
  /// file (`describe`).
  func writeTable(_ name: String, _ columns: [ArchiveColumn], compress: Bool = true, _ about: DatasetDescription) throws
  {
    try writeTable(name, columns, compress: compress)
    try describe(name, about, shape: [columns.first?.count ?? 0])
  }

  private func writeTable(_ name: String, _ columns: [ArchiveColumn], compress: Bool) throws {
    let rows = columns.first?.count ?? 0
    precondition(columns.allSatisfy { $0.count == rows }, "table \(name): columns differ in length")
    let rowSize = columns.reduce(0) { $0 + $1.size }
    let type = H5Object(try H5.check(id: H5Tcreate(H5T_COMPOUND, rowSize), "compound type"), closer: H5Tclose)
    var offset = 0
    for c in columns {
      try H5.check(H5Tinsert(type.id, c.name, offset, c.type), "compound field \(c.name)")
      offset += c.size
    }
    var bytes = [UInt8](repeating: 0, count: max(rows * rowSize, 1))
    bytes.withUnsafeMutableBytes { buf in
      var colOffset = 0
      for c in columns {
        for r in 0..<rows {
          let dst = buf.baseAddress! + r * rowSize + colOffset
          switch c {
          case .int8(_, let v): dst.storeBytes(of: v[r], as: Int8.self)
          case .int32(_, let v): dst.storeBytes(of: v[r], as: Int32.self)
          case .int64(_, let v): dst.storeBytes(of: v[r], as: Int64.self)
          case .float64(_, let v): dst.storeBytes(of: v[r], as: Double.self)
          }
        }
        colOffset += c.size
      }
    }
    var dims = [hsize_t(rows)]
    let space = H5Object(try H5.check(id: H5Screate_simple(1, &dims, nil), "dataspace"), closer: H5Sclose)
    let plist = try datasetCreation(shape: [rows], rowBytes: rowSize, compress: compress)
    let ds = H5Object(
      try H5.check(
        id: H5Dcreate2(object.id, name, type.id, space.id, wann_h5p_default(), plist.id, wann_h5p_default()),
        "cannot create table \(path)/\(name)"), closer: H5Dclose)
    if rows == 0 { return }
    _ = try bytes.withUnsafeBytes { buf in
      try H5.check(
        H5Dwrite(ds.id, type.id, wann_h5s_all(), wann_h5s_all(), wann_h5p_default(), buf.baseAddress),
        "cannot write table \(path)/\(name)")
    }
  }

  private func datasetCreation(shape: [Int], rowBytes: Int, compress: Bool) throws -> H5Object {
    let plist = H5Object(try H5.check(id: H5Pcreate(wann_h5p_dataset_create()), "property list"), closer: H5Pclose)
    // Filters need chunks; chunks must be non-zero and fit the dimensions.
    // Every non-empty dataset is chunked so that it can carry a Fletcher32 checksum: a flipped
    // bit in its data is a read error naming the dataset, never a wrong number. Chunks run along
    // the first axis, about 64 KiB each; small datasets are one chunk.
    guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) else { return plist }
    let total = shape.reduce(1, *) * rowBytes
    let inner = shape.dropFirst().reduce(1, *) * rowBytes
    let first = max(1, min(shape[0], 65536 / max(inner, 1)))
    var chunk = [hsize_t(first)] + shape.dropFirst().map { hsize_t($0) }
    try H5.check(H5Pset_chunk(plist.id, Int32(chunk.count), &chunk), "chunking")
    if compress && total >= 1024 {
      try H5.check(H5Pset_shuffle(plist.id), "shuffle filter")
      try H5.check(H5Pset_deflate(plist.id, 4), "gzip filter")
    }
    try H5.check(H5Pset_fletcher32(plist.id), "checksum filter")
    return plist
  }

  func openDataset(_ name: String) throws -> H5Object {
    guard exists(name) else { throw HDF5Error(operation: "missing dataset \(path)/\(name)", stack: []) }
    return H5Object(
      try H5.check(id: H5Dopen2(object.id, name, wann_h5p_default()), "cannot open dataset \(path)/\(name)"),
      closer: H5Dclose)
  }

  func shape(of name: String) throws -> [Int] {
    let ds = try openDataset(name)
    let space = H5Object(try H5.check(id: H5Dget_space(ds.id), "dataspace"), closer: H5Sclose)
    let rank = Int(H5Sget_simple_extent_ndims(space.id))
    var dims = [hsize_t](repeating: 0, count: max(rank, 1))
    H5Sget_simple_extent_dims(space.id, &dims, nil)
    return dims.prefix(rank).map { Int($0) }
  }

  func readArray<T: H5Scalar>(_ name: String, as: T.Type = T.self) throws -> [T] {
    let ds = try openDataset(name)
    let n = try shape(of: name).reduce(1, *)
    var out = [T](repeating: T.zero, count: n)
    if n == 0 { return out }
    _ = try out.withUnsafeMutableBytes { buf in
      try H5.check(
        H5Dread(ds.id, T.h5Type, wann_h5s_all(), wann_h5s_all(), wann_h5p_default(), buf.baseAddress),
        "cannot read dataset \(path)/\(name)")
    }
    return out
  }

  /// Reads a whole dataset in its own type, only to check that it reads (checksums, inflation).
  func readRaw(_ name: String) throws {
    let ds = try openDataset(name)
    let type = H5Object(try H5.check(id: H5Dget_type(ds.id), "type of \(path)/\(name)"), closer: H5Tclose)
    let size = H5Tget_size(type.id)
    let n = try shape(of: name).reduce(1, *)
    guard n > 0, size > 0 else { return }
    var buffer = [UInt8](repeating: 0, count: n * size)
    _ = try buffer.withUnsafeMutableBytes { buf in
      try H5.check(
        H5Dread(ds.id, type.id, wann_h5s_all(), wann_h5s_all(), wann_h5p_default(), buf.baseAddress),
        "cannot read dataset \(path)/\(name)")
    }
  }

  /// Walks every group and dataset below this location, reading each dataset in full, and
  /// returns what failed: "PATH: why" per damaged object. What is intact is all read.
  func damagedObjects() -> [String] {
    var damaged: [String]
    if self is H5File {
      // A file's attributes belong to its root group.
      let rootID = H5Gopen2(object.id, "/", wann_h5p_default())
      guard rootID >= 0 else { return ["/: the root group does not open: \(H5.errorStack().joined(separator: "; "))"] }
      let root = H5Object(rootID, closer: H5Gclose)
      damaged = damagedAttributes(of: root.id, at: "/")
    } else {
      damaged = damagedAttributes(of: object.id, at: path)
    }
    let names: [String]
    do { names = try children() } catch { return ["\(path.isEmpty ? "/" : path): \(error)"] }
    for name in names {
      if let group = try? openGroup(name) {
        damaged += group.damagedObjects()
        continue
      }
      do {
        try readRaw(name)
        let dataset = try openDataset(name)
        damaged += damagedAttributes(of: dataset.id, at: "\(path)/\(name)")
      } catch { damaged.append("\(path)/\(name): \(error)") }
    }
    return damaged
  }

  /// Opens and reads every attribute of an object; lists those that fail.
  private func damagedAttributes(of id: hid_t, at where_: String) -> [String] {
    let count = H5Aget_num_attrs(id)
    guard count >= 0 else {
      return ["\(where_): cannot count its attributes: \(H5.errorStack().joined(separator: "; "))"]
    }
    var damaged: [String] = []
    for i in 0..<Int(count) {
      // Name order: creation order is tracked only when a file asks for it.
      let attrID = H5Aopen_by_idx(
        id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(i), wann_h5p_default(), wann_h5p_default())
      guard attrID >= 0 else {
        damaged.append("\(where_): attribute \(i) does not open: \(H5.errorStack().joined(separator: "; "))")
        continue
      }
      let a = H5Object(attrID, closer: H5Aclose)
      let type = H5Aget_type(a.id)
      let space = H5Aget_space(a.id)
      defer {
        if type >= 0 { H5Tclose(type) }
        if space >= 0 { H5Sclose(space) }
      }
      guard type >= 0, space >= 0 else {
        damaged.append("\(where_): attribute \(i) is unreadable: \(H5.errorStack().joined(separator: "; "))")
        continue
      }
      // Variable-length strings hold pointers that would need freeing: their reading is
      // checked by the callers that use them; fixed-size values are read here.
      if H5Tis_variable_str(type) > 0 { continue }
      let n = max(Int(H5Sget_simple_extent_npoints(space)), 0)
      var buffer = [UInt8](repeating: 0, count: max(n * H5Tget_size(type), 1))
      if H5Aread(a.id, type, &buffer) < 0 {
        damaged.append("\(where_): attribute \(i) does not read: \(H5.errorStack().joined(separator: "; "))")
      } else if H5Tget_class(type) == H5T_VLEN {
        // A dimension list: each entry's references were allocated by HDF5.
        buffer.withUnsafeBytes { raw in
          for k in 0..<n {
            if let p = raw.loadUnaligned(fromByteOffset: k * MemoryLayout<hvl_t>.size, as: hvl_t.self).p {
              H5free_memory(p)
            }
          }
        }
      }
    }
    return damaged
  }

  /// Reads one field of a compound table (HDF5 matches fields by name).
  func readColumn<T: H5Scalar>(_ table: String, _ field: String, as: T.Type = T.self) throws -> [T] {
    let ds = try openDataset(table)
    let n = try shape(of: table).first ?? 0
    let type = H5Object(
      try H5.check(id: H5Tcreate(H5T_COMPOUND, MemoryLayout<T>.size), "compound type"), closer: H5Tclose)
    try H5.check(H5Tinsert(type.id, field, 0, T.h5Type), "compound field \(field)")
    var out = [T](repeating: T.zero, count: n)
    if n == 0 { return out }
    _ = try out.withUnsafeMutableBytes { buf in
      try H5.check(
        H5Dread(ds.id, type.id, wann_h5s_all(), wann_h5s_all(), wann_h5p_default(), buf.baseAddress),
        "cannot read column \(field) of \(path)/\(table)")
    }
    return out
  }
}
