import CArchiveJournal
import CHDF5
import Foundation

/// A failed HDF5 call, with the library's error stack as its message (HDF5's own printing to
/// stderr is switched off).
public struct HDF5Error: Error, CustomStringConvertible {
  public let operation: String
  public let stack: [String]
  /// The errno of the system call that made HDF5 fail (ENOSPC, EROFS, EACCES, EIO, ...), when
  /// one did: HDF5 reports only that its file driver failed, our driver records why
  /// (`wann_journal_take_error`). Nil for failures inside HDF5 itself.
  public let systemError: Int32?

  public init(operation: String, stack: [String], systemError: Int32? = nil) {
    self.operation = operation
    self.stack = stack
    self.systemError = systemError
  }

  /// A failed system call (errno) outside HDF5, as a failure of `operation`.
  static func system(_ operation: String, errno code: Int32 = errno) -> HDF5Error {
    HDF5Error(operation: "\(operation): \(String(cString: strerror(code)))", stack: [], systemError: code)
  }

  public var description: String {
    stack.isEmpty ? operation : "\(operation): \(stack.joined(separator: "; "))"
  }
}

/// The HDF5 library archives are written with.
public enum ArchiveLibrary {
  /// The version of the HDF5 library wann runs with ("1.14.5"), for `wann --version` and reports.
  public static var hdf5Version: String { H5.libraryVersions.running }
}

/// The thin layer over libhdf5: every raw `hid_t` stays inside this module, every handle is
/// owned by an object that closes it, every failure becomes a thrown `HDF5Error`.
enum H5 {
  /// Done once, before the library's first use: HDF5 must not close files at process exit.
  /// Its exit handler flushes every file still open, and after a failed write (a full disk)
  /// that flush writes half of a generation over a file whose finished generations are intact,
  /// then crashes. We flush and close files ourselves; a file abandoned after a write failure
  /// is left exactly as its last successful flush made it.
  private static let noExitHandler: Void = { _ = H5dont_atexit() }()

  /// Switches off HDF5's automatic error printing for the calling thread (it is per thread).
  static func silence() {
    _ = noExitHandler
    H5Eset_auto2(wann_h5e_default(), nil, nil)
  }

  /// The HDF5 version wann was compiled against and the one it runs with ("1.14.5").
  static var libraryVersions: (built: String, running: String) {
    var built: [UInt32] = [0, 0, 0], running: [UInt32] = [0, 0, 0]
    wann_journal_library_versions(&built, &running)
    return (built.map(String.init).joined(separator: "."), running.map(String.init).joined(separator: "."))
  }

  /// Reads the current error stack into strings, innermost last.
  static func errorStack() -> [String] {
    final class Collector { var lines: [String] = [] }
    let collector = Collector()
    let box = Unmanaged.passRetained(collector)
    defer { box.release() }
    H5Ewalk2(
      wann_h5e_default(), H5E_WALK_DOWNWARD,
      { _, err, data in
        guard let err, let data else { return 0 }
        let c = Unmanaged<Collector>.fromOpaque(data).takeUnretainedValue()
        let desc = err.pointee.desc.map { String(cString: $0) } ?? ""
        let fn = err.pointee.func_name.map { String(cString: $0) } ?? ""
        if !desc.isEmpty { c.lines.append(fn.isEmpty ? desc : "\(desc) (\(fn))") }
        return 0
      }, box.toOpaque())
    H5Eclear2(wann_h5e_default())
    var seen = Set<String>()
    return collector.lines.filter { seen.insert($0).inserted }
  }

  /// The failure HDF5 just reported: its error stack, and the system error behind it if our
  /// file driver saw one.
  static func failure(_ operation: String) -> HDF5Error {
    let stack = errorStack()
    let code = wann_journal_take_error()
    return HDF5Error(operation: operation, stack: stack, systemError: code == 0 ? nil : code)
  }

  @discardableResult
  static func check(_ status: herr_t, _ operation: @autoclosure () -> String) throws -> herr_t {
    if status < 0 { throw failure(operation()) }
    return status
  }

  static func check(id: hid_t, _ operation: @autoclosure () -> String) throws -> hid_t {
    if id < 0 { throw failure(operation()) }
    return id
  }
}

