// The Python program wann starts as a Gymnasium worker (docs/gymnasium.md, "The worker protocol").
// Kept as text in the binary, so an installed wann needs nothing beside it but an interpreter
// with gymnasium; the interpreter runs it with `-c`.

enum GymWorkerScript {
  static let source = #"""
    # wann's Gymnasium worker: runs environments for the engine, which speaks to it over stdin and
    # stdout in little-endian binary messages (docs/gymnasium.md, "The worker protocol").
    # argv: ENV KWARGS_JSON. Written by wann into the interpreter it starts; not a module to import.
    import json
    import os
    import select
    import struct
    import sys
    import time

    OUT = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # the environment's own prints go to stderr, never into the protocol
    sys.stdout = sys.stderr
    IN = os.fdopen(0, "rb", buffering=0)


    def send(status, payload):
        OUT.write(struct.pack("<BI", status, len(payload)) + payload)


    def fail(message):
        send(1, message.encode("utf-8", "replace"))
        sys.exit(0)


    try:
        import numpy as np
        import gymnasium
        from gymnasium import spaces
    except ImportError:
        fail("missing:gymnasium")  # numpy comes with it

    env_name, kwargs_text = sys.argv[1], sys.argv[2]
    for extra in os.environ.get("WANN_GYM_PATH", "").split(os.pathsep)[::-1]:
        if extra and extra not in sys.path:
            sys.path.insert(0, extra)
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        kwargs = json.loads(kwargs_text) if kwargs_text else {}
    except ValueError as e:
        fail(f"the environment's kwargs are not JSON ({e}): {kwargs_text}")
    if not isinstance(kwargs, dict):
        fail(f"the environment's kwargs must be a JSON object, not {kwargs_text}")


    def resolve():
        """A maker of new environments, and the package that provides them."""
        if ":" in env_name:
            module_name, _, attr = env_name.partition(":")
            try:
                module = __import__(module_name, fromlist=["_"])
            except ImportError as e:
                fail(f"missing:{e.name or module_name}")
            except Exception as e:
                fail(f"importing {module_name} failed: {type(e).__name__}: {e}")
            cls = getattr(module, attr, None)
            if isinstance(cls, type):
                steps = kwargs.pop("max_episode_steps", None)

                def make():
                    env = cls(**kwargs)
                    if steps is not None:
                        env = gymnasium.wrappers.TimeLimit(env, int(steps))
                    return env
                return make, module_name.split(".")[0]
            env_id = attr
            package = module_name.split(".")[0]
        else:
            env_id = env_name
            package = None
        if env_id not in gymnasium.registry:
            import difflib
            close = difflib.get_close_matches(env_id, list(gymnasium.registry), n=4, cutoff=0.5)
            fail(f"unknown:{env_id}:{', '.join(close)}")
        spec = gymnasium.registry[env_id]
        if package is None:
            entry = spec.entry_point if isinstance(spec.entry_point, str) else getattr(spec.entry_point, "__module__", "")
            package = entry.split(".")[0].split(":")[0]
        return (lambda: gymnasium.make(env_id, **kwargs)), package


    make, package = resolve()
    try:
        envs = [make()]
    except ImportError as e:
        fail(f"missing:{e.name or package}")
    except gymnasium.error.DependencyNotInstalled as e:
        fail(f"dependency:{e}")
    except Exception as e:
        fail(f"creating the environment failed: {type(e).__name__}: {e}")
    env = envs[0]
    obs_space, act_space = env.observation_space, env.action_space


    def space_labels(space, prefix):
        if isinstance(space, spaces.Box):
            shape = space.shape
            if len(shape) <= 1:
                return [f"{prefix}[{i}]" for i in range(int(np.prod(shape)))]
            return [prefix + "".join(f"[{i}]" for i in ix) for ix in np.ndindex(*shape)]
        if isinstance(space, spaces.Discrete):
            return [f"{prefix}={int(space.start) + k}" for k in range(int(space.n))]
        if isinstance(space, spaces.MultiDiscrete):
            return [f"{prefix}[{i}]={int(s) + k}" for i, (n, s) in enumerate(zip(space.nvec.flat, space.start.flat)) for k in range(int(n))]
        if isinstance(space, spaces.MultiBinary):
            return [f"{prefix}[{i}]" for i in range(int(np.prod(space.shape)))]
        if isinstance(space, spaces.Dict):
            return [lab for key, sub in space.spaces.items() for lab in space_labels(sub, f"{key}" if prefix == "obs" else f"{prefix}.{key}")]
        if isinstance(space, spaces.Tuple):
            return [lab for i, sub in enumerate(space.spaces) for lab in space_labels(sub, f"{prefix}.{i}")]
        raise TypeError


