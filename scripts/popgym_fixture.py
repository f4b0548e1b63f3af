#!/usr/bin/env python3
"""Records episodes of POPGym's card games through the package, for the native ports'
replay test (Tests/WANNTasksTests/CardMemoryTests.swift, docs/popgym.md).

    scripts/popgym_fixture.py [--out Tests/Fixtures/popgym-cards.txt]

Per game (RepeatPrevious, RepeatFirst, CountRecall, HigherLower, Autoencode) 100 episodes (60 easy, 30 medium, 10 hard),
with random and scripted actions, seeds fixed: the same package gives the same file, byte for
byte (scripts/tests/test_popgym_fixture.py regenerates and compares it). One line per record:

    E GAME DIFFICULTY SEED POLICY     an episode (GAME as wann names it)
    D i i i ...                       the deck order after reset (Deck.idx; dealt from the end)
    Q i i i ...                       CountRecall: the query deck's order
    A a a a ...                       the actions, one per step
    O o o o ...                       the observations, reset's first (CountRecall: dealt:queried;
                                      Autoencode: mode:suit)
    R SCALE s...                      the reward of a right answer (repr), then per step + - or 0
    T t...                            per step: 1 where the package said terminated
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "Tests" / "Fixtures" / "popgym-cards.txt"))
    args = ap.parse_args()
    from importlib.metadata import version
    header = (f"# POPGym card-game episodes: popgym {version('popgym')}, gymnasium {gymnasium.__version__}; "
              "written by scripts/popgym_fixture.py")
    lines = [header]
    for game in GAMES:
        seed = 0
        for difficulty, count in EPISODES.items():
            for e in range(count):
                lines += record(game, difficulty, seed, POLICIES[e % len(POLICIES)])
                seed += 1
    pathlib.Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
