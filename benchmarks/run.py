"""Benchmark the site's build against bare Sphinx and stock sphinxcontrib-bibtex as refs.bib grows.

``make bench`` runs this. For each size N it builds five sites from the same pages (see
``synth.make_site``): the homepage as it is, the homepage without paper pages, a bare baseline
without any bibliography, the same with every paper page as an ordinary page, and stock
sphinxcontrib-bibtex with one ``{bibliography}`` of all entries. Each site is built cold, then
again with nothing changed, then after editing one page, then after editing one refs.bib entry;
each step runs ``--runs`` times in fresh copies (the no-op rebuild three times in a row each
time), and the median, min and max are reported. After
the runs, the last incremental output is compared byte for byte with a clean build of the same
sources. Results go to ``benchmarks/results/``: ``results.json``, ``results.md`` and
``cold-build.png``.
"""

from __future__ import annotations

import argparse
import compileall
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import synth

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "corpus"
STEPS = ("cold", "noop", "page", "bib")
STEP_NAMES = {
    "cold": "cold build",
    "noop": "no-op rebuild",
    "page": "one page edited",
    "bib": "one refs.bib entry edited",
}
VARIANT_NAMES = {
    "site": "this site",
    "lean": "this site without paper pages",
    "bare": "bare Sphinx + MyST + Furo",
    "pages": "bare, plus the paper pages as plain pages",
    "stock": "stock sphinxcontrib-bibtex (unsrt)",
}
NOOP_SAMPLES = 3  # per run
SPHINX_OPTIONS = ["-W", "--keep-going", "-n", "-q", "-b", "html", "-j", "1"]
# sphinxext-opengraph imports matplotlib whenever it is installed (for social cards, which the
# site turns off): 0.85 s a build. The site builds where matplotlib is not installed (`make
# html`'s venv, Read the Docs); this benchmark's venv has it only to draw the plot. So every
# build here runs as it would without it.
SPHINX = (
    "import sys; sys.modules['matplotlib'] = None; "
    "from sphinx.cmd.build import main; sys.exit(main(sys.argv[1:]))"
)


def build(root: Path, out: str = "out", doctrees: str = "doctrees") -> dict[str, object]:
    """Run sphinx-build on *root*'s docs/; return wall time, peak RSS and how it went."""
    command = [
        sys.executable, "-c", SPHINX, *SPHINX_OPTIONS,
        "-d", str(root / doctrees), str(root / "docs"), str(root / out),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", "replace")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "ok": process.returncode == 0,
        "errors": errors[-2000:] if process.returncode else "",
    }


def html_differences(left: Path, right: Path) -> list[str]:
    """The HTML files that differ between two output folders (or exist in only one)."""
    left_files = {path.relative_to(left) for path in left.rglob("*.html")}
    right_files = {path.relative_to(right) for path in right.rglob("*.html")}
    differing = sorted(str(path) for path in left_files ^ right_files)
    differing += sorted(
        str(path)
        for path in left_files & right_files
        if not filecmp.cmp(left / path, right / path, shallow=False)
    )
    return differing


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {
            name: version(name)
            for name in (
                "sphinx",
                "sphinxcontrib-bibtex",
                "pybtex",
                "pybtex-docutils",
                "docutils",
                "myst-parser",
                "furo",
            )
        },
        "load_average_at_start": os.getloadavg(),
    }


