// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "wann-swift",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "wann", targets: ["wann"]),
    .library(name: "WANNCore", targets: ["WANNCore"]),
    .library(name: "WANNTasks", targets: ["WANNTasks"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // Pure core: genomes, mutation, networks, ranking, selection, random streams, configs. No I/O.
    .target(name: "WANNCore"),
    // Environments, rollouts and the parallel evaluator that drives WANNCore's ask/tell loop.
    .target(name: "WANNTasks", dependencies: ["WANNCore"]),
    // The command-line interface.
    .executableTarget(
      name: "wann",
      dependencies: [
        "WANNCore", "WANNTasks",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .testTarget(name: "WANNCoreTests", dependencies: ["WANNCore"]),
    .testTarget(name: "WANNTasksTests", dependencies: ["WANNCore", "WANNTasks"]),
    .testTarget(name: "WANNCLITests", dependencies: ["wann"]),
  ]
)
