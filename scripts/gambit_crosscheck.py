#!/usr/bin/env python3
"""Cross-check of leverage-games' solvers against Gambit (pygambit 16.7.0).

Usage:  python3 scripts/gambit_crosscheck.py OUTDIR

OUTDIR holds what `cargo run --release -p leverage-games --example gambit_crosscheck -- OUTDIR`
wrote: for each game gNNN, our `.efg` (`Game::to_efg`) and a `.json` with the game's structure
and our answers. Each game is read with `pygambit.read_efg` and checked:

  (1) LCP   every equilibrium our sequence-form LCP found is a Nash equilibrium by pygambit's
            own `max_regret` (<= 1e-9) on our profile loaded into pygambit; where pygambit's
            `enummixed_solve` (small games only) shows the equilibrium is unique, ours equals
            pygambit's `lcp_solve` answer (and the unique `enummixed` one) to 1e-6 at every
            information set the player's own strategy reaches.
  (2) BI    our backward-induction profile of a perfect-information game has zero
            `agent_max_regret` (and zero `max_regret`) in pygambit, in exact rational arithmetic.
  (3) QRE   our logit QRE at lambda = 0.5, 1, 5 equals `gbt.qre.logit_solve_lambda` to 1e-6
            (read flat from `q[i]`: player -> information set -> action, as our profiles).
  (4) EFG   the file pygambit read has our players, tree, node/infoset/outcome labels,
            information sets, chance probabilities and payoffs (exactly), shared outcomes, and
            the same flat profile layout; pygambit's own `.efg` of the game is written to
            OUTDIR/gNNN.gambit.efg for the Rust side to read back (`--reread`).
  (5) REG   our own max_regret of every profile above (BI, LCP, QRE) equals pygambit's
            `max_regret` of the same profile to 1e-9 (relative to the payoff scale).

Prints a line per check with counts, every failure with its game and numbers, and ends with a
line `N passed, M failed` (counting one check of one game as one); exits 1 on any failure.
Needs nothing but pygambit and the standard library.
"""

import glob
import json
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from fractions import Fraction

import pygambit as gbt

LAMBDAS = [0.5, 1.0, 5.0]
NASH_TOL = 1e-9      # pygambit's max_regret of our equilibria
EQUAL_TOL = 1e-6     # profile equality (LCP where unique, QRE)
LAMBDA_TOL = 1e-8    # how far from the requested lambda pygambit's profile may lie
REGRET_TOL = 1e-9    # our max_regret vs pygambit's, times max(1, largest |payoff|)
# enummixed (uniqueness) only on games with at most this many reduced strategies per player
# and this many strategy pairs; pygambit's lcp only up to this many nodes.
ENUM_MAX_STRATEGIES = 40
ENUM_MAX_PAIRS = 300
ENUM_SECONDS = 2.0
GAMBIT_LCP_MAX_NODES = 120
GAMBIT_LCP_SECONDS = 5.0
# pygambit's logit_solve_lambda costs about (number of actions)^3 per step: 2 s at 40 actions,
# 90 s at 130. Larger games are counted as skipped for (3) (the Rust tests check our QRE there).
QRE_MAX_ACTIONS = 40
QRE_SECONDS = 6.0
# pygambit's max_regret of a totally mixed profile takes ~20 s at 200 actions: check (5) and
# the Nash part of check (2) only up to this many actions.
REG_MAX_ACTIONS = 40
# pygambit's max_regret of our LCP profile (check 1) in a child with this time limit: on a few
# 300-node trees it runs for minutes; such games are counted as skipped.
REGRET_SECONDS = 20.0
# All checks of one game must finish within this (the process is killed otherwise).
GAME_SECONDS = 120

CHECKS = [
    ("lcp", "(1) LCP equilibria are Nash in pygambit; equal to pygambit's where unique"),
    ("bi", "(2) backward induction has zero agent regret in pygambit"),
    ("qre", "(3) QRE at lambda 0.5, 1, 5 equals gbt.qre.logit_solve_lambda"),
    ("efg", "(4) .efg read by pygambit: same tree, information sets, labels, payoffs"),
    ("reg", "(5) our max_regret equals pygambit's on the same profiles"),
]


