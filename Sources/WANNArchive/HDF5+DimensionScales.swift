import CHDF5
import Foundation

/// What a dataset holds, said in the file itself, so that a reader who meets it in h5py, xarray
/// or HDFView needs no other document: a one-line description, its units where it has any, a
/// name for each axis, and the legend of each coded column of a table.
public struct DatasetDescription: Sendable {
  public let text: String
  /// One name per axis (`["genome", "repetition", "weights"]`). A 1-d dataset whose single axis
  /// bears its own name (`weights` along `weights`) is that axis's coordinate: its values label
  /// the axis of every dataset beside it that names it.
  public let axes: [String]
  public let units: String?
  /// `(column, legend)` of a table's coded columns, stored as the attribute `COLUMN_codes`
  /// (`"1=linear,2=step,..."`).
  public let codes: [(column: String, legend: String)]

  public init(_ text: String, axes: [String], units: String? = nil, codes: [(column: String, legend: String)] = []) {
    self.text = text
    self.axes = axes
    self.units = units
    self.codes = codes
  }
}

/// HDF5 dimension scales, written by hand as the HDF5 high-level library (H5DS) and netCDF-4 lay
/// them out, so that xarray (h5netcdf), netCDF tools, h5py's `dims` and HDFView name every axis.
/// Written here rather than through libhdf5_hl because that library's name differs between
/// HDF5 builds (hdf5_hl, hdf5_serial_hl) and the layout is small and fixed:
/// - a scale is a dataset in the same group with `CLASS` = "DIMENSION_SCALE" and `NAME`: its own
///   name for a coordinate (a dataset whose values label the axis), or netCDF's marker
///   "This is a netCDF dimension but not a netCDF variable. N" for an axis that only has a name
///   and a length (an empty dataset that takes no space in the file);
/// - a dataset lists its scales in `DIMENSION_LIST` (one object reference per axis);
/// - a scale lists what it labels in `REFERENCE_LIST` ((dataset reference, axis) pairs).
extension H5Location {
  /// netCDF-4's `NAME` of a scale that is a dimension and nothing more (h5netcdf looks for it).
  static let nameOnlyScaleMarker = "This is a netCDF dimension but not a netCDF variable."

  /// Gives dataset `name` (of `shape`) its description, units, legends and named axes.
  func describe(_ name: String, _ d: DatasetDescription, shape: [Int]) throws {
    precondition(d.axes.count == shape.count, "\(path)/\(name): \(d.axes.count) axis names for \(shape.count) axes")
    let dataset = try openDataset(name)
    let described = H5Location(dataset, path: "\(path)/\(name)")
    try described.setAttribute("description", d.text)
    if let units = d.units { try described.setAttribute("units", units) }
    for (column, legend) in d.codes { try described.setAttribute("\(column)_codes", legend) }
    if d.axes == [name] {
      try described.markScale(named: name)
      return
    }
    let scales = try zip(d.axes, shape).map { axis, length in try dimension(axis, length: length, for: name) }
    try attach(scales, to: dataset, at: "\(path)/\(name)")
    try described.setLabels(d.axes)
  }

  /// `DIMENSION_LABELS`: the axis names as H5DS labels them (h5py's `dims[i].label`).
  func setLabels(_ labels: [String]) throws {
    let type = H5Object(try H5.check(id: H5Tcopy(wann_h5t_c_s1()), "string type"), closer: H5Tclose)
    try H5.check(H5Tset_size(type.id, wann_h5t_variable()), "string type")
    var dims = [hsize_t(labels.count)]
    let space = H5Object(try H5.check(id: H5Screate_simple(1, &dims, nil), "dataspace"), closer: H5Sclose)
    let attr = try createAttribute("DIMENSION_LABELS", type: type.id, space: space.id)
    let strings = labels.map { strdup($0) }
    defer { strings.forEach { free($0) } }
    var pointers = strings.map { UnsafePointer($0) }
    try H5.check(H5Awrite(attr.id, type.id, &pointers), "cannot write attribute \(path)@DIMENSION_LABELS")
  }

