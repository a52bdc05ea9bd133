//! Running a whole node: every pipe, in dependency order, round after round until
//! a round changes nothing (the offline stand-in for Sesam's scheduler and
//! signalling). Feedback cycles get [`MAX_ROUNDS`] rounds to settle.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::{Duration, Instant};

use crate::diagnostic::{codes, Diagnostic, Diagnostics};

use super::config::{InitialOffset, NodeConfig, SinkConfig};
use super::pump::{run_pipe_among, Outputs, RunReport};
use super::store::PipeStore;

/// The most rounds a node run takes before it gives up on settling.
pub const MAX_ROUNDS: usize = 100;

/// What a node run did.
#[derive(Debug, Default)]
pub struct NodeReport {
    /// Rounds run (the last one changed nothing).
    pub rounds: usize,
    /// Totals per pipe, in run order.
    pub pipes: Vec<(String, RunReport)>,
    /// Pipes that never ran, and why.
    pub waiting: Vec<(String, String)>,
}

/// The pipes in the order to run them: a pipe after the pipes producing the datasets
/// it reads or hops into (cycles broken at the point they are found, in file order).
pub fn run_order(node: &NodeConfig) -> Vec<usize> {
    let producer: HashMap<&str, usize> = node
        .pipes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.sink {
            SinkConfig::Dataset(d) => Some((d.dataset.as_str(), i)),
            _ => None,
        })
        .collect();
    let deps: Vec<Vec<usize>> = node
        .pipes
        .iter()
        .map(|p| {
            let inputs = p.source.inputs().into_iter().chain(p.hop_datasets.iter());
            inputs.filter_map(|(d, _)| producer.get(d.as_str()).copied()).collect()
        })
        .collect();
    let mut order = Vec::new();
    let mut state = vec![0u8; node.pipes.len()]; // 0 new, 1 visiting, 2 done
    fn visit(i: usize, deps: &[Vec<usize>], state: &mut [u8], order: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for &d in &deps[i] {
            visit(d, deps, state, order);
        }
        state[i] = 2;
        order.push(i);
    }
    for i in 0..node.pipes.len() {
        visit(i, &deps, &mut state, &mut order);
    }
    order
}

/// Runs the node until it settles. `progress` gets a line now and then on long runs.
pub fn run_node(
    node: &NodeConfig,
    store: &mut dyn PipeStore,
    outputs: &mut Outputs,
    progress: &mut dyn Write,
) -> Result<NodeReport, Diagnostics> {
    for p in &node.pipes {
        if let SinkConfig::Dataset(d) = &p.sink {
            if d.initial_offset == InitialOffset::Onload {
                store.set_populated(&d.dataset).map_err(|d| Diagnostics::from(*d))?;
            }
        }
    }
    let order = run_order(node);
    let mut report = NodeReport::default();
    let mut totals: Vec<RunReport> = vec![RunReport::default(); node.pipes.len()];
    let mut ran: HashSet<usize> = HashSet::new();
    let mut waiting: HashMap<usize, String> = HashMap::new();
    let start = Instant::now();
    let mut last_progress = start;
    for round in 1..=MAX_ROUNDS + 1 {
        if round > MAX_ROUNDS {
            let still: Vec<String> =
                order.iter().filter(|&&i| totals[i].changed).map(|&i| format!("`{}`", node.pipes[i].id)).collect();
            return Err(Diagnostic::new(
                codes::NOT_SETTLED,
                format!("the node did not settle after {MAX_ROUNDS} rounds; still changing: {}", still.join(", ")),
            )
            .help("a feedback cycle keeps producing new versions: check that the pipes in the cycle converge (the same input must give the same output)")
            .into());
        }
        report.rounds = round;
        let mut changed = false;
        for &i in &order {
            let pipe = &node.pipes[i];
            let r = run_pipe_among(pipe, &node.pipes, store, outputs).map_err(|d| Diagnostics::from(*d))?;
            if let Some(why) = &r.waiting {
                if !ran.contains(&i) {
                    waiting.insert(i, why.clone());
                }
                totals[i].changed = false;
                continue;
            }
            ran.insert(i);
            waiting.remove(&i);
            let t = &mut totals[i];
            t.read += r.read;
            t.tracked += r.tracked;
            t.written += r.written;
            t.deletion_tracked += r.deletion_tracked;
            t.compacted += r.compacted;
            t.full |= r.full;
            t.changed = r.changed;
            changed |= r.changed;
            if last_progress.elapsed() > Duration::from_secs(2) {
                last_progress = Instant::now();
                let _ = writeln!(
                    progress,
                    "dtl node: round {round}, pipe `{}`: {} read, {} written ({:.1}s)",
                    pipe.id,
                    r.read,
                    r.written,
                    start.elapsed().as_secs_f64()
                );
            }
        }
        if !changed {
            break;
        }
    }
    report.pipes = order.iter().map(|&i| (node.pipes[i].id.clone(), totals[i].clone())).collect();
    report.waiting =
        order.iter().filter_map(|&i| waiting.get(&i).map(|w| (node.pipes[i].id.clone(), w.clone()))).collect();
    Ok(report)
}
