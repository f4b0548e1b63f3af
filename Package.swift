// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0 (LICENSE)
import Foundation
import PackageDescription

/// The lane code is compiled for the building machine's CPU (`-target-cpu native` for Swift,
/// `-march=native` for the CLanes kernels): eight lanes then fill AVX-512 or AVX2 registers where
/// the CPU has them, several times faster than baseline x86-64's SSE2. Results do not depend on
/// it: neither compiler fuses a multiply and an add here, so every lane computes the same IEEE
/// operations on any vector width (scripts/check_same_results compares builds). Set
/// WANN_PORTABLE_BUILD=1 to build a binary for other machines (a cluster with older CPUs).
let portable = ProcessInfo.processInfo.environment["WANN_PORTABLE_BUILD"] == "1"
let cpuFlags: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-target-cpu", "native"])]
/// The lane kernels are always optimised (debug test builds too) and never fuse a multiply and an
/// add (-ffp-contract=off: clang's default would), so every machine computes the same bits.
/// -Wno-psabi: clang 21 warns that 64-byte vectors pass differently without AVX-512; the lane
/// vectors never cross a function boundary that another compiler built.
let laneFlagList = ["-O2", "-ffp-contract=off", "-fno-fast-math", "-Wno-psabi"] + (portable ? [] : ["-march=native"])
let laneFlags: [CSetting] = [.unsafeFlags(laneFlagList)]
/// The swing-up's lanes call glibc's pow, sin and cos for their bits: the compiler must not fold
/// or merge those calls (pow(x, 2.0) into x * x, sin and cos into sincos).
let libraryCallsStayCalls = ["-fno-builtin-pow", "-fno-builtin-sin", "-fno-builtin-cos", "-fno-builtin-sincos"]
/// Debian installs the serial HDF5 as `hdf5-serial` (beside MPI builds); Homebrew as `hdf5`.
#if os(macOS)
  let hdf5PkgConfig = "hdf5"
#else
  let hdf5PkgConfig = "hdf5-serial"
#endif

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
    .trait(
      name: "MPI",
      description:
        "Distributed evaluation over MPI ranks (needs Open MPI: Debian's libopenmpi-dev). Off by default: swift build --traits MPI."
    )
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // Pure core: genomes, mutation, networks, ranking, selection, random streams, configs. No I/O.
    .target(name: "WANNCore", dependencies: ["CLanes"], swiftSettings: cpuFlags),
    // The network's arithmetic on eight lanes (clang vector extensions): activations and the
    // forward step. Pure arithmetic, no I/O; see docs/method.md for its accuracy.
    .target(name: "CLanes", cSettings: laneFlags, linkerSettings: [.linkedLibrary("m")]),
    // The BipedalWalker's physics on Box2D 2.4 (Debian: libbox2d-dev), C++ behind a C header.
    .target(name: "CBox2DWalker", linkerSettings: [.linkedLibrary("box2d")]),
    // The C library's pow behind an opaque call (the swing-up's `x**2` must be glibc's pow).
    .target(name: "CLibm", linkerSettings: [.linkedLibrary("m")]),
    // Environments and rollouts, and the evaluators that score a generation (threads here,
    // MPI ranks in WANNDistributed) behind one protocol.
    // The swing-up's physics on eight lanes, bit for bit the scalar Swift step (-fno-builtin-pow
    // keeps pow(x, 2.0) a call to glibc's pow).
    .target(
      name: "CSwingUpLanes",
      dependencies: ["CLanes"],  // its header includes lanes.h (the lane vector types)
      cSettings: [.unsafeFlags(laneFlagList + libraryCallsStayCalls)],
      linkerSettings: [.linkedLibrary("m")]),
    .target(
      name: "WANNTasks", dependencies: ["WANNCore", "CBox2DWalker", "CLibm", "CLanes", "CSwingUpLanes"],
      swiftSettings: cpuFlags),
    // Analysis of one network: weight profiles, the paper's four weight conditions, drawings. No I/O.
    .target(name: "WANNAnalysis", dependencies: ["WANNCore", "WANNTasks"]),
    // libhdf5 (Debian: libhdf5-dev; macOS: Homebrew's hdf5), found through pkg-config, which
    // also names the library to link: Debian's is libhdf5.so in hdf5/serial up to HDF5 1.14 and
    // libhdf5_serial.so from HDF5 2.0 on, so the module map names none.
    .systemLibrary(name: "CHDF5", pkgConfig: hdf5PkgConfig, providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
    // The HDF5 archive: owning handle types, the run writer, the read-only reader, the analysis
    // store. It stores tables and arrays; it knows no task and no analysis type.
    .target(name: "WANNArchive", dependencies: ["WANNCore", "CHDF5", "CArchiveJournal"]),
    // The HDF5 file driver that journals what a flush overwrites, so a writer killed in the middle
    // of a flush leaves a file that rolls back to its last commit.
    .target(name: "CArchiveJournal", dependencies: ["CHDF5"]),
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
    .testTarget(
      name: "WANNArchiveTests",
      dependencies: [
        "WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNExperiments", "CArchiveJournal", "WANNTestSupport",
      ]),
    .testTarget(
      name: "WANNExperimentsTests",
      dependencies: ["WANNCore", "WANNTasks", "WANNAnalysis", "WANNArchive", "WANNExperiments"]),
    .testTarget(name: "WANNCLITests", dependencies: ["wann", "WANNTestSupport"]),
    // Finds the build's products (the `wann` binary) for the tests that run it, on Linux and macOS.
    .target(name: "WANNTestSupport", path: "Tests/WANNTestSupport"),
  ],
  cxxLanguageStandard: .cxx17
)
