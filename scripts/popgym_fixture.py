#!/usr/bin/env python3
"""Records episodes of POPGym's natively ported games through the package, for the ports'
replay tests (Tests/WANNTasksTests/CardMemoryTests.swift, PositionOnlyCartPoleTests.swift,
PositionOnlyPendulumTests.swift; docs/popgym.md).

    scripts/popgym_fixture.py [--out Tests/Fixtures/popgym-cards.txt]
                              [--cartpole-out Tests/Fixtures/popgym-cartpole.txt]
                              [--pendulum-out Tests/Fixtures/popgym-pendulum.txt]

Per game 100 episodes (60 easy, 30 medium, 10 hard) with random and scripted actions, seeds
fixed: the same package gives the same files, byte for byte (scripts/tests/test_popgym_cards.py
regenerates and compares them). One line per record. The card games:

    E GAME DIFFICULTY SEED POLICY     an episode (GAME as wann names it)
    D i i i ...                       the deck order after reset (Deck.idx; dealt from the end)
    Q i i i ...                       CountRecall: the query deck's order
    A a a a ...                       the actions, one per step
    O o o o ...                       the observations, reset's first (CountRecall: dealt:queried;
                                      Autoencode: mode:suit)
    R SCALE s...                      the reward of a right answer (repr), then per step + - or 0
    T t...                            per step: 1 where the package said terminated

The cart-poles: E, S (the initial state, four float64), A, O (x:theta, float32 bits in hex),
R (the reward every step pays), T (per step: 1 terminated, 2 truncated), F (the final state,
four float64: the float32 observations hide the last bits) and, when noisy, N (each
observation's noise draw, x:theta as float32 bits in hex). The pendulum: E, S (theta,
theta_dot), A (the torques, float32 bits), O (cos:sin, float32 bits), R (each step's reward,
float64 bits), T and F.
"""
import argparse
import pathlib

import gymnasium
import numpy as np
import popgym  # noqa: F401  (registers the ids)

ROOT = pathlib.Path(__file__).resolve().parents[1]
GAMES = {"repeat-previous": "RepeatPrevious", "repeat-first": "RepeatFirst", "count-recall": "CountRecall",
         "higher-lower": "HigherLower", "autoencode": "Autoencode"}
EPISODES = {"easy": 60, "medium": 30, "hard": 10}
POLICIES = ["random", "zero", "cycle"]


def record(game, difficulty, seed, policy):
    env = gymnasium.make(f"popgym-{GAMES[game]}{difficulty.capitalize()}-v0").unwrapped
    obs, _ = env.reset(seed=seed)
    lines = [f"E {game} {difficulty} {seed} {policy}"]
    if game == "count-recall":
        lines.append("D " + " ".join(map(str, env.value_deck.idx.tolist())))
        lines.append("Q " + " ".join(map(str, env.query_deck.idx.tolist())))
    else:
        lines.append("D " + " ".join(map(str, env.deck.idx.tolist())))
    n = env.action_space.n
    rng = np.random.default_rng(seed + 1000)

    def show(o):
        return f"{int(o[0])}:{int(o[1])}" if game in ("count-recall", "autoencode") else str(int(o))
    actions, observations, signs, ends = [], [show(obs)], [], []
    scale = None
    step = 0
    while True:
        a = {"random": int(rng.integers(n)), "zero": 0, "cycle": step % n}[policy]
        obs, reward, terminated, truncated, _ = env.step(a)
        assert not truncated
        if reward != 0:
            scale = abs(reward) if scale is None else scale
            assert abs(reward) == scale, (reward, scale)
        actions.append(str(a))
        observations.append(show(obs))
        signs.append("0" if reward == 0 else ("+" if reward > 0 else "-"))
        ends.append("1" if terminated else "0")
        step += 1
        if terminated:
            break
    lines += ["A " + " ".join(actions), "O " + " ".join(observations), f"R {scale!r} " + "".join(signs), "T " + "".join(ends)]
    return lines


CARTPOLES = {"position-only-cartpole": "PositionOnlyCartPole", "noisy-position-only-cartpole": "NoisyPositionOnlyCartPole"}
CARTPOLE_POLICIES = ["random", "zero", "balance", "cycle"]


def f32(x):
    """A float32 as the 8 hex digits of its bits (exact and short)."""
    return f"{int(np.float32(x).view(np.uint32)):08x}"


