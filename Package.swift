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
    // Environments, rollouts and the parallel evaluator that drives WANNCore's ask/tell loop.
    .target(name: "WANNTasks", dependencies: ["WANNCore", "CBox2DWalker", "CLibm"]),
    // Analysis of one network: weight profiles, the paper's four weight conditions, drawings. No I/O.
    .target(name: "WANNAnalysis", dependencies: ["WANNCore", "WANNTasks"]),
    // libhdf5 (Debian: libhdf5-dev), found through pkg-config.
    .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
    // The HDF5 run archive: owning handle types, the schema's writer and reader, resume.
    .target(name: "WANNArchive", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "CHDF5"]),
    // Open MPI (Debian: libopenmpi-dev), found through pkg-config; only with the MPI trait.
    .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
    // Distributed evaluation: rank 0 searches, the other ranks evaluate genomes. Without the
    // MPI trait it compiles to nothing that touches MPI.
    .target(
      name: "WANNDistributed",
      dependencies: ["WANNCore", "WANNTasks", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
    // The command-line interface.
    .executableTarget(
      name: "wann",
      dependencies: [
        "WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNDistributed",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .testTarget(name: "WANNCoreTests", dependencies: ["WANNCore"]),
    .testTarget(name: "WANNTasksTests", dependencies: ["WANNCore", "WANNTasks"]),
    .testTarget(name: "WANNAnalysisTests", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis"]),
    .testTarget(name: "WANNArchiveTests", dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive"]),
    .testTarget(name: "WANNCLITests", dependencies: ["wann"]),
  ],
  cxxLanguageStandard: .cxx17
)