  /// The scale of axis `axis` in this group: a coordinate written earlier, or a name-only scale
  /// made now. A dataset of another length under that name is a writer's mistake.
  private func dimension(_ axis: String, length: Int, for dataset: String) throws -> H5Object {
    if exists(axis) {
      let shape = try shape(of: axis)
      let scale = try openDataset(axis)
      guard shape == [length], H5Aexists(scale.id, "CLASS") > 0 else {
        throw HDF5Error(
          operation: "cannot label axis '\(axis)' of \(path)/\(dataset) (length \(length)): \(path)/\(axis) "
            + "is not a dimension of that length (shape \(shape))", stack: [])
      }
      return scale
    }
    var dims = [hsize_t(length)]
    let space = H5Object(try H5.check(id: H5Screate_simple(1, &dims, nil), "dataspace"), closer: H5Sclose)
    // Contiguous and never written: HDF5 allocates no data for it, readers see zeros.
    let scale = H5Object(
      try H5.check(
        id: H5Dcreate2(
          object.id, axis, wann_h5t_native_int32(), space.id, wann_h5p_default(),
          wann_h5p_default(), wann_h5p_default()),
        "cannot create dimension \(path)/\(axis)"), closer: H5Dclose)
    let marker =
      Self.nameOnlyScaleMarker + String(repeating: " ", count: max(0, 10 - String(length).count)) + String(length)
    try H5Location(scale, path: "\(path)/\(axis)").markScale(named: marker)
    return scale
  }

  /// Makes this dataset a dimension scale (`CLASS` and `NAME` as fixed-length ASCII strings, as
  /// H5DS writes them).
  func markScale(named name: String) throws {
    try setFixedStringAttribute("CLASS", "DIMENSION_SCALE")
    try setFixedStringAttribute("NAME", name)
  }

  private func setFixedStringAttribute(_ name: String, _ value: String) throws {
    let bytes = Array(value.utf8) + [0]
    let type = H5Object(try H5.check(id: H5Tcopy(wann_h5t_c_s1()), "string type"), closer: H5Tclose)
    try H5.check(H5Tset_size(type.id, bytes.count), "string type")
    try H5.check(H5Tset_strpad(type.id, H5T_STR_NULLTERM), "string type")
    let space = H5Object(try H5.check(id: H5Screate(H5S_SCALAR), "dataspace"), closer: H5Sclose)
    let attr = try createAttribute(name, type: type.id, space: space.id)
    try H5.check(H5Awrite(attr.id, type.id, bytes), "cannot write attribute \(path)@\(name)")
  }

  /// An object reference to `object` (its address in the file; the object may be unlinked yet).
  private static func reference(to object: H5Object, _ what: String) throws -> hobj_ref_t {
    var ref: hobj_ref_t = 0
    try H5.check(H5Rcreate(&ref, object.id, ".", wann_h5r_object(), -1), "cannot refer to \(what)")
    return ref
  }

  /// The layout of one `REFERENCE_LIST` entry (H5DS's: the reference, then the axis as a C int,
  /// padded to 16 bytes).
  private static func referenceListType() throws -> H5Object {
    let type = H5Object(try H5.check(id: H5Tcreate(H5T_COMPOUND, 16), "compound type"), closer: H5Tclose)
    try H5.check(H5Tinsert(type.id, "dataset", 0, wann_h5t_std_ref_obj()), "compound field dataset")
    try H5.check(H5Tinsert(type.id, "dimension", 8, wann_h5t_native_int()), "compound field dimension")
    return type
  }

  /// Attaches `scales` (one per axis) to `dataset`: its `DIMENSION_LIST`, and an entry in each
  /// scale's `REFERENCE_LIST`.
  func attach(_ scales: [H5Object], to dataset: H5Object, at datasetPath: String) throws {
    let refs = try scales.map { try Self.reference(to: $0, "a dimension of \(datasetPath)") }
    let vlen = H5Object(
      try H5.check(id: H5Tvlen_create(wann_h5t_std_ref_obj()), "reference list type"), closer: H5Tclose)
    var dims = [hsize_t(scales.count)]
    let space = H5Object(try H5.check(id: H5Screate_simple(1, &dims, nil), "dataspace"), closer: H5Sclose)
    let list = try Self.createAttribute(
      "DIMENSION_LIST", on: dataset.id, at: datasetPath, type: vlen.id, space: space.id)
    let storage = UnsafeMutablePointer<hobj_ref_t>.allocate(capacity: max(refs.count, 1))
    defer { storage.deallocate() }
    storage.initialize(from: refs, count: refs.count)
    var entries = refs.indices.map { hvl_t(len: 1, p: UnsafeMutableRawPointer(storage + $0)) }
    try H5.check(H5Awrite(list.id, vlen.id, &entries), "cannot write attribute \(datasetPath)@DIMENSION_LIST")

    let datasetRef = try Self.reference(to: dataset, datasetPath)
    let entryType = try Self.referenceListType()
    for (axis, scale) in scales.enumerated() {
      // Read what the scale already labels, add this axis, write the list anew.
      var bytes: [UInt8] = []
      if H5Aexists(scale.id, "REFERENCE_LIST") > 0 {
        let old = H5Object(
          try H5.check(id: H5Aopen(scale.id, "REFERENCE_LIST", wann_h5p_default()), "cannot open REFERENCE_LIST"),
          closer: H5Aclose)
        let oldSpace = H5Object(try H5.check(id: H5Aget_space(old.id), "dataspace"), closer: H5Sclose)
        let n = Int(H5Sget_simple_extent_npoints(oldSpace.id))
        bytes = [UInt8](repeating: 0, count: max(n, 0) * 16)
        if n > 0 { try H5.check(H5Aread(old.id, entryType.id, &bytes), "cannot read a dimension's REFERENCE_LIST") }
        try old.close()
      }
      var entry = [UInt8](repeating: 0, count: 16)
      withUnsafeBytes(of: datasetRef) { entry.replaceSubrange(0..<8, with: $0) }
      withUnsafeBytes(of: Int32(axis)) { entry.replaceSubrange(8..<12, with: $0) }
      bytes += entry
      var count = [hsize_t(bytes.count / 16)]
      let listSpace = H5Object(try H5.check(id: H5Screate_simple(1, &count, nil), "dataspace"), closer: H5Sclose)
      // Replaces the old list.
      let attr = try Self.createAttribute(
        "REFERENCE_LIST", on: scale.id, at: "the dimension \(axis) of \(datasetPath)", type: entryType.id,
        space: listSpace.id)
      try H5.check(H5Awrite(attr.id, entryType.id, bytes), "cannot write a dimension's REFERENCE_LIST")
    }
  }