def record_cartpole(game, difficulty, seed, policy):
    """One cart-pole episode: its initial state, every noise draw (replayed from a generator
    seeded as Gymnasium seeds the environment's, and checked against the environment), the
    actions, and what the package returned."""
    env = gymnasium.make(f"popgym-{CARTPOLES[game]}{difficulty.capitalize()}-v0").unwrapped
    obs, _ = env.reset(seed=seed)
    twin = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    state = twin.uniform(low=-0.05, high=0.05, size=(4,))
    assert (state == env.state).all()
    noisy = game.startswith("noisy")
    noises = []

    def noise():
        if noisy:
            n = twin.normal(0, env.noise_sigma).astype(np.float32)
            noises.append(f"{f32(n[0])}:{f32(n[1])}")
    noise()
    lines = [f"E {game} {difficulty} {seed} {policy}", "S " + " ".join(repr(float(v)) for v in state)]
    rng = np.random.default_rng(seed + 1000)
    actions, observations, rewards, flags = [], [f"{f32(obs[0])}:{f32(obs[1])}"], [], []
    step = 0
    while True:
        theta, theta_dot = env.state[2], env.state[3]
        a = {"random": int(rng.integers(2)), "zero": 0, "cycle": step % 2, "balance": int(theta + 0.5 * theta_dot > 0)}[policy]
        obs, reward, terminated, truncated, _ = env.step(a)
        noise()
        actions.append(str(a))
        observations.append(f"{f32(obs[0])}:{f32(obs[1])}")
        rewards.append(repr(float(reward)))
        flags.append(str(int(terminated) + 2 * int(truncated)))
        step += 1
        if terminated or truncated:
            break
    assert len(set(rewards)) == 1
    lines += ["A " + " ".join(actions), "O " + " ".join(observations), f"R {rewards[0]}", "T " + "".join(flags),
              "F " + " ".join(repr(float(v)) for v in env.state)]
    if noisy:
        lines.append("N " + " ".join(noises))
    return lines


def f64(x):
    """A float64 as the 16 hex digits of its bits."""
    return f"{int(np.float64(x).view(np.uint64)):016x}"


def record_pendulum(game, difficulty, seed, policy):
    """One pendulum episode: its initial state, the torques (float32), and what the package
    returned; rewards as float64 bits."""
    env = gymnasium.make(f"popgym-PositionOnlyPendulum{difficulty.capitalize()}-v0").unwrapped
    obs, _ = env.reset(seed=seed)
    lines = [f"E {game} {difficulty} {seed} {policy}", "S " + " ".join(repr(float(v)) for v in env.state)]
    rng = np.random.default_rng(seed + 1000)
    actions, observations, rewards, flags = [], [f"{f32(obs[0])}:{f32(obs[1])}"], [], []
    step = 0
    while True:
        theta, theta_dot = env.state
        torque = {"random": rng.uniform(-3, 3), "zero": 0.0, "full": 2.0 if step % 20 < 10 else -2.0,
                  "swing": 2.0 if theta_dot * np.cos(theta) > 0 else -2.0}[policy]
        a = np.array([torque], dtype=np.float32)
        obs, reward, terminated, truncated, _ = env.step(a)
        actions.append(f32(a[0]))
        observations.append(f"{f32(obs[0])}:{f32(obs[1])}")
        rewards.append(f64(reward))
        flags.append(str(int(terminated) + 2 * int(truncated)))
        step += 1
        if terminated or truncated:
            break
    lines += ["A " + " ".join(actions), "O " + " ".join(observations), "R " + " ".join(rewards), "T " + "".join(flags),
              "F " + " ".join(repr(float(v)) for v in env.state)]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "Tests" / "Fixtures" / "popgym-cards.txt"))
    ap.add_argument("--cartpole-out", default=str(ROOT / "Tests" / "Fixtures" / "popgym-cartpole.txt"))
    ap.add_argument("--pendulum-out", default=str(ROOT / "Tests" / "Fixtures" / "popgym-pendulum.txt"))
    args = ap.parse_args()
    from importlib.metadata import version
    header = (f"# POPGym card-game episodes: popgym {version('popgym')}, gymnasium {gymnasium.__version__}; "
              "written by scripts/popgym_fixture.py")

    def write(path, first_line, games, recorder, policies):
        lines = [first_line]
        for game in games:
            seed = 0
            for difficulty, count in EPISODES.items():
                for e in range(count):
                    lines += recorder(game, difficulty, seed, policies[e % len(policies)])
                    seed += 1
        pathlib.Path(path).write_text("\n".join(lines) + "\n")
    write(args.out, header, GAMES, record, POLICIES)
    write(args.cartpole_out, header.replace("card-game", "position-only cart-pole"), CARTPOLES, record_cartpole, CARTPOLE_POLICIES)
    write(args.pendulum_out, header.replace("card-game", "position-only pendulum"), ["position-only-pendulum"], record_pendulum,
          ["random", "zero", "full", "swing"])


if __name__ == "__main__":
    main()
