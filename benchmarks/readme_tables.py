"""Write the README's results section from the committed benchmark results.

Run ``python benchmarks/readme_tables.py`` after re-running benchmarks: it replaces the text
between ``<!-- results:start -->`` and ``<!-- results:end -->`` in README.md with tables built
from ``benchmarks/results/*.json`` only. ``--check`` exits 1 when the README is out of date
(the test suite runs it), so every number in the README comes from a committed script's output.
The prototype's figures are quoted from shared/reference (facts about the authors' code, measured
on the same kind of 2-core machine) and marked as such.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
START, END = "<!-- results:start -->", "<!-- results:end -->"

# The authors' prototype (shared/reference/prototype_measured.md and anchor_code_facts.md §7):
# quoted facts, not results of this repository.
PROTOTYPE = {
    "diff_steps": "1,940 (1,170–2,430)",
    "diff_seconds": "1.3",
    "func_steps": "14,840 (9,880–23,720)",
    "func_seconds": "35",
    "transfer": "regret ≈ 0 only up to ≈ 1.4 rad from the training task, oracle goal angles",
}


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _e(x: float) -> str:
    return f"{x:.1e}" if x < 0.01 else f"{x:.3f}"


def _range(s: dict, fmt=_e) -> str:
    return f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


def closed_form_table(d: dict) -> list[str]:
    c, r3, c3, big = (
        d[k] for k in ("circle_base_task", "radial_so3", "conjugated_so3", "scale_100k")
    )
    n = len(d["seeds"])
    return [
        f"**Closed-form differential discovery** (`benchmarks/bench_closed_form.py`, {n} seeds, "
        "median (min–max)):",
        "",
        "| case | target | measured |",
        "|---|---|---|",
        f"| circle base task, 2,000 random-policy transitions: angle to rotation about g₀ | ≤ 0.01 "
        f"rad | {_range(c['angle'])} rad |",
        f"| same: centre (goal) error | ≤ 0.05 | {_range(c['centre_error'])} |",
        f"| same: dimension right / time per fit | every seed, ≪ 1 s | {c['dim_correct']}/{n}, "
        f"{_range(c['seconds'], lambda x: f'{x:.2f}')} s |",
        f"| f = h(‖x‖) in R³, 5,000 points: Grassmann distance to so(3) | ≤ 0.02 | "
        f"{_range(r3['grassmann'])} (dim right {r3['dim_correct']}/{n}) |",
        f"| conjugated C so(3) C⁻¹ | ≤ 0.02 | {_range(c3['grassmann'])} (dim right "
        f"{c3['dim_correct']}/{n}) |",
        f"| 10⁵ points, f = ‖x‖²: frames + null space | — | {big['total_fit_seconds']:.1f} s, "
        f"Grassmann {big['grassmann']:.1e} |",
    ]


def diff_vs_func_table(d: dict) -> list[str]:
    s, cf, st = d["summary"], d["closed_form"], d["settings"]

    def row(key, label, proto_steps="", proto_s=""):
        r = s[key]
        return (
            f"| {label} | {r['steps_median']:,.0f} ({r['steps_min']:,}–{r['steps_max']:,}) | "
            f"{r['seconds_median']:.2f} | {r['n_reached']}/{r['n_runs']} | "
            f"{r['final_angle_max']:.1e} | {proto_steps} | {proto_s} |"
        )

    ratio_steps = s["c_func_oracle"]["steps_median"] / s["a_diff_oracle"]["steps_median"]
    ratio_s = s["c_func_oracle"]["seconds_median"] / s["a_diff_oracle"]["seconds_median"]
    return [
        f"**Differential vs functional** (`benchmarks/bench_diff_vs_func.py`: f = ‖x‖², "
        f"N = {st['n_points']:,}, Adam lr {st['lr']}, batch {st['batch_size']}, "
        f"{st['n_seeds']} seeds, same initial generator per seed; tolerance {st['tol']} rad):",
        "",
        "| method | steps to tol, median (range) | seconds | reached | worst final angle | "
        "prototype steps | prototype s |",
        "|---|---|---|---|---|---|---|",
        row(
            "a_diff_oracle",
            "projection loss, exact frames",
            PROTOTYPE["diff_steps"],
            PROTOTYPE["diff_seconds"],
        ),
        row("b_diff_estimated", "projection loss, frames estimated from samples"),
        row(
            "c_func_oracle",
            "functional, true f (the prototype's protocol)",
            PROTOTYPE["func_steps"],
            PROTOTYPE["func_seconds"],
        ),
        row("d_func_surrogate", "functional, surrogate fitted to the samples"),
        f"| closed form, estimated frames | no optimiser | {cf['estimated frames']['seconds']:.2f}"
        f" | — | {cf['estimated frames']['final_angle']:.1e} | | |",
        "",
        f"The functional method needs {ratio_steps:.1f}× the steps and {ratio_s:.0f}× the wall "
        'time of the projection loss (the paper: "an order of magnitude"; the prototype: 7.6× '
        "and 27×); the closed form needs no optimiser at all.",
        *sweep_table(d),
    ]


METHOD_LABELS = {
    "closed_form": "closed form",
    "diff_gradient": "projection loss",
    "func_oracle": "functional, true f",
    "func_surrogate": "functional, surrogate",
}


def sweep_table(d: dict) -> list[str]:
    """Median error against N (R^2) and against value noise, every method on identical data."""
    lines = []
    for key, axis, label in (
        ("sample_efficiency", "N", "N"),
        ("robustness", "sigma", "value noise σ"),
    ):
        sweep = d.get(key)
        if sweep is None:
            continue
        rows = [r for r in sweep["summary"] if r["n"] == 2]
        xs = sorted({r["x"] for r in rows})
        methods = [m for m in METHOD_LABELS if any(r["method"] == m for r in rows)]
        st = sweep["settings"]
        fmt = (lambda x: f"{x:,.0f}") if axis == "N" else (lambda x: f"{x:g}")
        lines += [
            "",
            f"Median angle to so(2) (rad) against {label} (f = ‖x‖² in R², "
            f"{st['seeds_closed_form']} seeds for the closed form, {st['seeds_gradient']} for the "
            f"gradient methods at {st['gradient']['n_steps']:,} steps, lr {st['gradient']['lr']}):",
            "",
            "| method | " + " | ".join(fmt(x) for x in xs) + " |",
            "|---|" + "---|" * len(xs),
        ]
        for m in methods:
            cells = []
            for x in xs:
                hit = [r for r in rows if r["method"] == m and r["x"] == x]
                cells.append(_e(hit[0]["error"]["median"]) if hit else "—")
            lines.append(f"| {METHOD_LABELS[m]} | " + " | ".join(cells) + " |")
    if lines:
        lines += [
            "",
            "The functional method with the true f never sees the samples (it evaluates f off the"
            " data, the prototype's privilege), so N and noise do not affect it; the surrogate "
            "row is the fair comparison.",
        ]
    return lines


MULTI_LABELS = {
    "closed_form": "closed form, estimated frames",
    "projection_exact": "projection loss, exact normals",
    "projection_estimated": "projection loss, estimated frames",
    "functional_true": "functional, true f",
    "functional_surrogate": "functional, surrogate",
    "paper_projection": "paper protocol: projection loss, exact normals",
    "paper_functional": "paper protocol: functional, true f",
}


def _n(x: int) -> str:
    return f"10{'⁰¹²³⁴⁵⁶⁷⁸⁹'[len(str(x)) - 1]}" if str(x).strip("0") == "1" else f"{x:,}"


def _load_note(st: dict) -> str:
    """The 1-minute load averages met by the (staged) run: seconds are only comparable within."""
    loads = [v[0] for stage in st.get("stages", []) for v in stage["load_average_before_after"]]
    if not loads:
        return ""
    return (
        f"; seconds measured on a shared machine, {st['stages'][0]['n_jobs']} workers, "
        f"load average {min(loads):.0f}–{max(loads):.0f}"
    )


def multi_table(full: dict) -> list[str]:
    """k-dimensional algebras on the Grassmannian against the closed form and the paper."""
    d = full.get("multi")
    if d is None:
        return []
    st, rows = d["settings"], d["summary"]
    grid, big, tol = st["n_grid"], max(st["n_grid"]), st["tol"]
    by = {(r["problem"], r["N"], r["method"]): r for r in rows}
    g = st["grassmann"]
    lines = [
        f"**Several generators: k-dimensional algebras on the Grassmannian** "
        f"(`bench_diff_vs_func.py --only multi`: {st['seeds']} seeds, one data set per seed; "
        f"`GrassmannDifferentialDiscovery` / `GrassmannFunctionalDiscovery`, Riemannian Adam "
        f"lr {g['lr']} rad, batch {g['batch_size']}, the same random starting span for every "
        f"method, stopping rule on the Grassmann distance between iterates, cap "
        f"{g['step_cap']:,} steps; the paper's protocol: k free generators, Adam lr "
        f"{st['paper_protocol']['lr']}, {st['paper_protocol']['steps']:,} steps. Reached = "
        f"seeds whose span came within {tol} rad (Grassmann distance) of the true algebra "
        f"during the run (the closed form: at its one solve); final = median (max) Grassmann "
        f"distance when the run ended, which can sit above {tol} where the data bias the "
        f"minimum (surrogate, estimated frames)" + _load_note(st) + "):",
        "",
        "| algebra | method | "
        + " | ".join(f"N = {_n(m)}: reached, final" for m in grid)
        + f" | N = {_n(big)}: steps to {tol} rad | seconds to {tol} rad |",
        "|---|---|" + "---|" * (len(grid) + 2),
    ]
    for problem, label in st["problems"].items():
        for method, name in MULTI_LABELS.items():
            if not any((problem, m, method) in by for m in grid):
                continue
            cells = []
            for m in grid:
                r = by.get((problem, m, method))
                if r is None:
                    cells.append("—")
                elif r["final_distance"] is None:
                    cells.append(f"failed {r['failed']}/{r['seeds']}")
                else:
                    fd = r["final_distance"]
                    cells.append(
                        f"{r['reached']}/{r['seeds']}, {_e(fd['median'])} ({_e(fd['max'])})"
                    )
            r = by.get((problem, big, method), {})
            if r.get("steps_to_tol"):
                s, t = r["steps_to_tol"], r["seconds_to_tol"]
                steps = f"{s['median']:,.0f} ({s['min']:,.0f}–{s['max']:,.0f})"
                secs = f"{t['median']:.2f} ({t['min']:.2f}–{t['max']:.2f})"
            elif method == "closed_form" and r:
                steps, secs = "no optimiser", f"{r['seconds']['median']:.2f} (one solve)"
            else:
                steps = secs = "not reached"
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + f" | {steps} | {secs} |")
    ratio_cells = []
    for problem in st["problems"]:
        q = d["ratios"].get(f"{problem}/{big}/oracle", {})
        if q.get("ratio"):
            r = q["ratio"]
            ratio_cells.append(
                f"{problem} {r['median']:.1f}× ({r['min']:.1f}–{r['max']:.1f}, "
                f"{q['seeds_both_reached']} seeds)"
            )
    data_cells = []
    for problem in st["problems"]:
        q = d["ratios"].get(f"{problem}/{big}/data", {})
        if q.get("ratio"):
            r = q["ratio"]
            data_cells.append(f"{problem} {r['median']:.1f}× ({r['min']:.1f}–{r['max']:.1f})")
    lines += [
        "",
        f"Steps to {tol} rad, functional ÷ projection loss, per seed on the same data and "
        f"start (N = {_n(big)}, median (range)): with the true f vs exact normals "
        + ("; ".join(ratio_cells) or "—")
        + "; with a surrogate vs estimated frames "
        + ("; ".join(data_cells) or "—")
        + ".",
    ]
    paper = []
    for problem in st["paper_protocol"]["problems"]:
        for method in ("paper_projection", "paper_functional"):
            runs = [r for r in d["runs"] if (r["problem"], r["method"]) == (problem, method)]
            if runs:
                a = sorted(r["final_largest_angle"] for r in runs)
                first = sorted(r["curve"][0] for r in runs)[len(runs) // 2]
                last = sorted(r["final_distance"] for r in runs)[len(runs) // 2]
                paper.append(
                    f"{problem}, {MULTI_LABELS[method].removeprefix('paper protocol: ')}: "
                    f"largest principal angle {a[len(a) // 2]:.2f} rad ({a[0]:.2f}–{a[-1]:.2f}); "
                    f"Grassmann distance {first:.2f} rad at the first step, {last:.2f} at the last"
                )
    if paper:
        lines += [
            "",
            "The paper's protocol (free generators), median (range) over seeds: "
            + "; ".join(paper)
            + ".",
        ]
    ablation = []
    for variant, label in (("leading", "leading directions"), ("paper", "the paper's form")):
        for source in ("exact", "estimated"):
            hits = [r for r in rows if r["method"] == f"ablation_{variant}_{source}"]
            if hits:
                reached = sum(r["reached"] for r in hits)
                total = sum(r["seeds"] for r in hits)
                ablation.append(f"{label}, {source}: {reached}/{total}")
    main = [r for r in rows if r["method"] in ("projection_exact", "projection_estimated")]
    mid = st.get("ablation_n", grid[len(grid) // 2])
    main = [r for r in main if r["N"] == mid]
    if ablation and main:
        lines += [
            "",
            f"The projection loss above is its symmetry term: on the Grassmannian the "
            f"generators are orthonormal, which does the maximality term's job. With a "
            f"maximality term (N = {_n(mid)}, {len({r['problem'] for r in main})} algebras, "
            f"seeds reaching {tol} rad): "
            + "; ".join(ablation)
            + f"; without: {sum(r['reached'] for r in main)}/{sum(r['seeds'] for r in main)}.",
        ]
    lines += [
        "",
        f"![Grassmann distance against optimiser steps, N = {_n(big)}, median and range over "
        "seeds](benchmarks/results/diff_vs_func_multi.png)",
    ]
    return lines


def task_group_table(d: dict) -> list[str]:
    lines = [
        f"**Task-group discovery** (`benchmarks/bench_task_group.py`, {d['seeds']} seeds; "
        "2,000 transitions per training task, 4,000 on the sphere):",
        "",
        "| family, training tasks | Grassmann to true task algebra | task-angle / goal error | "
        "dimension right |",
        "|---|---|---|---|",
    ]
    for key, r in d["results"].items():
        name, k = key.rsplit("_", 1)
        lines.append(
            f"| {name}, {k} | {_range(r['grassmann'])} | {_range(r['error'])} | "
            f"{r['dim_right']}/{r['seeds']} |"
        )
    return lines


def navigation_table(d: dict) -> list[str]:
    res = d["results"]
    lines = [
        f"**Hereditary transfer across the task space** (`benchmarks/bench_navigation.py`, "
        f"{d['seeds']} seeds of the whole pipeline — discovery, certificates, inference from "
        "k = 10 transitions, transfer; 36 evenly spaced test tasks, 50 on the sphere; median over "
        "seeds of: the worst task's normalised score (R − R_random)/(R_oracle − R_random), the "
        "mean return over tasks, and the median / worst relative regret (R_oracle − R)/|R_oracle| "
        "over tasks (negative: better than the oracle, itself a CEM policy); the nearest task is "
        "picked by inferred element):",
        "",
        "| family | inference error, k = 10 (rad, median / max) | embedding certified | oracle "
        "return | hereditary | nearest task | contrastive | zero action: return |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(m: dict) -> str:
        rel = m["median_relative_regret"]["median"], m["max_relative_regret"]["median"]
        return (
            f"worst score {m['min_task_score']['median']:.3f}, return "
            f"{m['mean_return']['median']:.2f}, rel. regret {rel[0]:.3f} / {rel[1]:.3f}"
        )

    for name, r in res.items():
        i = r["inference_k"].index(10)
        m = r["methods"]
        lines.append(
            f"| {name} | {r['inference_error_median'][i]:.1e} / {r['inference_error_max'][i]:.1e}"
            f" | {r['embedded']}/{r['seeds']} | {r['oracle_mean_return']['median']:.2f} | "
            f"{cell(m['hereditary'])} | {cell(m['nearest'])} | {cell(m['contrastive'])} | "
            f"{m['zero']['mean_return']['median']:.2f} |"
        )
    for name, r in res.items():
        for seed, reason in sorted(r.get("not_certified", {}).items()):
            lines += [
                "",
                f"{name}, seed {seed}: the pipeline stopped before inference "
                f"({reason.split(';')[0]}: "
                "the data-driven tolerance of the discovered task algebra exceeds the largest at "
                "which a snap is meaningful, so the certificate abstains); the medians above are "
                "over the certified seeds.",
            ]
    lines += [
        "",
        f"Targets: inference ≤ 0.01 rad, score ≥ 0.95 at every test task. The prototype: "
        f"{PROTOTYPE['transfer']}.",
    ]
    return lines


REACHER_LABELS = {
    "hereditary": "hereditary (symmetrised start law, inferred elements)",
    "hereditary (own start)": "hereditary (own start law)",
    "nearest": "nearest training target (by inferred element)",
    "contrastive": "contrastive meta-RL",
    "zero": "zero action",
    "oracle": "oracle (trained on each target)",
    "random": "random actions",
}


def _reacher_search(st: dict) -> str:
    """How the runs' CEM searches differ from one plain search, from the JSON's settings."""
    t, base = st["trainer"], st.get("base_trainer", {})
    text = ""
    if t.get("n_restarts", 1) > 1:
        text += (
            f" ({t['n_restarts']} searches of {t['n_iterations']} iterations, the better on "
            f"{st['n_eval_episodes']} held-out episodes kept)"
        )
    if base.get("start_score") == "relative":
        text += (
            "; the base policy's search scores each moved start by its return relative to the "
            "population's median there"
        )
    return text


def reacher_table(d: dict) -> list[str]:
    st = d["settings"]
    beats = d["beats_beyond_45deg"]
    n = d["seeds"]
    lines = [
        f"**MuJoCo Reacher-v5, unmodified** (`benchmarks/bench_reacher.py`, {n} pipeline seeds, "
        f"{len(d['angles_deg'])} targets at radius 0.15, training targets at 0° and 22.5°; "
        "evaluation under Reacher's own reset, 3 seeds × 16 episodes with common reset seeds; "
        f"every policy linear on fixed features with the same CEM budget of "
        f"{st['env_steps_per_policy']:,} env steps{_reacher_search(st)}; the per-target oracles "
        "are trained once and "
        "shared by the seeds; inference from k = 10 random-policy transitions, error "
        f"{d['inference_error_rad']['max']:.0e} rad at most; median over seeds):",
        "",
        "| method | mean return | mean score | worst-target score | relative regret: median / "
        "worst target |",
        "|---|---|---|---|---|",
    ]
    for m, r in d["results"].items():
        lines.append(
            f"| {REACHER_LABELS.get(m, m)} | {r['mean_return']['median']:.2f} | "
            f"{r['mean_score']['median']:.3f} | {r['min_task_score']['median']:.3f} | "
            f"{r['median_relative_regret']['median']:.3f} / "
            f"{r['max_relative_regret']['median']:.3f} |"
        )
    far = next(iter(beats.values()))["far_targets"] if beats else 0
    wins = ", ".join(
        f"{m} in {b['seeds_beating_at_every_far_target']}/{n} seeds" for m, b in beats.items()
    )
    audit = sum(not x for x in d["start_law_invariant"])
    her = d["results"]["hereditary"]
    med, worst = her["median_relative_regret"]["median"], her["max_relative_regret"]["median"]
    met = "met" if med <= 0.1 and worst <= 0.3 else "not met by this policy class and budget"
    cells = d.get("cells", [])
    per_seed = ", ".join(
        f"{np.median(c['relative_regret']['hereditary']):.3f} / "
        f"{np.max(c['relative_regret']['hereditary']):.3f}"
        for c in cells
    )
    lines += [
        "",
        f"Start law: Reacher's reset is not rotation-invariant (detected in {audit}/{n} seeds); "
        f"the hereditary return beats, at every one of the {far} targets beyond 45° from the "
        f"base: {wins}. Targets: median relative regret ≤ 0.1 and worst ≤ 0.3 — {met} "
        f"(median {med:.3f}, worst {worst:.3f}: the median over seeds of each seed's median, "
        f"and of each seed's worst, over the targets; per seed {per_seed}).",
    ]
    lines[-1] += (
        " Every policy sees the fingertip's wrapped angle from the target direction and its "
        "signed square root (`liesym.policies.AngleFeatures`): the angle removes the stall of "
        "continuous feedback at the saddle of its turning field on the circle of start angles "
        "(which the oracles, started near q = 0, never meet); the root lets one linear law "
        "brake in time for turns of every size, as each oracle does for its one turn."
    )
    if st["trainer"].get("mirror"):
        lines[-1] += (
            " Every policy is also mirror-gated (`liesym.policies.MirrorFeatures`): its even "
            "features and its bias are multiplied by the side of the target direction on which "
            "the first link lies, so it is exactly equivariant under the mirror about the "
            "target's axis: one law on each side, the other's mirror image, so the base policy "
            "bends the elbow towards the turn for turns of both signs."
        )
    if med > 0.1 or worst > 0.3:
        lines[-1] += (
            " The regrets come from the base policy, not from the inference: one policy for "
            "every start angle is slower than the per-target oracles in some seeds."
        )
    return lines


def reacher_oracle_draws_table(d: dict) -> list[str]:
    o = np.array(d["oracle_returns"])  # (draws, targets)
    spread = np.array(d["oracle_spread_per_target"])
    worst_at = int(np.argmax(spread))
    per_draw = ", ".join(
        f"draw {r}: {m:.3f} / {w:.3f}"
        for r, (m, w) in enumerate(zip(d["median_per_draw"], d["worst_per_draw"], strict=True))
    )
    per_seed = "; ".join(
        "seed {}: {}".format(
            s, ", ".join(f"{w:.3f} ({a:.0f}°)" for w, a in zip(ws, angles, strict=True))
        )
        for s, (ws, angles) in enumerate(
            zip(d["per_seed_worst_per_draw"], d["per_seed_worst_angle_per_draw"], strict=True)
        )
    )
    mean = d["vs_mean_of_draws"]
    above = sum(w > 0.3 for w in d["worst_per_draw"])
    # Draw 0 is the run's own oracles: if the run above has other oracle returns, these
    # draws belong to an earlier run and say so.
    cells = (_load("reacher") or {}).get("cells") or [{}]
    own = cells[0].get("returns", {}).get("oracle")
    stale = own is None or len(own) != o.shape[1] or not np.allclose(o[0], own, rtol=1e-9)
    title = "**Luck of one oracle draw**" + (
        " (OF AN EARLIER RUN than the table above: its draw 0 is not that run's oracles; "
        "re-run `--oracle-draws` after the run)"
        if stale
        else ""
    )
    ws = np.array(d["per_seed_worst_per_draw"])  # (seeds, draws)
    angles = np.array(d["per_seed_worst_angle_per_draw"])
    same = int(np.sum(np.all(angles == angles[:, :1], axis=1)))
    verdict = (
        f"The worst target (median over seeds) exceeds 0.3 against {above} of the {len(o)} "
        "draws; per seed, a draw moves the worst target's regret by at most "
        f"{float(np.max(ws.max(axis=1) - ws.min(axis=1))):.3f}, and the worst target is the "
        f"same one against every draw in {same}/{len(ws)} seeds. The target's statistic is "
        "the one against the run's own draw (the mean of draws is a different comparator, "
        "shown for scale only)."
    )
    return [
        f"{title} (`benchmarks/bench_reacher.py --oracle-draws {len(o)}`: "
        f"the run's per-target oracles trained {len(o)} times in all, from independent seeds "
        f"{', '.join(str(x) for x in d['oracle_seeds'])} (+ chunk index) with the same budget, "
        "evaluated on the run's episodes; draw 0 is the run's): the oracle return's standard "
        f"deviation over draws is {np.median(spread):.2f} at the median target and "
        f"{spread[worst_at]:.2f} at most ({d['angles_deg'][worst_at]:.0f}°). The hereditary "
        f"relative regret, median / worst (median over seeds, as above), against each draw: "
        f"{per_draw}; against the mean return of the {len(o)} draws: {mean['median']:.3f} / "
        f"{mean['worst']:.3f}. Worst target per seed and draw: {per_seed}. {verdict}",
    ]


def reacher_probe_table(d: dict) -> list[str]:
    rows = d["hereditary_true_elements"]
    med = [r["median_relative_regret"] for r in rows.values()]
    worst = [r["max_relative_regret"] for r in rows.values()]
    seeds = ", ".join(m.removeprefix("seed ") for m in rows)
    met = "met" if np.median(med) <= 0.1 and np.median(worst) <= 0.3 else "not met"
    run = (_load("reacher") or {}).get("settings", {})
    same = (
        d["trainer"] == run.get("trainer")
        and d["base_episodes"] is None
        and d["start_score"] == run.get("base_trainer", {}).get("start_score")
    )
    if not same:  # a probe of another setting: not the run's fresh seeds
        met += " (the probe's CEM settings differ from the run's above)"
    per_seed = ", ".join(f"{m:.3f} / {w:.3f}" for m, w in zip(med, worst, strict=True))
    return [
        f"**Fresh seeds** (`benchmarks/bench_reacher.py --probe {36 // len(d['angles_deg'])}"
        f" --seeds {len(rows)} --first-seed {next(iter(rows)).removeprefix('seed ')}`: the base "
        f"policies of seeds {seeds}, trained as above, with the true rotations, at "
        f"{len(d['angles_deg'])} targets against {d['oracles']} oracles): per seed median / "
        f"worst relative regret {per_seed}; median {np.median(med):.3f}, worst "
        f"{np.median(worst):.3f} — the targets are {met} on these seeds.",
    ]


def equivariance_table(d: dict) -> list[str]:
    parts = d["settings"].get("merged parts", [d["settings"]])
    re_part = [p for p in parts if p.get("reacher_only") or p.get("reacher_seeds")]
    degree = re_part[0].get("reacher_degree", 2) if re_part else 2
    metric = re_part[0].get("reacher_metric") if re_part else None
    how = f"degree {degree}" + (", neighbours in a data-chosen channel metric" if metric else "")
    anchors = re_part[0].get("reacher_anchors") if re_part else None
    how += f", {anchors:,} anchors" if anchors else ""
    lines = [
        "**Equivariance discovery from transitions** (`benchmarks/bench_equivariance.py`: "
        "`EquivarianceDiscovery`, no representation given; state and action generators from "
        "local polynomial Jacobians on the data's tangent spaces (double integrator: degree 2; "
        f"Reacher: {how}), each constraint row weighted by its whole predicted error "
        "(feasible generalised least squares: its regression's residual, and the Jacobian's "
        "error along the first candidate's vector field); median (min–max) over "
        "runs; uncertainty = bootstrap spread plus the bound on the local fits' bias from a "
        "refit at 2x neighbours (and, for channels of metric weight 0, from a refit with the "
        "bias terms that one cannot see); covered = true error ≤ the certificate's angle, "
        "3 × the uncertainty's noise part (the certificate's confidence) plus the bias change "
        "it measured):",
        "",
        "| system | transitions | dimension right | Grassmann to the true rotation (target ≤ 0.05) "
        "| uncertainty | covered | \\|W_A\\| / \\|W_S\\| (truth) | intrinsic dim "
        "| certified so(2) (tol) | fit time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    truth = {"double integrator": "0.707 (force rotates)", "reacher": "0 (torques invariant)"}
    names = {
        "double integrator": "planar double integrator, R⁴ state, R² force",
        "reacher": "MuJoCo Reacher-v5 (unmodified, own random targets) + rewards",
    }

    def row(name, c, truth):
        runs = c["runs"]
        dims = sorted({r["tangent_dim"] for r in runs})
        unc = [r["uncertainty"] for r in runs if r["uncertainty"] is not None]
        tols = [r["certificate"]["tol"] for r in runs if r["certificate"]["tol"] is not None]
        unc_cell = _range(summary_of(unc)) if unc else "—"
        tol_cell = f" ({_range(summary_of(tols))})" if tols else ""
        return (
            f"| {name} | {c['n_transitions']:,} | {c['dim_correct']}/{c['n_runs']} | "
            f"{_range(c['grassmann'])} | {unc_cell} | {c['uncertainty_covers']}/{c['n_runs']} | "
            f"{_range(c['action_ratio'])} ({truth}) | "
            f"{', '.join(map(str, dims))} | {c['certified_compact']}/{c['n_runs']}{tol_cell} | "
            f"{_range(c['seconds'], lambda x: f'{x:.1f}')} s |"
        )

    for case in ("double integrator", "reacher"):
        if case in d:
            lines.append(row(names[case], d[case], truth[case]))
    verdict = [
        f"{case}: {'met' if d[case]['grassmann']['max'] <= 0.05 else 'not met'}"
        for case in ("double integrator", "reacher")
        if case in d
    ]
    sweep = d.get("certification sweep", [])
    cert = ", ".join(
        f"N = {c['n_transitions']:,}: {c['certified_compact']}/{len(c['runs'])}"
        + (f" (tol {_range(c['tol'])})" if c["tol"] else "")
        for c in sweep
    )
    small = [r for c in sweep for r in c["runs"] if (r["certificate"]["tol"] or 1.0) <= 0.04]
    named = [r for r in small if r["certificate"]["name"] == "so(2)"]
    runs = [r for c in sweep for r in c["runs"]] + d.get("reacher", {}).get("runs", [])
    wrong = [r for r in runs if r["certificate"]["name"] not in (None, "so(2)")]
    lines += [
        "",
        f"Target Grassmann ≤ 0.05 — {'; '.join(verdict)}. Certification of the double "
        f"integrator (so(2) needs tol ≤ 0.04) by size: {cert}; of the {len(small)} sweep runs "
        f"with tol ≤ 0.04, {len(named)} are certified so(2); certified as anything else: "
        f"{len(wrong)} of all {len(runs)} runs. On "
        "Reacher the remaining error is the bias of the local fits, the same at every anchor "
        "and invisible to the bootstrap; the refits bound it, so the uncertainty covers the "
        "error, and where the bound is too wide for a snap the certificate abstains rather "
        "than guess. Fit times were measured on a shared, heavily loaded 2-core machine (see "
        "the JSON).",
    ]
    return lines


def certificate_coverage_table(d: dict) -> list[str]:
    runs = d["runs"]

    def key(r):
        return r["case"], r["n_transitions"], r["options"].get("metric") == "auto"

    cases = list(dict.fromkeys(map(key, runs)))
    lines = [
        "**Coverage of the certificate's angle** (`benchmarks/bench_certificate_coverage.py`: "
        "`EquivarianceDiscovery(dim=1)` on systems of known algebra, one run per seed; the "
        "certificate takes the discovered span to lie within 3 × the noise part of the "
        "uncertainty plus the bias change the discovery measured (`Uncertainty.systematic`); "
        "before, 3 × the whole uncertainty; ratio = true error / that angle, ≤ 1 when covered):",
        "",
        "| system | transitions | runs | covered | ratio, median (max) | angle / angle before, "
        "median | certified so(2): now / before | certified as anything else |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case, n, auto in cases:
        rs = [r for r in runs if key(r) == (case, n, auto)]
        name = case + (' (metric "auto")' if auto else "")
        ratio = [r["ratio"] for r in rs]
        shrink = np.median([r["angle"] / r["angle_before"] for r in rs])
        lines.append(
            f"| {name} | {n:,} | {len(rs)} | {sum(x <= 1 for x in ratio)}/{len(rs)} | "
            f"{np.median(ratio):.2f} ({max(ratio):.2f}) | {shrink:.2f} | "
            f"{sum(r['name'] is not None for r in rs)} / "
            f"{sum(r['name_before'] is not None for r in rs)} | {sum(r['wrong'] for r in rs)} |"
        )
    lines += [
        "",
        f"Covered in {d['covered']}/{d['n_runs']} runs (before: {d['covered_before']}); largest "
        f"ratio {d['max_ratio']:.2f} ({d['max_ratio_run']['case']}, seed "
        f"{d['max_ratio_run']['seed']}, N = {d['max_ratio_run']['n_transitions']:,}), before "
        f"{d['max_ratio_before']:.2f}; certified as a wrong algebra: {d['wrong']}. The angle "
        "shrinks least where the uncertainty is mostly bootstrap noise (the double "
        "integrators, where the largest ratio is: the factor 3 on noise is needed) and most "
        "where a measured bias change dominates (a curved channel of metric weight 0).",
    ]
    return lines


def _options(discoveries: list) -> str:
    """The discovery options recorded with the runs, as Python would write them."""
    opts = [r["options"] for r in discoveries if r.get("options") is not None]
    return repr(opts[0]) if opts else "{}"


def reacher_discovered_table(d: dict) -> list[str]:
    disc = d["discoveries"]
    n, k = d["n_seeds"], d["certified_compact"]
    lines = [
        "**Reacher on its discovered representation** (`benchmarks/bench_reacher.py "
        "--discovered`: `discover_representation(reacher_tasks(), transitions=..., "
        f"rewards=True, options={_options(disc)})`, the fits of `bench_equivariance.py`, on "
        f"{d['settings']['n_transitions']:,} random-policy transitions of "
        "unmodified Reacher-v5 with its own random targets per seed; the pipeline runs only on "
        "a representation certified compact at the discovery's own uncertainty; so(2) needs "
        "tol ≤ 0.04):",
        "",
        "| seed | dimension | Grassmann to the truth | transverse to conjugation | uncertainty "
        "| certificate (tol) | hereditary mean score: declared / discovered | worst target: "
        "declared / discovered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    comp = {c["seed"]: c for c in d["comparison"]}
    for r in disc:
        cert = r.get("certificate") or {}
        c = comp.get(r["seed"])
        scores = ("not run (not certified)", "—")
        if c is not None:
            scores = (
                f"{c['mean_score']['declared']:.3f} / {c['mean_score']['discovered']:.3f}",
                f"{c['min_task_score']['declared']:.3f} / {c['min_task_score']['discovered']:.3f}",
            )
        answer = "abstains" if cert.get("compact") is None else str(cert.get("name"))
        if r["dim"] == 0:
            answer = "no symmetry found"
        tol = f" ({cert['tol']:.3f})" if cert.get("tol") is not None else ""
        grass = f"{r['grassmann']:.4f}" if "grassmann" in r else "—"
        trans = f"{r['transverse']:.4f}" if "transverse" in r else "—"
        unc = f"{r['uncertainty']:.3f}" if "uncertainty" in r else "—"
        lines.append(
            f"| {r['seed']} | {r['dim']} | {grass} | {trans} | {unc} | {answer}{tol} | "
            f"{scores[0]} | {scores[1]} |"
        )
    diffs = [c["max_abs_score_difference_per_target"] for c in d["comparison"]]
    met = "met" if diffs and max(diffs) <= 0.05 else "not met"
    same = sum(bool(r.get("equals_declared")) for r in disc)
    lines += [
        "",
        f"Targets: certified so(2) in every seed — {'met' if k == n else 'not met'} ({k}/{n}); "
        "scores within 0.05 of the declared representation's at every target, in every "
        f"certified seed — {met}"
        + (f" (largest per-target difference {max(diffs):.2g})." if diffs else ".")
        + f" The certified representation is the declared one exactly (the same oriented "
        f"basis, action generator 0) in {same}/{k} certified seeds.",
    ]
    spread = [
        max(r["frequencies"][-3:]) / min(r["frequencies"][-3:]) - 1
        for r in disc
        if r.get("frequencies")
    ]
    if spread:
        lines[-1] += (
            " The three rotation frequencies of the discovered generator (equal in the truth) "
            f"differ by {100 * min(spread):.2f}–{100 * max(spread):.2f}%."
        )
    abstained = [r for r in disc if (r.get("certificate") or {}).get("compact") is None]
    if abstained and all("grassmann" in r for r in abstained):
        lines[-1] += (
            f" Where the certificate abstains, the estimate is within "
            f"{min(r['grassmann'] for r in abstained):.4f}–"
            f"{max(r['grassmann'] for r in abstained):.4f} of the truth, but its uncertainty "
            "(bootstrap spread plus the bias bounds, which must cover biases no resampling "
            "sees) gives a tolerance above what a snap to so(2) needs."
        )
    return lines


def scaling_table(d: dict) -> list[str]:
    cells = [c for c in d["cells"] if c["family"] == "radial"]
    n_max = max(c["n"] for c in cells)
    top = sorted((c for c in cells if c["n"] == n_max), key=lambda c: c["N"])
    ok = [c for c in top if c["estimated"].get("dim_right") == c["seeds"]]
    exact = top[-1]["exact"]
    parts = [
        f"**Scaling** (`benchmarks/bench_scaling.py`, {d['config']['seeds']} seeds): so({n_max}) "
        f"({top[0]['true_dim']} generators) from f = h(‖x‖)"
    ]
    if ok:
        c = ok[0]
        e = c["estimated"]
        parts.append(
            f": with frames estimated from samples, the dimension is right in every seed from "
            f"N = {c['N']:,} (Grassmann {e['grassmann']['median']:.2f}, "
            f"{e['seconds']['median']:.1f} s per fit); below that the gap rule declines to answer"
        )
    vs_n = [v["estimated"] for v in d["exponents"]["time_vs_n"].values() if v["estimated"]]
    vs_big_n = [v["estimated"] for v in d["exponents"]["time_vs_N"].values() if v["estimated"]]
    parts.append(
        f"; with exact normals at N = {top[-1]['N']:,}: Grassmann "
        f"{exact['grassmann']['median']:.0e}, {exact['seconds']['median']:.1f} s. Measured growth "
        f"of the fit time (estimated frames, log-log slopes): n^{min(vs_n):.1f}–n^{max(vs_n):.1f}"
        f" at fixed N, N^{min(vs_big_n):.1f}–N^{max(vs_big_n):.1f} at fixed n."
    )
    return ["".join(parts)]


def out_of_core_table(d: dict) -> list[str]:
    """Wall time, memory and accuracy against N: in memory, in chunks, on Dask."""
    cfg = d["config"]
    labels = {
        "memory": "in memory",
        "chunked": "chunks (memmap)",
        "dask": "Dask LocalCluster",
        "stream": "chunks (generated)",
    }
    cases = {"radial": "f = ‖x‖² in R³ → so(3)", "circle": "circle transitions → rotation about g₀"}
    lines = [
        f"**Out of core** (`benchmarks/bench_out_of_core.py`: chunks of {cfg['chunk']:,} rows, "
        f"each with its own neighbourhoods; {cfg['n_jobs']} threads, Dask on 2 worker processes "
        "× 1 thread; k-NN = one k-nearest-neighbour query of every sample, over all samples or "
        "chunk by chunk, same k and threads; RSS includes the pages of memory-mapped files read):",
        "",
        "| data | N | mode | wall s (CPU s) | wall s per 10⁶ | ÷ k-NN all, wall (CPU) | "
        "÷ k-NN chunks, wall (CPU) | peak RSS MB | Grassmann |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def ratio(r, q):
        if f"ratio_to_query_{q}" not in r:
            return "—"
        return f"{r[f'ratio_to_query_{q}']:.2f} ({r[f'cpu_ratio_to_query_{q}']:.2f})"

    for r in d["summary"]:
        g = r["grassmann"]
        lines.append(
            f"| {cases[r['case']]} | {r['N']:,} | {labels[r['mode']]} | "
            f"{r['seconds']['median']:.1f} ({r['cpu_seconds']['median']:.1f}) | "
            f"{r['seconds_per_million']:.1f} | {ratio(r, 'global')} | {ratio(r, 'chunks')} | "
            f"{r['peak_rss_mb']:,.0f} | {_e(g) if g is not None else '—'} |"
        )
    circle = {
        (r["mode"], r["N"]): r for r in d["summary"] if r["case"] == "circle" and "dynamics" in r
    }
    if circle:
        n_max = max(n for _, n in circle)
        dyn = circle.get(("chunked", n_max), next(iter(circle.values())))["dynamics"]
        lines += [
            "",
            f"Dynamics of the same transitions (so(2), exact reduction of the moments): "
            f"Grassmann {_e(dyn['grassmann'])} at N = {n_max:,}, {dyn['seconds']:.1f} s.",
        ]
        mem, chk = circle.get(("memory", n_max)), circle.get(("chunked", n_max))
        if mem and chk:
            lines[-1] += (
                " Frames from a chunk's own neighbours see the chunk's density: for the "
                "circle's cone-shaped reward the chunked estimate keeps the local fit's bias at "
                f"that density ({_e(chk['grassmann'])} against {_e(mem['grassmann'])} in memory "
                f"at N = {n_max:,})."
            )
    big = [r for r in d["summary"] if r["case"] == "radial" and r["mode"] == "chunked"]
    if big:
        r = max(big, key=lambda r: r["N"])
        lines += [
            "",
            f"At N = {r['N']:,} (chunks): so(3) to Grassmann {r['grassmann']:.1e} (target ≤ 1e-3), "
            f"peak RSS {r['peak_rss_mb'] / 1024:.2f} GB (≤ 2 GB), wall time "
            f"{r['ratio_to_query_global']:.2f}× one k-NN query over all samples and "
            f"{r['ratio_to_query_chunks']:.2f}× the chunk-wise queries (CPU time: "
            f"{r['cpu_ratio_to_query_global']:.2f}× and {r['cpu_ratio_to_query_chunks']:.2f}×; "
            "target ≤ 3×). Load average "
            f"(1 min) during the run up to {cfg['load_average_1min_max']:.1f} on "
            f"{d['machine']['cpu_count']} cores shared with other jobs: wall times are upper "
            "bounds.",
        ]
    return lines


def verify_table(d: dict) -> list[str]:
    rows = {r["n"]: r for r in d["so_n"]}
    big = rows[max(rows)]
    s = d["suite"]
    a = s["answers"]

    def pct(x):
        return f"{100 * x:.0f} %"

    load = d["load_average_before_timing"][0]
    lines = [
        f"**Exact certificates** (`benchmarks/bench_verify.py`): `verify(so(n))` for n = "
        f"{min(rows)}..{max(rows)} — so({big['n']}) ({big['generators']} generators) certified "
        f"{big['name']}, compact, exact input, in {big['median_s']:.1f} s (median of "
        f"{d['repeats']}; 1-min load average {load:.1f} on the 2-core machine while it ran). On "
        f"{s['cases']:,} generated algebras with known answers (changes of basis, generator "
        "scalings 1e-3..1e6, diagonal and random charts up to condition 10⁴, fixed points up to "
        f"10⁶ away, noise below or far above tol): **{len(s['wrong_cases'])} wrong answers**.",
        "",
        "| answer | correct | abstained (None, with the reason) | wrong |",
        "|---|---|---|---|",
    ]
    for key in ("closed", "compact", "linearizable", "name"):
        r = a[key]
        lines.append(
            f"| {key} | {r['correct']}/{r['asserted']} ({pct(r['correct_rate'])}) | "
            f"{r['abstained']} ({pct(r['abstention_rate'])}) | {r['wrong']} |"
        )
    kinds = s["by_kind"]
    if "exact" in kinds:
        parts = [
            f"{kind} {pct(kinds[kind]['name']['abstention_rate'])}"
            for kind in ("exact", "floating, noise none", "floating, noise below")
            if kind in kinds
        ]
        lines += [
            "",
            "Name abstentions by kind of input: " + ", ".join(parts) + " (floating inputs "
            "abstain where no chart makes them simple within tol, e.g. non-compact algebras in "
            "a random chart, or where the balanced problem is ill-conditioned at tol).",
        ]
    return lines


def collect_line(d: dict) -> list[str]:
    r = d["results"]["circle, 1 task, random policy, n_envs=64"]
    return [
        f"**Data**: 10⁵ random-policy transitions take {r['median_s'] * 1e3:.0f} ms "
        "(`benchmarks/bench_collect.py`, vectorised over episodes).",
    ]


def noisy_rewards_table(d: dict) -> list[str]:
    """Trajectory-data noise sweep and the pipeline's certificates with reward noise."""
    n = len(d["seeds"])
    labels = {
        "local_linear": "local linear frames (former default)",
        "auto": 'default (`frame_method="auto"`)',
        "stabiliser": "Gaussian process inside the system algebra (unc.: bootstrap, without "
        "that algebra's own error)",
    }
    cols = [(s, m) for s in d["sigmas"] for m in d["sizes"]]
    lines = [
        f"**Noisy rewards on trajectory data** (`benchmarks/bench_noisy_rewards.py`, {n} seeds): "
        "circle family, base task, N random-policy transitions, rewards with Gaussian noise "
        "σ_r. Angle (rad) of the base task's discovered affine symmetry to the rotation about "
        "g₀, median (max) over the seeds where one was found, and the reported uncertainty "
        "(median):",
        "",
        "| method | " + " | ".join(f"σ_r {s:g}, N {m:,}" for s, m in cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for key, label in labels.items() if d["sweep"] else ():
        cells = []
        for s, m in cols:
            c = d["sweep"][f"{s}_{m}"][key]
            if not c["found"]:
                cells.append(f"0/{n} found")
                continue
            a, u = c["angle"], c["uncertainty"]
            miss = "" if c["found"] == n else f" ({c['found']}/{n} found)"
            cells.append(f"{_e(a['median'])} ({_e(a['max'])}), unc. {_e(u['median'])}{miss}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _score(x: float) -> str:
    return f"{x:.3f}"


def noisy_pipeline_table(d: dict) -> list[str]:
    """The whole pipeline with reward noise: certificates, errors, worst-task scores."""
    n = len(d["seeds"])
    lines = [
        f"**The whole pipeline with noisy rewards** (`benchmarks/bench_noisy_pipeline.py`, {n} "
        f"seeds; `run_pipeline(circle_tasks(reward_noise=σ_r), n_test={d['n_test']})`, defaults "
        f"only: 2 training tasks × {d['n_steps']:,} random-policy transitions, k = 10 "
        'transitions per test task, `probing="auto"`). Certificate of the task algebra (the '
        "elements' scale from the system group; tolerance from the task group's bootstrap, "
        "transverse part), the bootstrap's transverse uncertainty against the true transverse "
        "error to so(2) (what no conjugation explains), the whole-angle true error, the "
        "inference error of the k probes (rad), the hereditary worst and median task score "
        f"and worst relative regret over the {d['n_test']} test tasks, and the worst-task "
        "score of the element from the probes alone; median (min–max) over seeds. With reward "
        'noise `online="auto"` lets the hereditary policy go on inferring its element from '
        "each episode's own rewards (`TrackingHereditaryPolicy`): k = 10 probes near the start "
        "carry little information about the goal angle (see the benchmark's docstring).",
        "",
        "| σ_r | certified so(2) | tol | transverse unc. | true transverse error | true error | "
        "inference error (median / max) | worst-task score | median score | worst rel. regret "
        "| worst-task score, probes only |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, cell in d["cells"].items():
        rows = cell["rows"]
        ok = [r for r in rows if r["certified"] == "so(2)"]

        def rng(field, fmt=_e, rows=ok):
            return _range(summary_of([r[field] for r in rows]), fmt) if rows else "—"

        probed = [r for r in ok if r.get("probes_only_worst_task_score") is not None]
        fixed = rng("probes_only_worst_task_score", _score, probed) if probed else "—"

        lines.append(
            f"| {float(key):g} | {len(ok)}/{len(rows)} | {rng('tol')} | "
            f"{rng('transverse_uncertainty')} | {rng('true_transverse_error')} | "
            f"{rng('true_error')} | {rng('inference_error_median')} / "
            f"{rng('inference_error_max')} | {rng('worst_task_score', _score)} | "
            f"{rng('median_task_score', _score)} | {rng('worst_relative_regret', _score)} | "
            f"{fixed} |"
        )
    # Issue 11's targets: certified in every seed and every seed's worst task above the bound.
    bounds = {0.05: 0.9, 0.1: 0.8}
    verdicts = []
    for key, cell in d["cells"].items():
        bound = bounds.get(float(key))
        if bound is None:
            continue
        rows = cell["rows"]
        passed = sum(r["certified"] == "so(2)" and r["worst_task_score"] >= bound for r in rows)
        verdict = "met" if passed == len(rows) else "not met"
        verdicts.append(
            f"σ_r = {float(key):g}: so(2) certified and worst-task score ≥ {bound:g} in "
            f"{passed}/{len(rows)} seeds ({verdict})"
        )
    if verdicts:
        lines += ["", "Targets, every seed: " + "; ".join(verdicts) + "."]
    return lines


def active_inference_table(d: dict) -> list[str]:
    n = len(d["seeds"])
    lines = [
        f"**Active test-time inference** (`benchmarks/bench_active_inference.py`, {n} seeds × "
        "36 test tasks, circle family, so(2), base model and noise level from 2,000 noisy "
        "base-task transitions): goal-angle error (rad) from k = 10 transitions, median (max):",
        "",
        "| σ_r | active probes (`probe_actively`) | posterior spread (median) | random policy "
        "(`GroupInference`) |",
        "|---|---|---|---|",
    ]
    for key, c in d["cells"].items():
        a, r, s = c["active"], c["random"], c["spread"]
        lines.append(
            f"| {float(key):g} | {_e(a['median'])} ({_e(a['max'])}) | {_e(s['median'])} | "
            f"{_e(r['median'])} ({_e(r['max'])}) |"
        )
    return lines


def summary_of(values) -> dict:
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan")}
    return {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max())}


def build() -> str:
    parts = []
    for name, fn in [
        ("closed_form", closed_form_table),
        ("diff_vs_func", diff_vs_func_table),
        ("diff_vs_func", multi_table),
        ("task_group", task_group_table),
        ("noisy_rewards", noisy_rewards_table),
        ("noisy_pipeline", noisy_pipeline_table),
        ("active_inference", active_inference_table),
        ("navigation", navigation_table),
        ("reacher", reacher_table),
        ("reacher_oracle_draws", reacher_oracle_draws_table),
        ("reacher_probe", reacher_probe_table),
        ("equivariance", equivariance_table),
        ("certificate_coverage", certificate_coverage_table),
        ("reacher_discovered", reacher_discovered_table),
        ("scaling", scaling_table),
        ("out_of_core", out_of_core_table),
        ("verify", verify_table),
        ("collect", collect_line),
    ]:
        d = _load(name)
        lines = [] if d is None else fn(d)
        if lines:
            parts.append("\n".join(lines))
    machine = (_load("closed_form") or {}).get("machine", {})
    parts.append(
        f"Machine: {machine.get('processor', '?')}, {machine.get('cpu_count', '?')} cores, "
        f"Python {machine.get('python', '?')}, NumPy {machine.get('numpy', '?')} (each JSON "
        "records its own). Generated by `python benchmarks/readme_tables.py` from "
        "`benchmarks/results/*.json`."
    )
    return "\n\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README is out of date")
    args = parser.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} section")
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{build()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("README.md results are out of date: run python benchmarks/readme_tables.py")
            return 1
        return 0
    readme.write_text(new)
    print("README.md results section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