  /// The names of the scales attached to dataset `name`, one per axis (nil: it has none; an
  /// axis without one gives ""). Object references hold addresses within one file, so a copy
  /// (`copy(_:to:as:)`) reattaches scales by these names.
  func dimensionNames(of name: String) throws -> [String]? {
    let dataset = try openDataset(name)
    guard H5Aexists(dataset.id, "DIMENSION_LIST") > 0 else { return nil }
    let attr = H5Object(
      try H5.check(
        id: H5Aopen(dataset.id, "DIMENSION_LIST", wann_h5p_default()), "cannot open \(path)/\(name)@DIMENSION_LIST"),
      closer: H5Aclose)
    let space = H5Object(try H5.check(id: H5Aget_space(attr.id), "dataspace"), closer: H5Sclose)
    let rank = Int(H5Sget_simple_extent_npoints(space.id))
    guard rank > 0 else { return [] }
    let vlen = H5Object(
      try H5.check(id: H5Tvlen_create(wann_h5t_std_ref_obj()), "reference list type"), closer: H5Tclose)
    var entries = [hvl_t](repeating: hvl_t(len: 0, p: nil), count: rank)
    try H5.check(H5Aread(attr.id, vlen.id, &entries), "cannot read \(path)/\(name)@DIMENSION_LIST")
    defer { for e in entries where e.p != nil { H5free_memory(e.p) } }
    return try entries.map { e in
      guard e.len > 0, let p = e.p else { return "" }
      // The last scale attached to an axis is the one that counts (as netCDF and h5netcdf read it).
      var ref = p.loadUnaligned(fromByteOffset: (e.len - 1) * MemoryLayout<hobj_ref_t>.size, as: hobj_ref_t.self)
      let length = H5Rget_name(dataset.id, wann_h5r_object(), &ref, nil, 0)
      guard length > 0 else { throw H5.failure("cannot name a dimension of \(path)/\(name)") }
      var buffer = [CChar](repeating: 0, count: length + 1)
      H5Rget_name(dataset.id, wann_h5r_object(), &ref, &buffer, length + 1)
      let full = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      return String(full.split(separator: "/").last ?? "")
    }
  }

  /// Attaches to each dataset of `destination` (a copy of this group) the scales of the same
  /// names as in this group.
  func reattachDimensions(in destination: H5Location) throws {
    for child in try children() where (try? openGroup(child)) == nil {
      guard let names = try dimensionNames(of: child), !names.isEmpty, !names.contains("") else { continue }
      let scales = try names.map { try destination.openDataset($0) }
      let copied = try destination.openDataset(child)
      try destination.attach(scales, to: copied, at: "\(destination.path)/\(child)")
      try H5Location(copied, path: "\(destination.path)/\(child)").setLabels(names)
    }
  }
}

/// The attributes a copy does not carry over byte for byte (`reattachDimensions` rebuilds them):
/// object references, which point into the file they were made in, and the labels beside them
/// (an array of strings, which the attribute copy does not handle).
let rebuiltAttributes: Set<String> = ["DIMENSION_LIST", "REFERENCE_LIST", "DIMENSION_LABELS"]
