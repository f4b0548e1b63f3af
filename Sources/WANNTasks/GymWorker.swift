import Dispatch
import Foundation
import Glibc
import Synchronization
import WANNCore

/// Why a Gymnasium task cannot go on: each case reads as the one line the user sees.
public enum GymFailure: Error, CustomStringConvertible, Sendable {
  /// No interpreter at the path wann would start.
  case noInterpreter(path: String, reason: String)
  /// The interpreter lacks a package (gymnasium, numpy, the environment's own).
  case missingPackage(package: String, python: String)
  /// The environment's Gymnasium id is not registered.
  case unknownEnvironment(id: String, closest: [String])
  /// The environment or its kwargs could not be set up, or a space is not supported.
  case setUp(String)
  /// An exception inside the environment, a non-finite number, or a worker that died or hung.
  case episode(String)

  public var description: String {
    switch self {
    case .noInterpreter(let path, let reason):
      "cannot start the Python interpreter \(path) (\(reason)): run scripts/demo's set-up once (it makes .venv), or name one with --python PATH or WANN_PYTHON"
    case .missingPackage(let package, let python):
      "the Python package '\(package)' is not installed for \(python): run `\(python) -m pip install \(package == "Box2D" ? "\"gymnasium[box2d]\"" : package)` (or name another interpreter with --python PATH or WANN_PYTHON)"
    case .unknownEnvironment(let id, let closest):
      "Gymnasium has no environment '\(id)'"
        + (closest.isEmpty
          ? " (the registered ids: python -c 'import gymnasium; gymnasium.pprint_registry()')"
          : "; the closest registered ids: \(closest.joined(separator: ", "))")
    case .setUp(let message): message
    case .episode(let message): message
    }
  }
}

/// One Python worker process running a Gymnasium environment (up to `NetworkEvaluator.laneCount`
/// instances of it, one per lane) for one evaluator thread. Speaks the protocol of
/// docs/gymnasium.md over two pipes; every buffer is reused, so a step allocates nothing.
final class GymWorker {
  let pid: pid_t
  private let toWorker: Int32
  private let fromWorker: Int32
  let python: String
  private var message: [UInt8] = []
  private(set) var reply: [UInt8] = []
  /// Seconds a reply may take before the worker counts as hung (WANN_GYM_TIMEOUT, default 60).
  let timeout: Double

  /// Starts `python` on the worker script for `spec` and reads its description of the
  /// environment.
  init(spec: GymSpec, python: String) throws(GymFailure) {
    self.python = python
    timeout =
      ProcessInfo.processInfo.environment["WANN_GYM_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 60
    // A worker that dies must give wann an error to report, never a SIGPIPE that ends it.
    signal(SIGPIPE, SIG_IGN)
    // Spawns one at a time: a pipe made by one thread must be close-on-exec before another
    // thread's child could inherit it (a worker holding another's pipe would never see its EOF).
    GymWorker.spawning.lock()
    defer { GymWorker.spawning.unlock() }
    var down: [Int32] = [0, 0], up: [Int32] = [0, 0]
    guard pipe(&down) == 0 else {
      throw .noInterpreter(path: python, reason: "pipe: \(String(cString: strerror(errno)))")
    }
    guard pipe(&up) == 0 else {
      close(down[0]); close(down[1])
      throw .noInterpreter(path: python, reason: "pipe: \(String(cString: strerror(errno)))")
    }
    for fd in down + up { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, down[0], 0)
    posix_spawn_file_actions_adddup2(&actions, up[1], 1)
    let args = [python, "-c", GymWorkerScript.source, spec.environment, spec.kwargs]
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var child: pid_t = 0
    let rc = posix_spawnp(&child, python, &actions, nil, &argv, environ)
    close(down[0]); close(up[1])
    guard rc == 0 else {
      close(down[1]); close(up[0])
      throw .noInterpreter(path: python, reason: String(cString: strerror(rc)))
    }
    pid = child
    toWorker = down[1]
    fromWorker = up[0]
    // Non-blocking, so `receive` can spin briefly before it sleeps in poll.
    _ = fcntl(fromWorker, F_SETFL, fcntl(fromWorker, F_GETFL) | O_NONBLOCK)
    message.reserveCapacity(4096)
    reply.reserveCapacity(4096)
  }

  private static let spawning = NSLock()
  /// How long `receive` spins before it sleeps (WANN_GYM_SPIN_US, default 500 µs; 0: never).
  static let spinNanoseconds =
    UInt64(ProcessInfo.processInfo.environment["WANN_GYM_SPIN_US"].flatMap(Int.init).map { max(0, $0) } ?? 500) * 1000

  deinit {
    close(toWorker)
    close(fromWorker)
    var status: Int32 = 0
    // The worker ends on the closed pipe; a hung one is killed.
    if waitpid(pid, &status, WNOHANG) == 0 {
      kill(pid, SIGKILL)
      waitpid(pid, &status, 0)
    }
  }

  /// Reads the worker's first message: the environment's description (JSON) or why it has none.
  func readDescription(spec: GymSpec) throws(GymFailure) -> [UInt8] {
    // The first reply waits for imports and the determinism probe: give it longer.
    switch try receive(timeout: max(timeout, 120), doing: "starting \(spec.taskName)") {
    case .ok: return Array(reply[5..<(5 + replyLength)])
    case .error(let text):
      let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
      switch parts.first {
      case "missing": throw .missingPackage(package: parts.count > 1 ? parts[1] : "gymnasium", python: python)
      case "unknown":
        let closest =
          parts.count > 2 ? parts[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
        throw .unknownEnvironment(
          id: parts.count > 1 ? parts[1] : spec.environment, closest: closest.filter { !$0.isEmpty })
      case "dependency": throw .setUp("\(spec.taskName): \(parts.dropFirst().joined(separator: ":")) (into \(python))")
      case "space": throw .setUp("\(spec.taskName): \(parts.dropFirst().joined(separator: ":"))")
      case "step":
        throw .setUp("\(spec.taskName): the determinism probe failed: \(parts.dropFirst(2).joined(separator: ":"))")
      default: throw .setUp("\(spec.taskName): \(text)")
      }
    }
  }

  enum Reply { case ok, error(String) }

  /// Sends request `op` about `count` lanes, its body appended by `build` (after the 9-byte
  /// header: op, count, body length).
  func send(_ op: Character, count: Int, doing what: @autoclosure () -> String, _ build: (inout [UInt8]) -> Void)
    throws(GymFailure)
  {
    message.removeAll(keepingCapacity: true)
    message.append(op.asciiValue!)
    message.appendLE(UInt32(count))
    message.appendLE(UInt32(0))
    build(&message)
    let length = UInt32(message.count - 9)
    for i in 0..<4 { message[5 + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    let ok = message.withUnsafeBytes { buf -> Bool in
      var done = 0
      while done < buf.count {
        let n = write(toWorker, buf.baseAddress! + done, buf.count - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        done += n
      }
      return true
    }
    if !ok { throw .episode(ended(doing: what())) }
  }

  /// Reads one reply into `reply` (its 5-byte header, then the payload), waiting at most
  /// `timeout` seconds for it. Reads greedily: a reply usually arrives in one read.
  func receive(timeout seconds: Double? = nil, doing what: @autoclosure () -> String) throws(GymFailure) -> Reply {
    let limit = seconds ?? timeout
    var filled = 0
    var needed = 5
    if reply.count < 4096 { reply = [UInt8](repeating: 0, count: 4096) }
    var spinUntil = spins ? DispatchTime.now().uptimeNanoseconds + GymWorker.spinNanoseconds : 0
    while filled < needed {
      let n = reply.withUnsafeMutableBytes { read(fromWorker, $0.baseAddress! + filled, $0.count - filled) }
      if n < 0 && (errno == EAGAIN || errno == EINTR) {
        // A step of the lanes' environments takes tens of microseconds: waiting that long
        // awake (yielding the core to anyone who needs it) is far cheaper than being woken
        // from sleep, which can cost more than the step itself.
        if DispatchTime.now().uptimeNanoseconds < spinUntil {
          sched_yield()
          continue
        }
        var fds = pollfd(fd: fromWorker, events: Int16(POLLIN), revents: 0)
        let ready = poll(&fds, 1, Int32(min(limit * 1000, 2_000_000_000)))
        if ready == 0 { throw .episode(hung(doing: what(), seconds: limit)) }
        spinUntil = 0
        continue
      }
      if n <= 0 { throw .episode(ended(doing: what())) }
      filled += n
      if filled >= 5 {
        needed = 5 + (Int(reply[1]) | Int(reply[2]) << 8 | Int(reply[3]) << 16 | Int(reply[4]) << 24)
        if reply.count < needed { reply += [UInt8](repeating: 0, count: needed - reply.count) }
      }
    }
    replyLength = needed - 5
    return reply[0] == 0 ? .ok : .error(String(decoding: reply[5..<needed], as: UTF8.self))
  }

  /// Whether `receive` spins before sleeping: only while the busy workers leave a core free for
  /// the spinning thread (the pool sets it); otherwise the spin would take half the core that
  /// some worker's step needs.
  var spins = true

  /// Payload bytes of the last reply.
  private(set) var replyLength = 0

  /// Calls `body` with the last reply's payload.
  func withReply<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
    reply.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[5..<(5 + replyLength)])) }
  }

  /// What became of a worker whose pipe closed.
  private func ended(doing what: String) -> String {
    var status: Int32 = 0
    var how = "ended"
    for _ in 0..<50 {
      let r = waitpid(pid, &status, WNOHANG)
      if r == pid {
        let signal = status & 0x7f
        how = signal != 0 ? "was killed by signal \(signal)" : "exited with status \((status >> 8) & 0xff)"
        break
      }
      usleep(10_000)
    }
    return "the Python worker (pid \(pid)) \(how) while \(what)"
  }

  private func hung(doing what: String, seconds: Double) -> String {
    kill(pid, SIGKILL)
    return
      "the Python worker (pid \(pid)) gave no answer within \(seconds) s while \(what) (WANN_GYM_TIMEOUT sets the limit); it was stopped"
  }
}

/// The worker processes of one Gymnasium task, shared by every evaluator thread: a thread takes
/// an idle worker for a job (starting one when none is idle) and gives it back after, so a
/// process never runs more workers than it has evaluator threads. One pool per task name and
/// interpreter per process, like the datasets' cache: workers are expensive to start (the imports
/// take a second) and live until wann exits.
final class GymWorkerPool: Sendable {
  let spec: GymSpec
  let python: String
  private let idle = Mutex<[UnsafeSendable<GymWorker>]>([])
  /// Workers taken and not yet given back.
  private let busy = Atomic<Int>(0)
  private static let cores = ProcessInfo.processInfo.activeProcessorCount

  private init(spec: GymSpec, python: String) {
    self.spec = spec
    self.python = python
  }

  private static let pools = Mutex<[String: GymWorkerPool]>([:])

  static func shared(_ spec: GymSpec) -> GymWorkerPool {
    let python = GymPython.interpreter
    return pools.withLock { pools in
      let key = spec.taskName + "\u{0}" + python
      if let p = pools[key] { return p }
      let p = GymWorkerPool(spec: spec, python: python)
      pools[key] = p
      return p
    }
  }

  /// An idle worker, or a new one (with the description it sent on starting).
  func take() throws(GymFailure) -> (worker: GymWorker, description: [UInt8]?) {
    // Each busy worker keeps a core busy (its Python process) and an evaluator thread waiting:
    // the thread spins only while there are more cores than busy workers.
    let nowBusy = busy.add(1, ordering: .relaxed).newValue
    if let w = idle.withLock({ $0.popLast() }) {
      w.value.spins = nowBusy < Self.cores
      return (w.value, nil)
    }
    let worker: GymWorker
    let description: [UInt8]
    do {
      worker = try GymWorker(spec: spec, python: python)
      description = try worker.readDescription(spec: spec)
    } catch {
      busy.subtract(1, ordering: .relaxed)
      throw error
    }
    worker.spins = nowBusy < Self.cores
    return (worker, description)
  }

  func giveBack(_ worker: GymWorker) {
    busy.subtract(1, ordering: .relaxed)
    idle.withLock { $0.append(UnsafeSendable(value: worker)) }
  }
}

/// A reference handed between threads under the pool's lock: a worker is used by one thread at
/// a time (taken, used, given back).
struct UnsafeSendable<T>: @unchecked Sendable {
  let value: T
}

/// Which Python runs the workers: --python (which sets WANN_PYTHON), WANN_PYTHON, the project's
/// .venv beside the binary (the README's set-up makes it), else python3 on PATH.
public enum GymPython {
  public static var interpreter: String {
    if let p = ProcessInfo.processInfo.environment["WANN_PYTHON"], !p.isEmpty { return p }
    return ProjectFiles.locate(".venv/bin/python", executable: true) ?? "python3"
  }
}