    SUPPORTED_OBS = "Box, Discrete, MultiDiscrete, MultiBinary, and Dict or Tuple of these"
    try:
        obs_labels = space_labels(obs_space, "obs")
        obs_dim = spaces.flatdim(obs_space)
    except Exception:
        fail(f"space:observation space {obs_space} is not supported (supported: {SUPPORTED_OBS})")
    unwrapped = env.unwrapped
    # Archives join labels with commas: none inside one.
    clean = lambda labels: [str(x).replace(",", ";") for x in labels]  # noqa: E731
    own = getattr(unwrapped, "observation_labels", None)
    if own is not None and len(own) == obs_dim:
        obs_labels = [str(x) for x in own]

    if isinstance(act_space, spaces.Box):
        act_kind, act_dim = "box", int(np.prod(act_space.shape))
        low = [None if not np.isfinite(x) else float(x) for x in act_space.low.flat]
        high = [None if not np.isfinite(x) else float(x) for x in act_space.high.flat]
        groups = []
        act_labels = space_labels(act_space, "act")
    elif isinstance(act_space, spaces.Discrete):
        act_kind, act_dim, low, high, groups = "discrete", 1, [], [], [int(act_space.n)]
        act_labels = space_labels(act_space, "act")
    elif isinstance(act_space, spaces.MultiDiscrete) and act_space.nvec.ndim == 1:
        act_kind, act_dim, low, high = "multidiscrete", len(act_space.nvec), [], []
        groups = [int(n) for n in act_space.nvec]
        act_labels = space_labels(act_space, "act")
    else:
        fail(f"space:action space {act_space} is not supported (supported: Box, Discrete, one-dimensional MultiDiscrete)")
    own = getattr(unwrapped, "action_labels", None)
    if own is not None and len(own) == len(act_labels):
        act_labels = [str(x) for x in own]

    box_obs = isinstance(obs_space, spaces.Box)
    flatten = spaces.flatten


    def flat(o):
        return o if box_obs else flatten(obs_space, o)


    def probe():
        """Plays one seeded episode of 200 random actions twice, in two fresh environments:
        whether reset(seed=) alone decides the episode."""
        traces = []
        for _ in range(2):
            e = make()
            act_space.seed(7)
            o, _ = e.reset(seed=12345)
            trace = [np.asarray(flat(o), dtype=np.float64).tobytes()]
            for _ in range(200):
                o, r, te, tr, _ = e.step(act_space.sample())
                trace.append(np.asarray(flat(o), dtype=np.float64).tobytes() + struct.pack("<d??", float(r), bool(te), bool(tr)))
                if te or tr:
                    break
            e.close()
            traces.append(trace)
        return traces[0] == traces[1]


    try:
        deterministic = probe()
    except Exception as e:
        fail(f"step:probe:{type(e).__name__}: {e}")


    def version(name):
        try:
            from importlib.metadata import version as v
            return v(name)
        except Exception:
            return getattr(sys.modules.get(name), "__version__", "")


    spec = getattr(env, "spec", None)
    description = {
        "environment": env_name, "kwargs": kwargs_text, "gymnasium_version": gymnasium.__version__,
        "package": package, "package_version": version(package) if package else "",
        "python": sys.executable, "python_version": sys.version.split()[0],
        "observation_space": str(obs_space), "action_space": str(act_space),
        "observation_size": obs_dim, "observation_labels": clean(obs_labels),
        "action_kind": act_kind, "action_size": act_dim, "action_low": low, "action_high": high,
        "action_groups": groups, "action_labels": clean(act_labels),
        "max_episode_steps": (spec.max_episode_steps if spec is not None else None) or kwargs.get("max_episode_steps"),
        "reward_threshold": spec.reward_threshold if spec is not None else None,
        "deterministic": deterministic,
    }
    send(0, json.dumps(description).encode())

    HEAD = struct.Struct("<cII")  # request: op, count, body bytes
    STATUS = struct.Struct("<BI")  # reply: status, payload bytes
    ok_header = bytearray(5)


    shape_cache = {}


    def shapes(count):
        """The structs of a step request's lanes and actions, and of its reply, for `count` lanes."""
        s = shape_cache.get(count)
        if s is None:
            s = shape_cache[count] = (struct.Struct(f"<{count}I"), struct.Struct(f"<{count * act_dim}d"),
                                      struct.Struct(f"<{count * (obs_dim + 2)}d"))
        return s


