import Foundation
import WANNCore
import WANNTasks
#if MPI
  import CMPI
#endif

/// Distributed evaluation over MPI (the MPI trait): under `mpirun -np N wann ...`, rank 0 runs the
/// command (the search, its archive, its output) and ranks 1...N-1 evaluate the genomes rank 0
/// sends them, each with all its cores. Work is handed out in chunks of genomes as ranks finish
/// (genomes differ in cost); a job carries compact genome encodings and the evaluation's
/// settings, a result the chunk's reward matrix. Rewards depend only on the genome and its
/// episode keys, so a distributed search stores the same generations, bit for bit, as a local one.
public enum Distributed {
  public enum Role {
    /// Not under mpirun (or a world of one): run as usual.
    case single
    /// Rank 0 of `ranks`: run the command; searches evaluate on the other ranks.
    case coordinator(ranks: Int)
    /// A worker rank that has served until rank 0 said stop: exit.
    case workerFinished
  }

  /// True when this build includes MPI support (`swift build --traits MPI`).
  public static var isAvailable: Bool {
    #if MPI
      true
    #else
      false
    #endif
  }

  /// True when the process was started by an MPI launcher (mpirun, mpiexec, srun).
  public static var launchedByMPI: Bool {
    let env = ProcessInfo.processInfo.environment
    return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMI_SIZE"] != nil || env["PMIX_RANK"] != nil
  }

  /// Call first in `main`. Workers serve here until rank 0 finishes.
  public static func start() -> Role {
    #if MPI
      guard launchedByMPI else { return .single }
      return MPIWorld.start()
    #else
      if launchedByMPI && ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].map({ $0 != "0" }) == true {
        // A build without MPI started by mpirun: let one copy speak, the others leave.
        exit(0)
      }
      if launchedByMPI {
        FileHandle.standardError.write(
          Data(
            "wann: warning: started by mpirun, but this wann was built without MPI (swift build -c release --traits MPI): running on this process alone\n"
              .utf8))
      }
      return .single
    #endif
  }

  /// Names the archive the command writes, so that a run stopped by a failed rank says which
  /// archive to resume (and how a multi-run archive continues).
  public static func noteArchive(_ path: String, resume: String) {
    #if MPI
      MPIWorld.noteArchive(path, resume: resume)
    #endif
  }

  /// The evaluator for a search on this process: the MPI coordinator's (genomes go to the other
  /// ranks) when running as rank 0 of several under mpirun, else local threads. Both give the
  /// same rewards, so the search is the same either way.
  public static func evaluator(threads: Int) -> any GenerationEvaluator {
    #if MPI
      if MPIWorld.ranks > 1 { return MPIEvaluator(threads: threads) }
    #endif
    return ParallelEvaluator(threads: threads)
  }

  /// Call when rank 0's command is done (success or failure): releases the workers.
  public static func finish() {
    #if MPI
      MPIWorld.finish()
    #endif
  }
}

