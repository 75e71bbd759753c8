//! asl's benchmarks live in this package's bench targets (`cargo bench -p
//! asl-benches --bench workloads`); the results, and what they mean, are in
//! `README.md` and `results/` beside this file.
