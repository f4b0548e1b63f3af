import CHDF5
import Foundation

/// Attributes of a group or dataset: numbers, arrays and strings, written and read back, and
/// copied from one object to another.
extension H5Location {
  func hasAttribute(_ name: String) -> Bool { H5Aexists(object.id, name) > 0 }

  /// Removes an attribute (tests use it to make an archive look like an older version's).
  func deleteAttribute(_ name: String) throws {
    try H5.check(H5Adelete(object.id, name), "cannot delete attribute \(path)@\(name)")
  }

  /// Creates attribute `name` of this object, replacing one of that name; the caller writes it.
  func createAttribute(_ name: String, type: hid_t, space: hid_t) throws -> H5Object {
    try Self.createAttribute(name, on: object.id, at: path, type: type, space: space)
  }

  /// The same for any object (a dataset opened by id, a dimension scale), `path` naming it in errors.
  static func createAttribute(_ name: String, on id: hid_t, at path: String, type: hid_t, space: hid_t) throws
    -> H5Object
  {
    if H5Aexists(id, name) > 0 { try H5.check(H5Adelete(id, name), "cannot replace attribute \(path)@\(name)") }
    let attribute = try H5.check(
      id: H5Acreate2(id, name, type, space, wann_h5p_default(), wann_h5p_default()),
      "cannot create attribute \(path)@\(name)")
    return H5Object(attribute, closer: H5Aclose)
  }

  func setAttribute<T: H5Scalar>(_ name: String, _ value: T) throws {
    let space = H5Object(try H5.check(id: H5Screate(H5S_SCALAR), "dataspace"), closer: H5Sclose)
    let attr = try createAttribute(name, type: T.h5Type, space: space.id)
    var v = value
    try H5.check(H5Awrite(attr.id, T.h5Type, &v), "cannot write attribute \(path)@\(name)")
  }

  func setAttribute<T: H5Scalar>(_ name: String, array: [T]) throws {
    var dims = [hsize_t(array.count)]
    let space = H5Object(try H5.check(id: H5Screate_simple(1, &dims, nil), "dataspace"), closer: H5Sclose)
    let attr = try createAttribute(name, type: T.h5Type, space: space.id)
    _ = try array.withUnsafeBytes { buf in
      try H5.check(H5Awrite(attr.id, T.h5Type, buf.baseAddress), "cannot write attribute \(path)@\(name)")
    }
  }

  /// A variable-length UTF-8 string attribute (h5py reads it as `str`).
  func setAttribute(_ name: String, _ value: String) throws {
    let type = H5Object(try H5.check(id: H5Tcopy(wann_h5t_c_s1()), "string type"), closer: H5Tclose)
    try H5.check(H5Tset_size(type.id, wann_h5t_variable()), "string type")
    try H5.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "string type")
    let space = H5Object(try H5.check(id: H5Screate(H5S_SCALAR), "dataspace"), closer: H5Sclose)
    let attr = try createAttribute(name, type: type.id, space: space.id)
    _ = try value.withCString { cstr in
      var p: UnsafePointer<CChar>? = cstr
      return try H5.check(H5Awrite(attr.id, type.id, &p), "cannot write attribute \(path)@\(name)")
    }
  }

  private func openAttribute(_ name: String) throws -> H5Object {
    guard hasAttribute(name) else { throw HDF5Error(operation: "missing attribute \(path)@\(name)", stack: []) }
    return H5Object(
      try H5.check(id: H5Aopen(object.id, name, wann_h5p_default()), "cannot open attribute \(path)@\(name)"),
      closer: H5Aclose)
  }

  func attribute<T: H5Scalar>(_ name: String, as: T.Type = T.self) throws -> T {
    let attr = try openAttribute(name)
    var v = T.zero
    try H5.check(H5Aread(attr.id, T.h5Type, &v), "cannot read attribute \(path)@\(name)")
    return v
  }

  /// A 1-d array attribute (written by `setAttribute(_:array:)`).
  func attributeArray<T: H5Scalar>(_ name: String, as: T.Type = T.self) throws -> [T] {
    let attr = try openAttribute(name)
    let space = H5Object(try H5.check(id: H5Aget_space(attr.id), "dataspace"), closer: H5Sclose)
    let n = Int(H5Sget_simple_extent_npoints(space.id))
    guard n >= 0 else { throw H5.failure("cannot size attribute \(path)@\(name)") }
    var out = [T](repeating: T.zero, count: n)
    if n == 0 { return out }
    _ = try out.withUnsafeMutableBytes { buf in
      try H5.check(H5Aread(attr.id, T.h5Type, buf.baseAddress), "cannot read attribute \(path)@\(name)")
    }
    return out
  }

  func stringAttribute(_ name: String) throws -> String {
    let attr = try openAttribute(name)
    let type = H5Object(try H5.check(id: H5Tcopy(wann_h5t_c_s1()), "string type"), closer: H5Tclose)
    try H5.check(H5Tset_size(type.id, wann_h5t_variable()), "string type")
    try H5.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "string type")
    var p: UnsafeMutablePointer<CChar>? = nil
    try H5.check(H5Aread(attr.id, type.id, &p), "cannot read attribute \(path)@\(name) as a string")
    guard let p else { return "" }
    defer { H5free_memory(p) }
    return String(cString: p)
  }

  /// Copies every attribute of this location to `destination`: strings as strings, numbers and
  /// numeric arrays with their stored type and shape.
  func copyAttributes(to destination: H5Location) throws {
    var index: hsize_t = 0
    while true {
      let aid = H5Aopen_by_idx(
        object.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, wann_h5p_default(), wann_h5p_default())
      guard aid >= 0 else { break }
      let attr = H5Object(aid, closer: H5Aclose)
      index += 1
      let length = H5Aget_name(attr.id, 0, nil)
      guard length >= 0 else { throw H5.failure("cannot name an attribute of \(path)") }
      var buffer = [CChar](repeating: 0, count: length + 1)
      H5Aget_name(attr.id, length + 1, &buffer)
      let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if rebuiltAttributes.contains(name) { continue }
      let type = H5Object(try H5.check(id: H5Aget_type(attr.id), "type of \(path)@\(name)"), closer: H5Tclose)
      if H5Tis_variable_str(type.id) > 0 {
        try destination.setAttribute(name, try stringAttribute(name))
        continue
      }
      let memory = H5Object(
        try H5.check(id: H5Tget_native_type(type.id, H5T_DIR_ASCEND), "type of \(path)@\(name)"), closer: H5Tclose)
      let space = H5Object(try H5.check(id: H5Aget_space(attr.id), "dataspace of \(path)@\(name)"), closer: H5Sclose)
      let count = max(0, Int(H5Sget_simple_extent_npoints(space.id)))
      var bytes = [UInt8](repeating: 0, count: max(1, count * H5Tget_size(memory.id)))
      try H5.check(H5Aread(attr.id, memory.id, &bytes), "cannot read attribute \(path)@\(name)")
      let copy = H5Object(
        try H5.check(
          id: H5Acreate2(destination.object.id, name, type.id, space.id, wann_h5p_default(), wann_h5p_default()),
          "cannot create attribute \(destination.path)@\(name)"), closer: H5Aclose)
      try H5.check(H5Awrite(copy.id, memory.id, &bytes), "cannot write attribute \(destination.path)@\(name)")
    }
  }
}
