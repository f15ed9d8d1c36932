"""Atomistics speed: seconds per force call at ~100/~300/~600 atoms (CHGNet, SevenNet if installed), and NEB wall times.

    .venv/bin/python benchmarks/bench_atomistic.py [--repeat 3] [--sevennet] [--neb] [--threads N]

Prints medians. --neb also times the default quick Si(111) NEB and the quick interface NEBs (a fresh, empty cache).
--threads sets SIZNO_TORCH_THREADS (default: the cores the running load leaves free, 1 or 2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def _force_call_s(factory, atoms, repeat):
    atoms = atoms.copy()
    atoms.calc = factory.new()
    atoms.get_forces()  # warm-up (graph build, JIT)
    ts = []
    for i in range(repeat):
        atoms.rattle(0.001, seed=i)
        t = time.perf_counter()
        atoms.get_forces()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sevennet", action="store_true")
    ap.add_argument("--neb", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        os.environ["SIZNO_TORCH_THREADS"] = str(args.threads)
    import torch

    from sizno.atomistic import builders
    from sizno.atomistic.calculators import get_factory

    from sizno.atomistic.calculators import torch_threads

    print(f"torch {torch.__version__}, threads {torch_threads()}, cuda {torch.cuda.is_available()}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    iface, _, _ = builders.build_interface("ZnO", "O", "top", si_bilayers=4, oxide_units=3)
    systems = {
        "Si(111)-2x2-adatom slab, 4 bilayers, x(3,1)": builders.si111_slab("2x2-adatom", bilayers=4, size=(3, 1)),
        "Si(111)-2x2-adatom slab, 4 bilayers, x(3,3)": builders.si111_slab("2x2-adatom", bilayers=4, size=(3, 3)),
        "Si(111)/ZnO(0001) interface x(3,3)": iface.repeat((3, 3, 1)),
    }
    names = ["chgnet"] + (["sevennet"] if args.sevennet else [])
    for name in names:
        f = get_factory(name, {"device": "cuda"} if torch.cuda.is_available() else {}).load()
        for label, atoms in systems.items():
            s = _force_call_s(f, atoms, args.repeat)
            print(f"{name:9s} {len(atoms):4d} atoms  {label:40s} median {s:.3f} s per force call")
    if args.neb:
        import tempfile

        os.environ["SIZNO_CACHE_DIR"] = tempfile.mkdtemp(prefix="sizno-bench-")  # cold, but reused within the run
        from sizno.atomistic.workflows import (Settings, heterojunctions, interface_barriers, interface_sites,
                                               si111_barrier)

        f = get_factory("chgnet").load()
        s = Settings(quick=True)
        t = time.perf_counter()
        r, _ = si111_barrier(f, s)
        print(f"quick Si(111) Li path (relax + sites + NEB): {time.perf_counter() - t:.0f} s, of which the NEB "
              f"{r.seconds:.0f} s ({r.steps} steps), barrier {r.barrier_eV:.3f} eV")
        t = time.perf_counter()
        hj = heterojunctions(f, s, "ZnO")
        t1 = time.perf_counter()
        print(f"quick heterojunctions (2 faces x 2 registries, {hj[0].n_atoms} atoms): {t1 - t:.0f} s")
        interface_sites(hj[0].atoms, f, s)
        t2 = time.perf_counter()
        print(f"quick interface Li sites (channel + oxide): {t2 - t1:.0f} s")
        al, ac, info = interface_barriers(hj[0].atoms, f, s)  # sites now from the cache: NEBs (+ refinements)
        print(f"quick interface NEBs: {time.perf_counter() - t2:.0f} s; along (route of {len(info['along_route'])} hops, "
              f"the final one) {al.seconds:.0f} s ({al.steps} steps, "
              f"{'converged' if al.converged else 'not converged'}) {al.barrier_eV:.3f} eV; across {ac.seconds:.0f} s "
              f"({ac.steps} steps, {'converged' if ac.converged else 'not converged'}) {ac.barrier_eV:.3f} eV; "
              f"start site refined: {info['start_site_refined']}; oxide site refined: {info.get('oxide_site_refined')}")


if __name__ == "__main__":
    main()
