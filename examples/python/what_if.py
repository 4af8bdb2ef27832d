"""What a notebook user writes: load the default case, run a what-if, plot the scenarios.

    python examples/python/what_if.py [OUT.png]

The what-if: the client's sovereignty cost of integration fixed at the top of its range (20)
instead of drawn from pert(4, 9, 20). Prints the horizon probabilities side by side and, when
matplotlib is installed, plots each scenario's probability by year in both runs.
"""

import sys

import leverage

case = leverage.default_case()
what_if = case.with_params([("sovereignty_cost_client", 20.0)])

base = leverage.simulate(case, draws=20_000, seed=42)
alt = leverage.simulate(what_if, draws=20_000, seed=42)

horizon = base["year"].max()
table = (
    base[base["year"] == horizon][["scenario", "probability"]]
    .merge(alt[alt["year"] == horizon][["scenario", "probability"]], on="scenario",
           suffixes=("_base", "_what_if"))
)
table["change"] = table["probability_what_if"] - table["probability_base"]
print(f"Scenario probabilities in {horizon}, sovereignty cost drawn vs fixed at 20:")
print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

# Which sampled inputs go with confrontation at the horizon? (each draw's inputs, long format)
d = leverage.draws(case, draws=2_000, seed=42)
inputs = d[d["kind"] == "input"].pivot(index="draw", columns="variable", values="value")
scenario = d.groupby("draw")["scenario"].first()
gap = inputs[scenario == "confrontation"].mean() - inputs[scenario != "confrontation"].mean()
spread = inputs.std().replace(0, float("nan"))
print("Inputs most shifted in draws ending in confrontation (difference of means / sd):")
print((gap / spread).abs().sort_values(ascending=False).head(5).to_string(float_format=lambda x: f"{x:.2f}"))

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)

out = sys.argv[1] if len(sys.argv) > 1 else "what-if.png"
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, df, title in ((axes[0], base, "default case"), (axes[1], alt, "sovereignty cost = 20")):
    df.pivot(index="year", columns="scenario", values="probability").plot(ax=ax, marker="o")
    ax.set_title(title)
    ax.set_ylabel("probability")
fig.tight_layout()
fig.savefig(out)
print(f"wrote {out}")