def run(
    sizes: list[int],
    runs: dict[int, int],
    workdir: Path,
    log=print,
    only: list[str] | None = None,
) -> dict[str, object]:
    variants = [v for v in synth.VARIANTS if v not in ("lean", "pages") or synth.has_paper_pages()]
    variants = [v for v in variants if only is None or v in only]
    results: dict[str, object] = {
        "machine": machine(),
        "sizes": sizes,
        "runs": {str(n): runs[n] for n in sizes},
        "variants": variants,
    }
    measurements: dict[str, dict[str, dict[str, list[dict[str, object]]]]] = {}
    checks: dict[str, dict[str, object]] = {}
    for n in sizes:
        for run_index in range(runs[n]):
            for variant in variants:
                root = workdir / f"n{n}" / variant / f"run{run_index}"
                docs = synth.make_site(root, n, variant)
                samples = measurements.setdefault(str(n), {}).setdefault(variant, {})
                for step in STEPS:
                    if step == "page":
                        synth.edit_page(docs, run_index + 1)
                    elif step == "bib":
                        synth.edit_entry(root / "refs.bib", run_index + 1)
                    # a no-op rebuild changes nothing, so it can be sampled several times in a row
                    for _ in range(NOOP_SAMPLES if step == "noop" else 1):
                        result = build(root)
                        samples.setdefault(step, []).append(result)
                        log(
                            f"N={n:<5} {variant:<5} run {run_index + 1}/{runs[n]} {step:<4} "
                            f"{result['seconds']:7.2f} s {result['peak_rss_mb']:6.0f} MB"
                            + ("" if result["ok"] else " FAILED\n" + str(result["errors"]))
                        )
                if run_index < runs[n] - 1:
                    shutil.rmtree(root)
        for variant in variants:
            # the last run's incremental output against a clean build of the same sources,
            # which also counts as one more cold build (of sources one page and one entry apart)
            root = workdir / f"n{n}" / variant / f"run{runs[n] - 1}"
            clean = build(root, out="clean-out", doctrees="clean-doctrees")
            clean["verification"] = True
            measurements[str(n)][variant]["cold"].append(clean)
            differing = html_differences(root / "out", root / "clean-out") if clean["ok"] else []
            checks.setdefault(str(n), {})[variant] = {
                "clean_build_ok": clean["ok"],
                "clean_seconds": clean["seconds"],
                "html_files": len(list((root / "clean-out").rglob("*.html"))),
                "differing_html": differing,
            }
            log(
                f"N={n:<5} {variant:<5} clean {clean['seconds']:7.2f} s; incremental vs clean: "
                f"{len(differing)} HTML file(s) differ"
            )
            shutil.rmtree(root)
    results["measurements"] = measurements
    results["incremental_equals_clean"] = checks
    results["machine"]["load_average_at_end"] = os.getloadavg()  # type: ignore[index]
    return results