/// Owns one HDF5 identifier and closes it with the matching function: explicitly with
/// `close()`, which reports a failure (for a file: the final flush of its metadata), or when the
/// object goes away, where a failure can only be ignored.
final class H5Object {
  let id: hid_t
  private let closer: (hid_t) -> herr_t
  private var isOpen = true
  init(_ id: hid_t, closer: @escaping (hid_t) -> herr_t) {
    self.id = id
    self.closer = closer
  }

  func close() throws {
    guard isOpen else { return }
    isOpen = false
    if AbandonedObjects.contains(id) { return }
    try H5.check(closer(id), "cannot close HDF5 object")
  }

  /// Gives up the identifier without closing it: closing a file flushes what it still holds,
  /// which after a failed write must not happen (see `H5.noExitHandler`).
  func abandon() { isOpen = false }

  deinit { if isOpen && !AbandonedObjects.contains(id) { _ = closer(id) } }
}

/// The groups, datasets, attributes and types still open in files abandoned after a failed
/// write. None of them is ever closed: closing one makes HDF5 release objects of a file whose
/// flush failed, which crashed HDF5 1.10 (a SIGSEGV in `H5Gclose`) and trips an assertion in
/// HDF5 2.x. The process ends soon after such a failure; the handles go with it.
enum AbandonedObjects {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var ids = Set<hid_t>()

  /// Records every object of `file` that is open now.
  static func addEverythingOpen(in file: hid_t) {
    let kinds = UInt32(H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR)
    let count = H5Fget_obj_count(file, kinds)
    guard count > 0 else { return }
    var found = [hid_t](repeating: -1, count: Int(count))
    let listed = H5Fget_obj_ids(file, kinds, Int(count), &found)
    guard listed > 0 else { return }
    lock.lock()
    ids.formUnion(found.prefix(Int(listed)))
    lock.unlock()
  }

  static func contains(_ id: hid_t) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return !ids.isEmpty && ids.contains(id)
  }
}

/// An element type that can be stored in a dataset or attribute (plain bits, so its memory can
/// be handed to HDF5 as is).
protocol H5Scalar: BitwiseCopyable {
  static var h5Type: hid_t { get }
  static var zero: Self { get }
}
extension Double: H5Scalar {
  static var h5Type: hid_t { wann_h5t_native_double() }
  static var zero: Double { 0 }
}
extension Int8: H5Scalar {
  static var h5Type: hid_t { wann_h5t_native_int8() }
  static var zero: Int8 { 0 }
}
extension Int32: H5Scalar {
  static var h5Type: hid_t { wann_h5t_native_int32() }
  static var zero: Int32 { 0 }
}
extension Int64: H5Scalar {
  static var h5Type: hid_t { wann_h5t_native_int64() }
  static var zero: Int64 { 0 }
}
extension UInt64: H5Scalar {
  static var h5Type: hid_t { wann_h5t_native_uint64() }
  static var zero: UInt64 { 0 }
}

/// A location that holds groups, datasets and attributes: a file's root or a group.
class H5Location {
  let object: H5Object
  let path: String
  init(_ object: H5Object, path: String) {
    self.object = object
    self.path = path
  }

  func exists(_ name: String) -> Bool {
    H5Lexists(object.id, name, wann_h5p_default()) > 0
  }

  /// How new groups store their links: compactly, in the group's own header, up to 16 links
  /// (HDF5's default is 8; a generation's 7 datasets and the 5 dimensions that name their axes
  /// would otherwise move into a heap and a B-tree of their own, about 0.7 KB more per group).
  private static func groupCreation() throws -> H5Object {
    let plist = H5Object(try H5.check(id: H5Pcreate(wann_h5p_group_create()), "group creation list"), closer: H5Pclose)
    try H5.check(H5Pset_link_phase_change(plist.id, 16, 6), "group link storage")
    return plist
  }

  func createGroup(_ name: String) throws -> H5Group {
    let gcpl = try Self.groupCreation()
    let id = try H5.check(
      id: H5Gcreate2(object.id, name, wann_h5p_default(), gcpl.id, wann_h5p_default()),
      "cannot create group \(path)/\(name)")
    return H5Group(H5Object(id, closer: H5Gclose), path: "\(path)/\(name)")
  }

  /// A group not yet linked into the file: written in full and flushed before `link` gives it a
  /// name, so that no reader ever meets a group whose contents a crash or a full disk cut short.
  func createAnonymousGroup() throws -> H5Group {
    let gcpl = try Self.groupCreation()
    let id = try H5.check(
      id: H5Gcreate_anon(object.id, gcpl.id, wann_h5p_default()), "cannot create a group in \(path)")
    return H5Group(H5Object(id, closer: H5Gclose), path: "\(path)/(new)")
  }