    def as_list(o):
        """An observation as a flat list of floats."""
        if box_obs and type(o) is np.ndarray and o.ndim == 1:
            return o.tolist()
        return np.asarray(flat(o), dtype=np.float64).ravel().tolist()


    def reply(array):
        STATUS.pack_into(ok_header, 0, 0, array.nbytes)
        os.writev(OUT.fileno(), [ok_header, array])


    inbox = bytearray(1 << 16)
    # Between two requests the engine only runs the network (microseconds): wait for the next one
    # awake, yielding the core, for a while (WANN_GYM_WORKER_SPIN_US, default 50), before sleeping
    # in select; being woken from sleep costs more than a step.
    SPIN_NS = int(os.environ.get("WANN_GYM_WORKER_SPIN_US", "50")) * 1000
    os.set_blocking(0, False)


    def read_request():
        """One request, read greedily (it usually arrives in one read): op, count, body."""
        global inbox
        view = memoryview(inbox)
        filled, needed = 0, 9
        spin_until = time.perf_counter_ns() + SPIN_NS
        while filled < needed:
            k = IN.readinto(view[filled:])
            if k is None:  # nothing yet
                if time.perf_counter_ns() < spin_until:
                    os.sched_yield()
                else:
                    select.select([0], [], [])
                    spin_until = 0
                continue
            if not k:
                sys.exit(0)  # the engine is gone
            filled += k
            if filled >= 9:
                needed = 9 + HEAD.unpack_from(inbox)[2]
                if needed > len(inbox):
                    inbox = inbox + bytearray(needed - len(inbox))
                    view = memoryview(inbox)
        op, count, _ = HEAD.unpack_from(inbox)
        return op, count, view[9:needed]


    while True:
        op, count, body = read_request()
        if op == b"Q":
            break
        if op == b"R":
            req = np.frombuffer(body, dtype=np.dtype([("lane", "<u4"), ("seed", "<u8")]), count=count)
            out = np.empty((count, obs_dim), dtype=np.float64)
            lane = -1
            try:
                for k in range(count):
                    lane = int(req["lane"][k])
                    while len(envs) <= lane:
                        envs.append(make())
                    o, _ = envs[lane].reset(seed=int(req["seed"][k]))
                    out[k] = flat(o)
            except Exception as e:
                send(1, f"reset:{lane}:{type(e).__name__}: {e}".encode("utf-8", "replace"))
                continue
            reply(out)
        elif op == b"S":
            # count lanes (ascending), their actions, then seeds for the lanes whose episodes end:
            # the k-th lane to end (in lane order) starts its next episode with the k-th seed, and its
            # row carries that episode's first observation instead of the last one (flag 4).
            # Plain struct and lists, not NumPy, for the small arrays: a step's own cost is a few
            # microseconds, and NumPy's per-call overhead would be a large part of it.
            lane_struct, act_struct, row_struct = shapes(count)
            lanes = lane_struct.unpack_from(body)
            at = 4 * count + 8 * count * act_dim
            (seed_count,) = struct.unpack_from("<I", body, at)
            seeds = struct.unpack_from(f"<{seed_count}Q", body, at + 4)
            if act_kind == "discrete":
                start = int(act_space.start)
                actions = [start + int(a) for a in act_struct.unpack_from(body, 4 * count)]
            else:
                acts = np.frombuffer(body, dtype="<f8", count=count * act_dim, offset=4 * count)
                if act_kind == "multidiscrete":
                    actions = (acts.reshape(count, act_dim).astype(np.int64) + act_space.start).astype(act_space.dtype)
                else:
                    actions = acts.astype(act_space.dtype).reshape((count, *act_space.shape))
            values = []
            used = 0
            lane = -1
            try:
                for lane, action in zip(lanes, actions, strict=True):
                    env = envs[lane]
                    o, r, te, tr, _ = env.step(action)
                    flags = te + 2 * tr
                    if flags and used < seed_count:
                        o, _ = env.reset(seed=seeds[used])
                        used += 1
                        flags += 4
                    values += as_list(o)
                    values.append(r)
                    values.append(flags)
                payload = row_struct.pack(*values)
            except Exception as e:
                send(1, f"step:{lane}:{type(e).__name__}: {e}".encode("utf-8", "replace"))
                continue
            STATUS.pack_into(ok_header, 0, 0, len(payload))
            os.writev(OUT.fileno(), [ok_header, payload])
        else:
            fail(f"protocol: unknown request {op!r}")
    """#
}