#if MPI
  enum Tag: Int32 {
    case job = 1, result = 2, stop = 3
  }

  /// The settings shared by every job of one `evaluate` call.
  struct JobSpec: Codable {
    var task: TaskKind
    var batchSize: Int
    var mode: WeightMode
    var repetitions: Int
    var seed: UInt64
    var purpose: UInt64
    var generation: Int
    var threads: Int
  }

  enum MPIWorld {
    // Both are written only on the main thread: `ranks` once in `start()` before any evaluation
    // thread exists, `stopMessage` by `noteArchive` before the search starts; the SIGTERM handler
    // only reads the pointer. So no two threads ever race on them.
    nonisolated(unsafe) static var ranks = 1
    /// The message the SIGTERM handler prints (allocated up front: a handler may not allocate).
    nonisolated(unsafe) static var stopMessage: UnsafeMutablePointer<CChar>? = strdup(
      "\nwann: stopped: an MPI rank ended, so mpirun stopped the run. Every finished generation is in the archive; continue with `wann resume ARCHIVE` (with or without mpirun).\n"
    )

    static func noteArchive(_ path: String, resume: String) {
      let old = stopMessage
      stopMessage = strdup(
        "\nwann: stopped: an MPI rank ended, so mpirun stopped the run. Every finished generation is in \(path); continue with `\(resume)` (with or without mpirun).\n"
      )
      free(old)
    }

    static func check(_ code: Int32, _ what: String) {
      guard code == 0 else {
        FileHandle.standardError.write(Data("wann: MPI error \(code) in \(what); stopping\n".utf8))
        MPI_Abort(wann_mpi_comm_world(), 3)
        exit(3)
      }
    }

    static func start() -> Distributed.Role {
      var provided: Int32 = 0
      check(MPI_Init_thread(nil, nil, wann_mpi_thread_funneled(), &provided), "MPI_Init_thread")
      var rank: Int32 = 0, size: Int32 = 1
      MPI_Comm_rank(wann_mpi_comm_world(), &rank)
      MPI_Comm_size(wann_mpi_comm_world(), &size)
      ranks = Int(size)
      if rank != 0 {
        Worker.serve()
        MPI_Finalize()
        return .workerFinished
      }
      guard size > 1 else { return .single }
      // mpirun ends every rank with SIGTERM when one of them fails: say what is left and how to go on.
      signal(SIGTERM) { _ in
        if let message = MPIWorld.stopMessage { _ = write(2, message, strlen(message)) }
        _exit(3)
      }
      return .coordinator(ranks: Int(size))
    }

    static func finish() {
      guard ranks > 1 else { return }
      for r in 1..<ranks { MPI_Send(nil, 0, wann_mpi_byte(), Int32(r), Tag.stop.rawValue, wann_mpi_comm_world()) }
      MPI_Finalize()
    }

    /// Waits for a message without MPI's busy polling (Open MPI spins in blocking calls, which
    /// would take a core from the evaluation on a small machine).
    static func waitForMessage(source: Int32) -> MPI_Status {
      var status = MPI_Status()
      var flag: Int32 = 0
      var pause: UInt32 = 10  // microseconds, doubling up to 1 ms: quick answers, little CPU when idle
      while true {
        check(MPI_Iprobe(source, wann_mpi_any_tag(), wann_mpi_comm_world(), &flag, &status), "MPI_Iprobe")
        if flag != 0 { return status }
        usleep(pause)
        pause = min(pause * 2, 1000)
      }
    }
  }

  /// Rank 0's evaluator: splits the genomes into chunks (about four per worker, so a slow chunk
  /// does not hold the rest back), keeps two chunks in flight per worker, hands the next chunk to
  /// whichever worker answers first, and assembles the reward matrix by genome index.
  final class MPIEvaluator: GenerationEvaluator, Sendable {
    let threads: Int
    init(threads: Int) { self.threads = threads }

    func evaluate(
      task: any WANNTask, genomes: [Genome], networks: [Network], mode: WeightMode, repetitions: Int,
      episodes: EpisodeKey
    ) -> (rewards: RewardMatrix, steps: Int) {
      let conditions = mode.conditionCount
      let perGenome = repetitions * conditions
      var matrix = RewardMatrix(genomes: genomes.count, repetitions: repetitions, weights: conditions)
      let spec = JobSpec(
        task: task.kind, batchSize: (task as? ClassificationTask)?.batchSize ?? 1000, mode: mode,
        repetitions: repetitions, seed: episodes.seed, purpose: episodes.purpose.rawValue,
        generation: episodes.generation, threads: threads)
      let specBytes = [UInt8](try! JSONEncoder().encode(spec))
      let workers = MPIWorld.ranks - 1
      let chunk = max(1, genomes.count / (workers * 4))
      var next = 0, outstanding = 0, steps = 0
      var pending: [(UnsafeMutableRawPointer, MPI_Request?)] = []
      func send(to rank: Int32) {
        let range = next..<min(next + chunk, genomes.count)
        next = range.upperBound
        var message = [UInt8]()
        func append(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { message += $0 } }
        append(Int64(range.lowerBound))
        append(Int64(range.count))
        append(Int64(specBytes.count))
        message += specBytes
        for g in range {
          let encoded = genomes[g].compactEncoding()
          append(Int64(encoded.count))
          for v in encoded { append(v) }
        }
        // Non-blocking: a large job goes by rendezvous, and blocking here while that worker blocks
        // sending its previous result would deadlock. The buffer lives until the send completes.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: message.count, alignment: 8)
        message.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: message.count) }
        var request: MPI_Request? = nil
        MPIWorld.check(
          MPI_Isend(
            buffer, Int32(message.count), wann_mpi_byte(), rank, Tag.job.rawValue, wann_mpi_comm_world(), &request),
          "MPI_Isend")
        pending.append((buffer, request))
        outstanding += 1
      }
      for _ in 0..<2 {
        for rank in 1...workers where next < genomes.count { send(to: Int32(rank)) }
      }
      var buffer = [Double](repeating: 0, count: 3 + chunk * perGenome)
      while outstanding > 0 {
        var status = MPIWorld.waitForMessage(source: wann_mpi_any_source())
        MPIWorld.check(
          MPI_Recv(
            &buffer, Int32(buffer.count), wann_mpi_double(), status.MPI_SOURCE, Tag.result.rawValue,
            wann_mpi_comm_world(), &status), "MPI_Recv")
        outstanding -= 1
        let first = Int(buffer[0]), count = Int(buffer[1])
        steps += Int(buffer[2])
        let base = matrix.offset(genome: first, repetition: 0, weight: 0)
        for k in 0..<(count * perGenome) { matrix.values[base + k] = buffer[3 + k] }
        if next < genomes.count { send(to: status.MPI_SOURCE) }
      }
      // Every job was answered, so every send has completed; release their buffers.
      for (buffer, request) in pending {
        var r = request
        MPI_Wait(&r, wann_mpi_status_ignore())
        buffer.deallocate()
      }
      return (matrix, steps)
    }
  }

  /// A worker rank: evaluates the chunks of genomes rank 0 sends until told to stop.
  enum Worker {
    static func serve() {
      var tasks: [String: any WANNTask] = [:]
      var served = 0
      let exitAfter = ProcessInfo.processInfo.environment["WANN_MPI_TEST_WORKER_EXIT_AFTER_JOBS"].flatMap(Int.init)
      while true {
        var status = MPIWorld.waitForMessage(source: 0)
        if status.MPI_TAG == Tag.stop.rawValue {
          MPI_Recv(nil, 0, wann_mpi_byte(), 0, Tag.stop.rawValue, wann_mpi_comm_world(), &status)
          return
        }
        var bytes: Int32 = 0
        MPI_Get_count(&status, wann_mpi_byte(), &bytes)
        var message = [UInt8](repeating: 0, count: Int(bytes))
        MPIWorld.check(
          MPI_Recv(&message, bytes, wann_mpi_byte(), 0, Tag.job.rawValue, wann_mpi_comm_world(), &status), "MPI_Recv")
        func int64(at offset: Int) -> Int64 {
          message.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Int64.self)) }
        }
        let first = int64(at: 0), count = Int(int64(at: 8))
        let specLength = Int(int64(at: 16))
        guard let spec = try? JSONDecoder().decode(JobSpec.self, from: Data(message[24..<24 + specLength])) else {
          fail("a job's settings do not decode (are all ranks the same wann version?)")
        }
        var offset = 24 + specLength
        var networks: [Network] = []
        for _ in 0..<count {
          let words = Int(int64(at: offset))
          let encoded = (0..<words).map { int64(at: offset + 8 + 8 * $0) }
          offset += 8 + 8 * words
          guard let genome = try? Genome(compact: encoded[...]), let network = try? Network(genome) else {
            fail("a job's genome does not decode")
          }
          networks.append(network)
        }
        let key = "\(spec.task.rawValue)|\(spec.batchSize)"
        let task: any WANNTask
        if let cached = tasks[key] {
          task = cached
        } else {
          do { task = try Tasks.make(spec.task, batchSize: spec.batchSize) } catch { fail("\(error)") }
          tasks[key] = task
        }
        // A purpose this build does not know would silently draw other episodes than rank 0 asked
        // for: a rank of another wann version. Refused, like a job that does not decode.
        guard let purpose = StreamPurpose(rawValue: spec.purpose) else {
          fail(
            "a job asks for random stream purpose \(spec.purpose), which this build does not know (are all ranks the same wann version?)"
          )
        }
        let episodes = EpisodeKey(seed: spec.seed, purpose: purpose, generation: spec.generation)
        let (m, steps) = ParallelEvaluator(threads: max(spec.threads, 1)).evaluate(
          task: task, networks: networks, mode: spec.mode, repetitions: spec.repetitions, episodes: episodes)
        let result = [Double(first), Double(count), Double(steps)] + m.values
        MPIWorld.check(
          MPI_Send(result, Int32(result.count), wann_mpi_double(), 0, Tag.result.rawValue, wann_mpi_comm_world()),
          "MPI_Send")
        served += 1
        if let exitAfter, served >= exitAfter {
          // Fault injection for the tests: a worker that dies in the middle of a run.
          exit(1)
        }
      }
    }

    static func fail(_ why: String) -> Never {
      var rank: Int32 = 0
      MPI_Comm_rank(wann_mpi_comm_world(), &rank)
      FileHandle.standardError.write(Data("wann: MPI rank \(rank): \(why)\n".utf8))
      MPI_Abort(wann_mpi_comm_world(), 3)
      exit(3)
    }
  }
#endif