  /// Links `group` (from `createAnonymousGroup`) into this location as `name`.
  func link(_ group: H5Group, as name: String) throws -> H5Group {
    try H5.check(
      H5Olink(group.object.id, object.id, name, wann_h5p_default(), wann_h5p_default()), "cannot link \(path)/\(name)")
    return H5Group(group.object, path: "\(path)/\(name)")
  }

  /// Builds a new group at `names` below this location so that no reader sees any of it before
  /// it is complete: the groups of the path that exist are opened; the first missing one is
  /// created unlinked and the rest inside it. `fill` receives each group it creates (with its
  /// position in `names`) and finally the innermost group's parent and the innermost name's
  /// new group. Returns the link still to make (`commit` it after writing and flushing).
  func buildGroup(_ names: [String], created: (Int, H5Group) throws -> Void) throws -> (
    group: H5Group, pending: PendingLink
  ) {
    precondition(!names.isEmpty)
    var location: H5Location = self
    var i = 0
    while i < names.count - 1, location.exists(names[i]) {
      location = try location.openGroup(names[i])
      i += 1
    }
    let top = try location.createAnonymousGroup()
    try created(i, top)
    var group = top
    for j in (i + 1)..<names.count {
      group = try group.createGroup(names[j])
      try created(j, group)
    }
    return (group, PendingLink(parent: location, group: top, name: names[i]))
  }

  func openGroup(_ name: String) throws -> H5Group {
    let found = H5Lexists(object.id, name, wann_h5p_default())
    if found < 0 { throw H5.failure("cannot look up group \(path)/\(name)") }
    guard found > 0 else { throw HDF5Error(operation: "no group \(path)/\(name)", stack: []) }
    let id = try H5.check(id: H5Gopen2(object.id, name, wann_h5p_default()), "cannot open group \(path)/\(name)")
    return H5Group(H5Object(id, closer: H5Gclose), path: "\(path)/\(name)")
  }

  /// Copies `name` (a group with everything below it, or a dataset) from this location into
  /// `destination` as `newName`. Dataset bytes, chunks and filters are copied as stored
  /// (H5Ocopy), which is what makes a merged archive equal its shards bit for bit; attributes
  /// are copied one by one, because H5Ocopy of an object with many (dense) variable-length string
  /// attributes crashes HDF5 before 1.14.4 (HDFGroup/hdf5 issues 2414 and 3214), and our
  /// config groups hold such attributes.
  func copy(_ name: String, to destination: H5Location, as newName: String) throws {
    let id = try H5.check(id: H5Oopen(object.id, name, wann_h5p_default()), "cannot open \(path)/\(name)")
    let isGroup = H5Iget_type(id) == H5I_GROUP
    H5Oclose(id)
    if isGroup {
      let source = try openGroup(name)
      let target = try destination.createGroup(newName)
      try source.copyAttributes(to: target)
      for child in try source.children() { try source.copy(child, to: target, as: child) }
      try source.reattachDimensions(in: target)
      return
    }
    let plist = H5Object(try H5.check(id: H5Pcreate(wann_h5p_object_copy()), "object copy list"), closer: H5Pclose)
    try H5.check(H5Pset_copy_object(plist.id, UInt32(H5O_COPY_WITHOUT_ATTR_FLAG)), "object copy list")
    try H5.check(
      H5Ocopy(object.id, name, destination.object.id, newName, plist.id, wann_h5p_default()),
      "cannot copy \(path)/\(name) to \(destination.path)/\(newName)")
    let source = H5Location(
      H5Object(
        try H5.check(id: H5Dopen2(object.id, name, wann_h5p_default()), "cannot open \(path)/\(name)"),
        closer: H5Dclose), path: "\(path)/\(name)")
    let target = H5Location(
      H5Object(
        try H5.check(
          id: H5Dopen2(destination.object.id, newName, wann_h5p_default()),
          "cannot open \(destination.path)/\(newName)"), closer: H5Dclose),
      path: "\(destination.path)/\(newName)")
    try source.copyAttributes(to: target)
  }

  func delete(_ name: String) throws {
    try H5.check(H5Ldelete(object.id, name, wann_h5p_default()), "cannot delete \(path)/\(name)")
  }

