// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "wann-swift",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "wann", targets: ["wann"]),
    .library(name: "WANNCore", targets: ["WANNCore"]),
    .library(name: "WANNTasks", targets: ["WANNTasks"]),
    .library(name: "WANNAnalysis", targets: ["WANNAnalysis"]),
    .library(name: "WANNArchive", targets: ["WANNArchive"]),
  ],
  traits: [
    .trait(name: "MPI", description: "Distributed evaluation over MPI ranks (needs Open MPI: Debian's libopenmpi-dev). Off by default: swift build --traits MPI."),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // Pure core: genomes, mutation, networks, ranking, selection, random streams, configs. No I/O.
    .target(name: "WANNCore"),
    // The BipedalWalker's physics on Box2D 2.4 (Debian: libbox2d-dev), C++ behind a C header.
    .target(name: "CBox2DWalker", linkerSettings: [.linkedLibrary("box2d")]),
    // The C library's pow behind an opaque call (the swing-up's `x**2` must be glibc's pow).
    .target(name: "CLibm", linkerSettings: [.linkedLibrary("m")]),
    // Environments and rollouts, and the evaluators that score a generation (threads here,
    // MPI ranks in WANNDistributed) behind one protocol.
    .target(name: "WANNTasks", dependencies: ["WANNCore", "CBox2DWalker", "CLibm"]),
    // Analysis of one network: weight profiles, the paper's four weight conditions, drawings. No I/O.
    .target(name: "WANNAnalysis", dependencies: ["WANNCore", "WANNTasks"]),
    // libhdf5 (Debian: libhdf5-dev), found through pkg-config.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
    // The HDF5 archive: owning handle types, the run writer, the read-only reader, the analysis
    // store. It stores tables and arrays; it knows no task and no analysis type.
    .target(name: "WANNArchive", dependencies: ["WANNCore", "CHDF5"]),
    // Open MPI (Debian: libopenmpi-dev), found through pkg-config; only with the MPI trait.
    .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
    // Distributed evaluation: rank 0 searches, the other ranks evaluate genomes. Without the
    // MPI trait it compiles to nothing that touches MPI.
    .target(
      name: "WANNDistributed",
      dependencies: ["WANNCore", "WANNTasks", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
    // Runs things: search runs with their archive, experiment grids, search-space comparisons,
    // the test battery, analysis results mapped onto the archive. Only the CLI imports it.
    .target(
      name: "WANNExperiments",
      dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive"]),
    // The command-line interface: parse, call one function, print.
    .executableTarget(
      name: "wann",
      dependencies: [
        "WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNExperiments", "WANNDistributed",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .testTarget(name: "WANNCoreTests", dependencies: ["WANNCore"]),
    .testTarget(name: "WANNTasksTests", dependencies: ["WANNCore", "WANNTasks"]),
    .testTarget(name: "WANNAnalysisTests", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis"]),
    .testTarget(name: "WANNArchiveTests", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNExperiments"]),
    .testTarget(name: "WANNExperimentsTests", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNExperiments"]),
    .testTarget(name: "WANNCLITests", dependencies: ["wann"]),
  ],
  cxxLanguageStandard: .cxx17
)