class Tally:
    def __init__(self):
        self.passed = {k: 0 for k, _ in CHECKS}
        self.failed = {k: [] for k, _ in CHECKS}
        self.notes = {k: {} for k, _ in CHECKS}

    def ok(self, check):
        self.passed[check] += 1

    def fail(self, check, game, message):
        self.failed[check].append(f"{game}: {message}")

    def note(self, check, key, n=1):
        self.notes[check][key] = self.notes[check].get(key, 0) + n

    def merge(self, other):
        for k, _ in CHECKS:
            self.passed[k] += other.passed[k]
            self.failed[k].extend(other.failed[k])
            for key, n in other.notes[k].items():
                self.note(k, key, n)


def frac(x):
    """An exact value from pygambit's Rational/Decimal or our string (`-3/4`, `0.25`)."""
    return Fraction(str(x))


def preorder(game):
    """Nodes in preorder (children in action order) and each node's parent index."""
    nodes, parents = [], []
    stack = [(game.root, -1)]
    while stack:
        node, parent = stack.pop()
        index = len(nodes)
        nodes.append(node)
        parents.append(parent)
        children = list(node.children)
        for child in reversed(children):
            stack.append((child, index))
    return nodes, parents


def gambit_layout(game, node_index):
    """The flat profile layout in pygambit's order: (player, first member, action label)."""
    out = []
    for p, player in enumerate(game.players):
        for infoset in player.infosets:
            first = node_index[next(iter(infoset.members))]
            for action in infoset.actions:
                out.append((p, first, action.label))
    return out


def nest(game, flat):
    """Our flat profile as pygambit's nested [player][infoset][action] list."""
    out, i = [], 0
    for player in game.players:
        per_player = []
        for infoset in player.infosets:
            k = len(infoset.actions)
            per_player.append(flat[i:i + k])
            i += k
        out.append(per_player)
    assert i == len(flat), "profile length"
    return out


def gambit_flat(game, profile):
    """A pygambit MixedBehaviorProfile as a flat list of floats in our order."""
    return [float(profile[action])
            for player in game.players
            for infoset in player.infosets
            for action in infoset.actions]


def own_reach(data, flat):
    """For each personal information set (our index), the probability that its player's own
    moves lead to it under the profile (the same at every member, by perfect recall)."""
    infosets, nodes = data["infosets"], data["nodes"]
    offsets, off = [], 0
    for h in infosets:
        offsets.append(off if h["mover"] >= 0 else None)
        if h["mover"] >= 0:
            off += len(h["actions"])
    out = []
    for h in infosets:
        if h["mover"] < 0:
            continue
        player, reach = h["mover"], 1.0
        child = h["nodes"][0]
        parent = nodes[child][3]
        while parent >= 0:
            ph = nodes[parent][1]
            if infosets[ph]["mover"] == player:
                # Which action of the parent leads to `child`: children are consecutive in
                # preorder, so count the parent's children before it.
                siblings = [v for v in range(parent + 1, child + 1) if nodes[v][3] == parent]
                action = len(siblings) - 1
                reach *= flat[offsets[ph] + action]
            child, parent = parent, nodes[parent][3]
        out.append(reach)
    return out


def compare_at_reached(data, ours, theirs):
    """Largest difference at information sets our own strategy reaches (> 1e-9)."""
    reach = own_reach(data, ours)
    worst, i = 0.0, 0
    for r, h in zip(reach, [h for h in data["infosets"] if h["mover"] >= 0]):
        k = len(h["actions"])
        if r > 1e-9:
            for a in range(k):
                worst = max(worst, abs(ours[i + a] - theirs[i + a]))
        i += k
    return worst