  /// The names of this group's links, in name order (one pass over the link table).
  func children() throws -> [String] {
    final class Names { var list: [String] = [] }
    let names = Names()
    let status = withExtendedLifetime(names) {
      wann_h5_link_names(
        object.id,
        { name, context in
          guard let name, let context else { return }
          Unmanaged<Names>.fromOpaque(context).takeUnretainedValue().list.append(String(cString: name))
        }, Unmanaged.passUnretained(names).toOpaque())
    }
    try H5.check(status, "cannot list \(path)")
    return names.list
  }
}

final class H5Group: H5Location {}

/// A group built unlinked, to be linked under its name once written and flushed.
struct PendingLink {
  let parent: H5Location
  let group: H5Group
  let name: String
  func commit() throws { _ = try parent.link(group, as: name) }
}

/// How often a writer commits (`H5File.flush`): every flush by default, which a careful user
/// wants (a kill or a power cut then loses nothing finished); `WANN_COMMIT_EVERY=SECONDS`
/// commits at most that often, for disks whose syncs are slow (a generation finished since the
/// last commit is then lost to a kill or a power cut, and readers see it only once committed).
/// docs/reliability.md has the measured cost of committing every generation.
public enum CommitInterval {
  static let seconds: TimeInterval = (try? parse(ProcessInfo.processInfo.environment["WANN_COMMIT_EVERY"])) ?? 0

  /// The interval `text` asks for: 0 (every flush) when unset or empty.
  static func parse(_ text: String?) throws -> TimeInterval {
    guard let text, !text.isEmpty else { return 0 }
    guard let value = Double(text), value.isFinite, value >= 0, value <= 86_400 else {
      throw ArchiveError.badCommitInterval(text: text)
    }
    return value
  }

  /// Refuses a WANN_COMMIT_EVERY that is not a number of seconds in 0...86400 (the CLI calls it
  /// before anything runs).
  /// Also refuses a WANN_COMMIT_GATE_WAIT_MS the driver would misread (`parseGateWait`).
  public static func check() throws {
    _ = try parse(ProcessInfo.processInfo.environment["WANN_COMMIT_EVERY"])
    _ = try parseGateWait(ProcessInfo.processInfo.environment["WANN_COMMIT_GATE_WAIT_MS"])
  }

  /// How long (milliseconds) a commit waits for reads in progress, and a read for a commit,
  /// before going on without the commit gate: `text` as the driver reads it (archive_lock.c), nil
  /// when unset (the driver's 10 s).
  static func parseGateWait(_ text: String?) throws -> Int? {
    guard let text, !text.isEmpty else { return nil }
    guard let ms = Int(text), (0...600_000).contains(ms) else { throw ArchiveError.badCommitGateWait(text: text) }
    return ms
  }
}

/// An open HDF5 file. Closed when the object goes away; `flush()` commits what was written so
/// far, synced: it survives a kill of this process and a power loss.
final class H5File: H5Location {
  enum Mode { case create, readOnly, readWrite }

  /// A new archive's temporary and final names, until it is renamed (`commitPendingRename`).
  var pendingRename: (from: String, to: String)?

