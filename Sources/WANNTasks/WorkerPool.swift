import Dispatch
import Synchronization

/// The one thread pool of the engine: jobs 0..<count handed out dynamically to up to `threads`
/// workers (jobs differ in cost: genomes differ in size and episodes in length). Each worker
/// sets up its own scratch state once (an evaluator, a buffer) and then takes jobs until none are
/// left. Callers write each job's result to the job's own place, so results never depend on
/// which thread ran which job.
public enum WorkerPool {
  /// Runs `worker` on min(threads, count) threads (on the caller's thread when that is one).
  /// `worker` receives the queue and calls `next()` until it returns nil.
  public static func run(jobs count: Int, threads: Int, _ worker: @Sendable (JobQueue) -> Void) {
    let queue = JobQueue(count: count)
    let workers = min(max(threads, 1), max(count, 1))
    if workers == 1 {
      worker(queue)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers) { _ in worker(queue) }
    }
  }
}

/// Hands out job numbers 0, 1, 2, ... below `count` to competing threads.
public final class JobQueue: Sendable {
  public let count: Int
  private let taken = Atomic<Int>(0)
  init(count: Int) { self.count = count }

  /// The next job not yet taken, or nil when all are.
  public func next() -> Int? {
    let job = taken.add(1, ordering: .relaxed).oldValue
    return job < count ? job : nil
  }
}

/// A value the workers share behind a lock (taken once per job, never per step).
public final class Locked<Value: Sendable>: Sendable {
  private let mutex: Mutex<Value>
  public init(_ value: Value) { mutex = Mutex(value) }
  public func withLock<R: Sendable>(_ body: (inout sending Value) -> sending R) -> R { mutex.withLock(body) }
}