def corpus(workdir: Path, log=print) -> list[dict[str, object]]:
    """Each real export of tests/corpus/ as the site's refs.bib, as pasted: `make check`'s
    command, a cold build and a no-op rebuild, with whether each went as expected."""
    rows: list[dict[str, object]] = []
    for bib in sorted(CORPUS.rglob("*.bib")):
        name = str(bib.relative_to(CORPUS))
        root = workdir / bib.stem
        docs = synth.make_site(root, 17, "site")
        shutil.copy(bib, root / "refs.bib")
        for page in docs.rglob("*.md"):  # the real pages cite the real refs.bib's keys
            text = page.read_text(encoding="utf-8")
            page.write_text(synth.CITE_ROLE.sub(r"[\1]", text), encoding="utf-8")
        start = time.perf_counter()
        check = subprocess.run(
            [sys.executable, "-m", "scholarsite.check", "refs.bib"],
            cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        check_seconds = time.perf_counter() - start
        cold = build(root)
        noop = build(root) if cold["ok"] else None
        row = {
            "file": name,
            "entries": len(
                re.findall(
                    r"^\s*@(?!(?:string|preamble|comment)\b)",
                    bib.read_text(encoding="utf-8"),
                    flags=re.M | re.I,
                )
            ),
            "check_seconds": check_seconds,
            "check_errors": check.stdout.count("\nerror: ") + check.stdout.startswith("error: "),
            "builds": cold["ok"],
            "cold": cold,
            "noop": noop,
        }
        rows.append(row)
        log(
            f"corpus {name:<52} {row['entries']:>4} entries  check {check_seconds:5.2f} s "
            f"({row['check_errors']} errors)  cold {cold['seconds']:6.2f} s"
            + (f"  no-op {noop['seconds']:5.2f} s" if noop else "  (build failed)")
        )
        shutil.rmtree(root)
    return rows


def summary(samples: list[dict[str, object]], key: str = "seconds") -> dict[str, float] | None:
    values = [float(sample[key]) for sample in samples if sample["ok"]]  # type: ignore[arg-type]
    if len(values) < len(samples) or not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def median(results: dict, n: int, variant: str, step: str, key: str = "seconds") -> float | None:
    """The median of a step's samples; None when a run left the variant out (``--variants``)."""
    samples = results["measurements"].get(str(n), {}).get(variant, {}).get(step)
    stats = summary(samples, key) if samples else None
    return stats["median"] if stats else None


def targets(
    results: dict, site: str = "site", key: str = "seconds"
) -> list[tuple[str, str, float | None, float, str, bool | None]]:
    """(target, how it is measured, measured value, limit, unit, met) for each target of issues
    7 and 16."""
    sizes = results["sizes"]
    small, large = min(sizes), max(sizes)
    middle = max([size for size in sizes if size < large], default=small)
    variants = results["variants"]

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    def m(n: int, variant: str, step: str) -> float | None:
        return median(results, n, variant, step, key) if variant in variants else None

    # the bare baseline "of the same pages": with the paper pages as ordinary pages for `site`
    bare = "pages" if site == "site" else "bare"
    checks = results["incremental_equals_clean"]
    identical = all(
        checks[str(n)][site]["clean_build_ok"] and not checks[str(n)][site]["differing_html"]
        for n in sizes
    )
    rows = [
        (
            f"cold build at N={small} vs bare Sphinx with the same pages",
            f"cold({site}, {small}) / cold({bare}, {small})",
            ratio(m(small, site, "cold"), m(small, bare, "cold")),
            1.1 if site == "site" else 1.3,
            "x",
        ),
        (
            "no-op rebuild flat in N",
            f"noop({site}, {large}) / noop({site}, {small})",
            ratio(m(large, site, "noop"), m(small, site, "noop")),
            1.2,
            "x",
        ),
        (
            "no-op rebuild vs stock's",
            f"noop({site}, {large}) / noop(stock, {large})",
            ratio(m(large, site, "noop"), m(large, "stock", "noop")),
            0.1,
            "x",
        ),
        (
            "cold build vs stock's for the list alone",
            f"cold({site}, {large}) / cold(stock, {large})",
            ratio(m(large, site, "cold"), m(large, "stock", "cold")),
            0.7 if site == "site" else 0.5,
            "x",
        ),
        (
            "cold build scaling",
            f"cold({site}, {large}) / cold({site}, {middle})",
            ratio(m(large, site, "cold"), m(middle, site, "cold")),
            11.0,
            "x",
        ),
        (
            "refs.bib entry edit vs cold build",
            f"bib({site}, {large}) / cold({site}, {large})",
            ratio(m(large, site, "bib"), m(large, site, "cold")),
            0.2,
            "x",
        ),
    ]
    if site == "site":
        with_pages, without = m(large, "site", "cold"), m(large, "lean", "cold")
        rows.append(
            (
                "a paper page's cost",
                f"(cold(site) - cold(lean)) / N, N={large}",
                None if with_pages is None or without is None
                else (with_pages - without) / large * 1000,
                2.0,
                " ms",
            )
        )  # fmt: skip
    table = [(name, how, value, limit, unit, None if value is None else value <= limit)
             for name, how, value, limit, unit in rows]  # fmt: skip
    table.append(
        (f"incremental output == clean output ({site})", "HTML byte for byte, every N",
         None, 0.0, "", identical)
    )  # fmt: skip
    return table


def fmt(stats: dict[str, float] | None, unit: str = "s") -> str:
    if stats is None:
        return "failed"
    if unit == "MB":
        return f"{stats['median']:.0f}"
    return f"{stats['median']:.2f} ({stats['min']:.2f}-{stats['max']:.2f})"


def markdown(results: dict) -> str:
    info = results["machine"]
    versions = ", ".join(f"{name} {value}" for name, value in info["versions"].items())
    lines = [
        "# Benchmark results",
        "",
        f"Run {info['date']} by `make bench` (`benchmarks/run.py`); runs per size: "
        + ", ".join(f"N={n}: {count}" for n, count in results["runs"].items())
        + f" (each in a fresh copy; the no-op rebuild {NOOP_SAMPLES} times a run). "
        "Median (min-max) wall-clock seconds of `sphinx-build "
        + " ".join(SPHINX_OPTIONS)
        + "` as a subprocess; peak RSS of the cold build's process. Cold builds include the "
        "clean build that checks the last incremental output (one more sample).",
        "",
        f"Machine: {info['nproc']} CPU(s), {info['cpu']}; Python {info['python']}; {versions}. "
        f"Load average at start {', '.join(f'{v:.2f}' for v in info['load_average_at_start'])}, "
        f"at end {', '.join(f'{v:.2f}' for v in info['load_average_at_end'])}.",
        "",
        "| N | build | " + " | ".join(STEP_NAMES[step] for step in STEPS) + " | peak RSS (MB) |",
        "| ---: | --- | " + " | ".join("---:" for _ in STEPS) + " | ---: |",
    ]
    for n in results["sizes"]:
        for variant in results["variants"]:
            samples = results["measurements"][str(n)][variant]
            cells = [fmt(summary(samples[step])) for step in STEPS]
            rss = fmt(summary(samples["cold"], "peak_rss_mb"), "MB")
            lines.append(f"| {n} | {VARIANT_NAMES[variant]} | " + " | ".join(cells) + f" | {rss} |")
    lines += [
        "",
        "CPU seconds (user + system) of the same builds, median: less sensitive than wall-clock "
        "time to other load on the machine.",
        "",
        "| N | build | " + " | ".join(STEP_NAMES[step] for step in STEPS) + " |",
        "| ---: | --- | " + " | ".join("---:" for _ in STEPS) + " |",
    ]
    for n in results["sizes"]:
        for variant in results["variants"]:
            samples = results["measurements"][str(n)][variant]
            cells = []
            for step in STEPS:
                stats = summary(samples[step], "cpu_seconds")
                cells.append("failed" if stats is None else f"{stats['median']:.2f}")
            lines.append(f"| {n} | {VARIANT_NAMES[variant]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Ratios of medians; the bare baseline of the same pages is `pages` for `site` (paper pages "
        "included) and `bare` for `lean`:",
        "",
        "| N | build | cold / bare | no-op / bare's | cold / stock | no-op / stock's "
        "| entry edit / cold |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in results["sizes"]:
        for site, bare in (("site", "pages"), ("lean", "bare")):
            if site not in results["variants"] or bare not in results["variants"]:
                continue
            cells = []
            for (a, step_a), (b, step_b) in (
                ((site, "cold"), (bare, "cold")),
                ((site, "noop"), (bare, "noop")),
                ((site, "cold"), ("stock", "cold")),
                ((site, "noop"), ("stock", "noop")),
                ((site, "bib"), (site, "cold")),
            ):
                x, y = median(results, n, a, step_a), median(results, n, b, step_b)
                cells.append(f"{x / y:.2f}x" if x is not None and y else "-")
            lines.append(f"| {n} | `{site}` | " + " | ".join(cells) + " |")
    for site in [variant for variant in ("site", "lean") if variant in results["variants"]]:
        lines += ["", f"Targets (issues 7 and 16) for {VARIANT_NAMES[site]} (`{site}`):", ""]
        lines += [
            "| target | measured as | wall | CPU | limit | met (wall / CPU) |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        cpu_rows = targets(results, site, "cpu_seconds")
        for (name, how, value, limit, unit, met), cpu_row in zip(
            targets(results, site), cpu_rows, strict=True
        ):
            shown = "-" if value is None else f"{value:.2f}{unit}"
            cpu_shown = "-" if cpu_row[2] is None else f"{cpu_row[2]:.2f}{unit}"
            limit_shown = f"<= {limit:g}{unit}" if limit else "identical"
            verdicts = {True: "yes", False: "**no**", None: "-"}
            verdict = f"{verdicts[met]} / {verdicts[cpu_row[5]]}"
            lines.append(f"| {name} | {how} | {shown} | {cpu_shown} | {limit_shown} | {verdict} |")
    lines += ["", "Incremental output against a clean build of the same sources:", ""]
    for n in results["sizes"]:
        for variant in results["variants"]:
            check = results["incremental_equals_clean"][str(n)][variant]
            differing = check["differing_html"]
            status = (
                "clean build failed"
                if not check["clean_build_ok"]
                else (
                    f"{check['html_files']} HTML files identical"
                    if not differing
                    else f"{len(differing)} of {check['html_files']} HTML files differ: "
                    + ", ".join(differing[:8])
                    + (" ..." if len(differing) > 8 else "")
                )
            )
            lines.append(f"- N={n}, {VARIANT_NAMES[variant]}: {status}")
    if results.get("corpus"):
        lines += [
            "",
            "The real exports of `tests/corpus/`, each as the site's refs.bib as pasted (citations "
            "in the pages made plain text): `python -m scholarsite.check refs.bib`, a cold build "
            "and a no-op rebuild, wall-clock seconds. A file builds exactly when the check finds "
            "no genuine breakage.",
            "",
            "| file | entries | check | errors | cold build | no-op | as expected |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in results["corpus"]:
            noop = row["noop"]["seconds"] if row["noop"] else None
            expected = "yes" if row["builds"] == (row["check_errors"] == 0) else "**no**"
            lines.append(
                f"| `{row['file']}` | {row['entries']} | {row['check_seconds']:.2f} | "
                f"{row['check_errors']} | {row['cold']['seconds']:.2f}"
                + ("" if row["builds"] else " (failed)")
                + f" | {'-' if noop is None else f'{noop:.2f}'} | {expected} |"
            )
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, panels = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110)
    for axes, key, what in (
        (panels[0], "seconds", "wall-clock seconds"),
        (panels[1], "cpu_seconds", "CPU seconds (user + system)"),
    ):
        for variant, marker in zip(results["variants"], "o^sdv", strict=False):
            points = [
                (n, summary(results["measurements"][str(n)][variant]["cold"], key))
                for n in results["sizes"]
            ]
            points = [(n, stats) for n, stats in points if stats]
            if not points:
                continue
            sizes = [n for n, _ in points]
            medians = [stats["median"] for _, stats in points]
            spread = [
                [stats["median"] - stats["min"] for _, stats in points],
                [stats["max"] - stats["median"] for _, stats in points],
            ]
            axes.errorbar(
                sizes, medians, yerr=spread, marker=marker, capsize=3, label=VARIANT_NAMES[variant]
            )
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("entries in refs.bib (N)")
        axes.set_ylabel(f"cold build, {what}")
        axes.grid(True, which="both", alpha=0.3)
    panels[0].legend(fontsize="small")
    figure.suptitle("Cold build against bibliography size (median, min-max)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[17, 400, 4000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size below --large")
    parser.add_argument("--large", type=int, default=1000, help="sizes from here are large")
    parser.add_argument("--large-runs", type=int, default=1, help="runs per large size")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary sites")
    parser.add_argument(
        "--variants", nargs="+", choices=synth.VARIANTS, help="build only these (default: all)"
    )
    parser.add_argument(
        "--no-corpus", action="store_true", help="skip the builds of the real exports in tests/"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="only rewrite results.md and the plot"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text())
        (args.out / "results.md").write_text(markdown(results))
        plot(results, args.out / "cold-build.png")
        return 0
    # pip compiles each package it installs to bytecode; this site's own modules, installed
    # editable, are compiled by their first import, unless the environment forbids writing
    # bytecode (PYTHONDONTWRITEBYTECODE), when every build would compile them again and they
    # alone would pay for it. Compiled here, every variant starts from bytecode.
    compileall.compile_dir(HERE.parent / "src", quiet=1)
    workdir = Path(tempfile.mkdtemp(prefix="scholarsite-bench-"))
    print(f"Building in {workdir}", flush=True)
    try:
        runs = {n: args.large_runs if n >= args.large else args.runs for n in args.sizes}
        log = lambda s: print(s, flush=True)  # noqa: E731
        results = run(sorted(args.sizes), runs, workdir, log=log, only=args.variants)
        if not args.no_corpus:
            results["corpus"] = corpus(workdir / "corpus", log=log)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "results.md").write_text(markdown(results))
    plot(results, args.out / "cold-build.png")
    print((args.out / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