  init(path: String, mode: Mode) throws {
    H5.silence()
    let fapl = H5Object(try H5.check(id: H5Pcreate(wann_h5p_file_access()), "file access list"), closer: H5Pclose)
    // Close every object with the file, so a leaked handle cannot keep the file open.
    try H5.check(H5Pset_fclose_degree(fapl.id, H5F_CLOSE_STRONG), "file close degree")
    // No HDF5 file lock: readers (wann inspect, h5py) may open an archive while a search writes
    // it, which HDF5's lock forbids. Two writers are kept apart by our own lock (`ArchiveLock`),
    // which holds whatever HDF5_USE_FILE_LOCKING says.
    try H5.check(H5Pset_file_locking(fapl.id, false, true), "file locking")
    // The file format is pinned to HDF5 1.8's (low and high bound H5F_LIBVER_V18): its object
    // headers, B-trees and heaps carry checksums, so damaged metadata is an error rather than
    // wrong data, and every HDF5 from 1.8 on reads it (1.10, 1.12, 1.14, h5py's own). Pinned
    // for every write, new file or not, so an HDF5 1.14 that appends to an archive adds nothing
    // that an HDF5 1.10 cannot read.
    if mode != .readOnly {
      try H5.check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_V18), "format version")
    }
    // Writers journal what a flush overwrites (`ArchiveJournal`); opening for writing first rolls
    // back a flush that a killed writer left half done. Readers use the same driver (it then
    // only reads), so that HDF5 knows a file this process has open for reading when a writer in
    // this process opens it too, and refuses, as it does for two opens through one driver.
    if wann_journal_use(fapl.id) < 0 {
      let failure = H5.failure("cannot use the journaling file driver")
      if wann_journal_registration_failed() != 0 {
        throw ArchiveError.incompatibleLibrary(archive: path, versions: H5.libraryVersions, cause: failure)
      }
      throw failure
    }
    let id: hid_t
    switch mode {
    case .create:
      // A 512-byte user block (which HDF5 skips and never writes) holds the archive's id, which
      // binds a journal to the file it belongs to (`wann_journal_stamp`). h5py and every HDF5
      // read such files as any other.
      let fcpl = H5Object(try H5.check(id: H5Pcreate(wann_h5p_file_create()), "file creation list"), closer: H5Pclose)
      try H5.check(H5Pset_userblock(fcpl.id, hsize_t(Self.userBlockSize)), "user block")
      id = H5Fcreate(path, wann_h5f_acc_excl(), fcpl.id, fapl.id)
    case .readOnly:
      id = H5Fopen(path, wann_h5f_acc_rdonly(), fapl.id)
    case .readWrite:
      id = H5Fopen(path, wann_h5f_acc_rdwr(), fapl.id)
    }
    let verb = mode == .create ? "create" : "open"
    ArchiveJournal.reportSetAside()
    super.init(H5Object(try H5.check(id: id, "cannot \(verb) HDF5 file \(path)"), closer: H5Fclose), path: "")
  }

  /// Stamps a new file's archive id in its user block (see `init`): once, before anything else
  /// is written to it.
  func stamp() throws { try H5.check(wann_journal_stamp(object.id), "cannot write the archive id") }

  /// The bytes before the HDF5 superblock of a file wann creates (see `init`).
  static let userBlockSize = 512

  /// The group that holds the runs of a multi-run archive ("experiments" in experiment
  /// archives, "runs" in comparison archives).
  var runsGroupName: String {
    guard (try? stringAttribute("kind")) == "experiment" else { return ArchiveSchema.runsGroup }
    // Experiment archives written before the rename kept their runs under /runs.
    return exists(ArchiveSchema.runsGroup) && !exists(ArchiveSchema.experimentsGroup)
      ? ArchiveSchema.runsGroup : ArchiveSchema.experimentsGroup
  }

  /// Writes everything HDF5 holds, then commits it (synced): from here a kill or a power cut
  /// leaves this state. With `WANN_COMMIT_EVERY=SECONDS` (`CommitInterval`), a flush within that
  /// many seconds of the last commit is left for later, unless `force`d; closing the file always
  /// commits.
  /// Returns whether it committed.
  @discardableResult
  func flush(force: Bool = false) throws -> Bool {
    let now = Date()
    if !force, let last = lastCommit, now.timeIntervalSince(last) < CommitInterval.seconds { return false }
    try H5.check(H5Fflush(object.id, H5F_SCOPE_GLOBAL), "cannot flush the archive")
    try H5.check(wann_journal_commit(object.id), "cannot commit the flush")
    lastCommit = now
    return true
  }

  /// When this file was last committed (nil: not yet).
  private var lastCommit: Date?

  /// Tells the journal that the file now has the name `path` (its journal follows it).
  func renamed(to path: String) throws {
    try H5.check(wann_journal_renamed(object.id, path), "cannot rename the journal of \(path)")
  }

  /// Closes the file, writing what HDF5 still holds in memory; throws if that fails.
  func close() throws { try object.close() }

  /// Leaves the file as its last successful flush made it (after a failed write).
  func abandon() {
    isAbandoned = true
    AbandonedObjects.addEverythingOpen(in: object.id)
    object.abandon()
  }

  /// Set by `abandon`: nothing more is written to this file.
  private(set) var isAbandoned = false

  /// True if `path` is an HDF5 file by its signature (false for other files and truncated ones
  /// whose superblock is gone).
  static func isHDF5(_ path: String) -> Bool {
    H5.silence()
    return H5Fis_hdf5(path) > 0
  }
}