def check_structure(name, data, game, nodes, parents, tally):
    """(4): pygambit's reading of our file against our JSON. Returns True if the profile
    layout agrees (the other checks depend on it)."""
    problems = []
    players = [p.label for p in game.players]
    if players != data["players"]:
        problems.append(f"players {players} vs {data['players']}")
    if game.title != data["title"]:
        problems.append(f"title {game.title!r} vs {data['title']!r}")
    if len(nodes) != data["num_nodes"]:
        problems.append(f"{len(nodes)} nodes vs {data['num_nodes']}")
    else:
        h_map, h_back, o_map, o_back = {}, {}, {}, {}
        for v, (node, (label, h, o, parent)) in enumerate(zip(nodes, data["nodes"])):
            if len(problems) > 5:
                break
            if node.label != label:
                problems.append(f"node {v}: label {node.label!r} vs {label!r}")
            if parents[v] != parent:
                problems.append(f"node {v}: parent {parents[v]} vs {parent}")
            if (h < 0) != node.is_terminal:
                problems.append(f"node {v}: terminal in one reading only")
                continue
            if h >= 0:
                ours = data["infosets"][h]
                inf = node.infoset
                if h_map.setdefault(h, inf) != inf or h_back.setdefault(inf, h) != h:
                    problems.append(f"node {v}: information sets differ")
                mover = -1 if inf.is_chance else inf.player.number
                if mover != ours["mover"]:
                    problems.append(f"node {v}: mover {mover} vs {ours['mover']}")
                if inf.label != ours["label"]:
                    problems.append(f"node {v}: infoset label {inf.label!r} vs {ours['label']!r}")
                actions = [a.label for a in inf.actions]
                if actions != ours["actions"]:
                    problems.append(f"node {v}: actions {actions} vs {ours['actions']}")
                if inf.is_chance:
                    probs = [frac(a.prob) for a in inf.actions]
                    if probs != [frac(p) for p in ours["probs"]]:
                        problems.append(f"node {v}: chance {probs} vs {ours['probs']}")
            gout = node.outcome
            if (o < 0) != (gout is None or not gout):
                problems.append(f"node {v}: outcome present in one reading only")
            elif o >= 0:
                ours = data["outcomes"][o]
                if o_map.setdefault(o, gout) != gout or o_back.setdefault(gout, o) != o:
                    problems.append(f"node {v}: outcomes shared differently")
                if gout.label != ours["label"]:
                    problems.append(f"node {v}: outcome label {gout.label!r} vs {ours['label']!r}")
                pay = [frac(gout[p]) for p in game.players]
                if pay != [frac(x) for x in ours["payoffs"]]:
                    problems.append(f"node {v}: payoffs {[str(x) for x in pay]} vs {ours['payoffs']}")
    layout_ok = False
    if not problems:
        index = {node: v for v, node in enumerate(nodes)}
        layout = gambit_layout(game, index)
        ours = [tuple(x) for x in data["layout"]]
        if layout == ours:
            layout_ok = True
        else:
            problems.append(f"profile layout differs: pygambit {layout[:6]}... vs ours {ours[:6]}...")
    if problems:
        tally.fail("efg", name, "; ".join(problems[:6]))
    else:
        tally.ok("efg")
    return layout_ok


def payoff_scale(data):
    return max([1.0] + [abs(float(frac(x))) for o in data["outcomes"] for x in o["payoffs"]])


def check_regret(name, what, ours, theirs, scale, tally):
    if ours is None or abs(ours - theirs) > REGRET_TOL * scale:
        tally.fail("reg", name, f"{what}: our max_regret {ours!r}, pygambit {theirs!r}")
    else:
        tally.ok("reg")


def check_bi(name, data, game, scale, tally, efg_path):
    bi = data["bi"]
    flat = bi["profile"]
    if any(x not in (0.0, 1.0) for x in flat):
        tally.fail("bi", name, f"backward induction profile is not pure: {flat}")
        return
    prof = game.mixed_behavior_profile(nest(game, [Fraction(x) for x in flat]), rational=True)
    agent = prof.agent_max_regret()
    # pygambit's max_regret costs seconds on large trees; only the agent regret (check 2) is
    # computed there.
    nash = prof.max_regret() if len(flat) <= REG_MAX_ACTIONS else 0
    if agent != 0 or nash != 0:
        tally.fail("bi", name, f"pygambit agent_max_regret {agent}, max_regret {nash} "
                               f"(ours: agent {bi['agent_regret']}, max {bi['max_regret']}); "
                               f"profile {flat}")
    else:
        tally.ok("bi")
    if len(flat) <= REG_MAX_ACTIONS:
        check_regret(name, "BI profile", bi["max_regret"], float(nash), scale, tally)
    else:
        tally.note("reg", f"skipped: more than {REG_MAX_ACTIONS} actions")


def _child(fn, args, conn):
    conn.send(fn(*args))
    conn.close()


def limited(fn, args, seconds):
    """fn(*args) in a forked child process; its result, or None if it did not finish within
    `seconds` (pygambit's solvers cannot be interrupted otherwise)."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(fn, args, send))
    child.start()
    send.close()
    result = receive.recv() if receive.poll(seconds) else None
    if result is None:
        child.kill()
    child.join()
    return result


def _enummixed(path):
    game = gbt.read_efg(path)
    eqs = gbt.nash.enummixed_solve(game, rational=True).equilibria
    # At most two profiles are needed (one: unique; two: not unique).
    return [gambit_flat(game, eq.as_behavior()) for eq in eqs[:2]]


def enummixed(path):
    """pygambit's enummixed_solve (the first two equilibria as flat behaviour profiles), or
    None if it did not finish within ENUM_SECONDS (it takes minutes on some small games)."""
    return limited(_enummixed, (path,), ENUM_SECONDS)


def _max_regret(path, flat):
    game = gbt.read_efg(path)
    return float(game.mixed_behavior_profile(nest(game, flat)).max_regret())


def _lcp(path):
    game = gbt.read_efg(path)
    res = gbt.nash.lcp_solve(game, rational=False)
    return [gambit_flat(game, eq) for eq in res.equilibria[:1]]


def _qre(path):
    game = gbt.read_efg(path)
    return [(q.lam, [q[i] for i in range(len(q))])
            for q in gbt.qre.logit_solve_lambda(game, lam=LAMBDAS)]


def check_lcp(name, data, game, scale, tally, efg_path):
    lcp = data["lcp"]
    if not lcp["ok"]:
        tally.fail("lcp", name, f"our LCP failed: {lcp['error']}")
        return
    ours = lcp["profile"]
    regret = limited(_max_regret, (efg_path, ours), REGRET_SECONDS)
    if regret is None:
        tally.note("lcp", f"skipped: pygambit's max_regret over {REGRET_SECONDS} s")
        return
    check_regret(name, "LCP profile", lcp["max_regret"], regret, scale, tally)
    if not regret <= NASH_TOL:
        tally.fail("lcp", name, f"pygambit max_regret {regret:.3e} of our LCP profile {ours}")
        return
    tally.note("lcp", "Nash by pygambit's max_regret")
    # pygambit's own lcp (informational, and for the unique case).
    theirs = None
    if data["num_nodes"] <= GAMBIT_LCP_MAX_NODES:
        found = limited(_lcp, (efg_path,), GAMBIT_LCP_SECONDS)
        if found is None:
            tally.note("lcp", f"pygambit's lcp_solve over {GAMBIT_LCP_SECONDS} s")
        elif found:
            theirs = found[0]
            same = compare_at_reached(data, ours, theirs) <= EQUAL_TOL
            tally.note("lcp", "same as pygambit's lcp_solve" if same
                       else "different equilibrium from pygambit's lcp_solve")
    strategies = data["reduced_strategies"]
    if (max(strategies) <= ENUM_MAX_STRATEGIES
            and strategies[0] * strategies[1] <= ENUM_MAX_PAIRS and theirs is not None):
        found = enummixed(efg_path)
        if found is None:
            tally.note("lcp", f"uniqueness unknown (enummixed over {ENUM_SECONDS} s)")
        elif len(found) == 1:
            tally.note("lcp", "unique equilibrium (enummixed): compared")
            unique = found[0]
            d_lcp = compare_at_reached(data, ours, theirs)
            d_enum = compare_at_reached(data, ours, unique)
            if d_lcp > EQUAL_TOL or d_enum > EQUAL_TOL:
                tally.fail("lcp", name, f"unique equilibrium but ours differs: by {d_lcp:.3e} from "
                                        f"pygambit lcp_solve, by {d_enum:.3e} from enummixed; "
                                        f"ours {ours}, lcp_solve {theirs}, enummixed {unique}")
                return
        else:
            tally.note("lcp", f"not unique (enummixed found several)")
    else:
        tally.note("lcp", "too large for the uniqueness test")
    tally.ok("lcp")


def check_qre(name, data, game, scale, tally, efg_path):
    qre = data["qre"]
    small = len(data["layout"]) <= QRE_MAX_ACTIONS
    if isinstance(qre, dict):
        message = f"our QRE failed: {qre['error']}"
        if small:
            theirs = limited(_qre, (efg_path,), QRE_SECONDS) or []
            message += "; pygambit's: " + "; ".join(
                f"lambda {lam}: {[round(x, 9) for x in q]}" for lam, q in theirs)
        tally.fail("qre", name, message)
        return
    for lam, ours in zip(LAMBDAS, qre):
        if len(data["layout"]) > REG_MAX_ACTIONS:
            tally.note("reg", f"skipped: more than {REG_MAX_ACTIONS} actions")
            continue
        prof = game.mixed_behavior_profile(nest(game, ours["profile"]))
        check_regret(name, f"QRE profile at lambda {lam}", ours["max_regret"],
                     float(prof.max_regret()), scale, tally)
    if not small:
        tally.note("qre", f"skipped: more than {QRE_MAX_ACTIONS} actions")
        return
    start = time.time()
    theirs = limited(_qre, (efg_path,), QRE_SECONDS)
    tally.note("qre", "seconds in pygambit", time.time() - start)
    if theirs is None:
        tally.note("qre", f"skipped: pygambit over {QRE_SECONDS} s")
        return
    if len(theirs) < len(LAMBDAS):
        # pygambit 16.7.0's tracer sometimes stops early (no error) and returns only the
        # profiles it reached; those are compared, and the game is counted.
        tally.note("qre", "pygambit returned fewer profiles than asked (compared those)")
    if all(q_lam < 0.5 * min(LAMBDAS) for q_lam, _ in theirs):
        tally.note("qre", "skipped: pygambit stopped at lambda 0")
        return
    problems = []
    by_lambda = {lam: ours for lam, ours in zip(LAMBDAS, qre)}
    for q_lam, flat in theirs:
        if q_lam < 0.5 * min(LAMBDAS):
            continue  # pygambit's start point (it stopped before the first lambda)
        lam = min(LAMBDAS, key=lambda x: abs(x - q_lam))
        ours = by_lambda[lam]
        if len(flat) != len(ours["profile"]):
            problems.append(f"lambda {lam}: {len(flat)} probabilities vs our {len(ours['profile'])}")
            continue
        # pygambit's tracer stops within ~3e-10 of the requested lambda (it moves no
        # probability by more than ~1e-9 there); a larger gap is a failure.
        if abs(q_lam - lam) > LAMBDA_TOL * max(1.0, lam):
            problems.append(f"pygambit's profile is at lambda {q_lam}, asked {lam}")
        diff = max((abs(a - b) for a, b in zip(flat, ours["profile"])), default=0.0)
        if not diff <= EQUAL_TOL:
            worst = max(range(len(flat)), key=lambda i: abs(flat[i] - ours["profile"][i]))
            problems.append(f"lambda {lam}: differs by {diff:.3e} (entry {worst}: pygambit "
                            f"{flat[worst]!r}, ours {ours['profile'][worst]!r})")
    if problems:
        tally.fail("qre", name, "; ".join(problems))
    else:
        tally.ok("qre")


def check_game(job):
    """All checks of one game (run in a worker process). Returns the game's tally and the
    seconds spent in each check."""
    outdir, path = job
    tally = Tally()
    seconds = {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    name = data["name"]
    efg = os.path.join(outdir, name + ".efg")
    start = time.time()
    try:
        game = gbt.read_efg(efg)
    except Exception as e:  # noqa: BLE001 — any reading failure is a failed check
        tally.fail("efg", name, f"pygambit cannot read our .efg: {type(e).__name__}: {e}")
        return name, data["kind"], tally, seconds
    try:
        game.to_efg(os.path.join(outdir, name + ".gambit.efg"))
        nodes, parents = preorder(game)
        layout_ok = check_structure(name, data, game, nodes, parents, tally)
    except Exception as e:  # noqa: BLE001
        tally.fail("efg", name, f"{type(e).__name__}: {e}")
        layout_ok = False
    seconds["efg"] = time.time() - start
    scale = payoff_scale(data)
    steps = [("bi", check_bi, data["bi"] is not None),
             ("lcp", check_lcp, data["lcp"] is not None),
             ("qre", check_qre, True)]
    for check, fn, applies in steps:
        if not applies:
            continue
        if not layout_ok:
            tally.fail(check, name, "not run: the profile layout differs from pygambit's")
            continue
        start = time.time()
        try:
            fn(name, data, game, scale, tally, efg)
        except Exception as e:  # noqa: BLE001
            tally.fail(check, name, f"{type(e).__name__}: {e}")
        seconds[check] = time.time() - start
    return name, data["kind"], tally, seconds


def _game_child(job, conn):
    conn.send(check_game(job))
    conn.close()


def run_all(outdir, paths, workers):
    """check_game on every game, each in its own forked process, `workers` at a time; a game
    whose process dies (pygambit crashing) or runs over GAME_SECONDS is a failed check."""
    ctx = multiprocessing.get_context("fork")
    pending = list(paths)
    running = {}  # connection -> (process, path, start)
    while pending or running:
        while pending and len(running) < workers:
            path = pending.pop(0)
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_game_child, args=((outdir, path), send))
            proc.start()
            send.close()
            running[receive] = (proc, path, time.time())
        ready = multiprocessing.connection.wait(list(running), timeout=1.0)
        for conn in ready:
            proc, path, _ = running.pop(conn)
            try:
                result = conn.recv()
            except EOFError:
                proc.join()
                result = crashed(path, f"the checking process died (exit code {proc.exitcode})")
            proc.join()
            yield result
        for conn, (proc, path, begun) in list(running.items()):
            if time.time() - begun > GAME_SECONDS:
                proc.kill()
                proc.join()
                del running[conn]
                yield crashed(path, f"checks did not finish within {GAME_SECONDS} s")


def crashed(path, message):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    tally = Tally()
    tally.fail("efg", data["name"], message)
    return data["name"], data["kind"], tally, {}


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    start = time.time()
    workers = int(os.environ.get("CROSSCHECK_JOBS", "0")) or os.cpu_count() or 1
    print(f"pygambit {gbt.__version__}, {workers} worker processes")
    paths = sorted(glob.glob(os.path.join(outdir, "g[0-9][0-9][0-9]*.json")))
    if not paths:
        print(f"no gNNN.json files in {outdir}: run the gambit_crosscheck example first")
        print("0 passed, 1 failed")
        return 1
    # Largest games first, so that no long job starts last.
    paths.sort(key=lambda p: -os.path.getsize(p))
    tally = Tally()
    kinds = {}
    per_check = {k: 0.0 for k, _ in CHECKS}
    slowest = []
    for name, kind, t, seconds in run_all(outdir, paths, workers):
        kinds[kind] = kinds.get(kind, 0) + 1
        tally.merge(t)
        for k, v in seconds.items():
            per_check[k] += v
        slowest.append((sum(seconds.values()), name, kind))

    print(f"{len(paths)} games: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    total_pass = total_fail = 0
    for check, title in CHECKS:
        p, f = tally.passed[check], len(tally.failed[check])
        total_pass, total_fail = total_pass + p, total_fail + f
        notes = "; ".join(
            f"{k} {v:.1f}" if isinstance(v, float) else f"{k}: {v}"
            for k, v in sorted(tally.notes[check].items()))
        print(f"{title}: {p} passed, {f} failed" + (f" ({notes})" if notes else ""))
        for message in tally.failed[check]:
            print(f"  FAIL {message}")
    print("seconds per check, summed over games: " + ", ".join(
        f"{k} {v:.1f}" for k, v in per_check.items() if v > 0))
    slowest.sort(reverse=True)
    print("slowest games: " + ", ".join(f"{n} ({k}) {t:.1f} s" for t, n, k in slowest[:5]))
    print(f"cross-check took {time.time() - start:.1f} s")
    print(f"{total_pass} passed, {total_fail} failed")
    return 0 if total_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
