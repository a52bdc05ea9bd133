//! Embedding dtl in a Rust program: compile a program once, then transform
//! entities from several threads at once.
//!
//! Run it with `cargo run --release --example embed`.

use std::sync::Arc;

use dtl::{Program, Value};

const PROGRAM: &str = r#"
(rule default
  (copy _id)
  (add name (upper _S.name))
  (add adult (gte _S.age 18)))
"#;

fn main() {
    let program = match Program::from_dtl_str("embedded.dtl", PROGRAM) {
        Ok(p) => Arc::new(p),
        Err(diagnostics) => {
            for d in diagnostics.0 {
                eprintln!("{:?}", miette::Report::new(d));
            }
            std::process::exit(1);
        }
    };
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let program = Arc::clone(&program);
            std::thread::spawn(move || {
                let text = format!(r#"{{"_id": "p{worker}", "name": "person {worker}", "age": {}}}"#, 10 + worker * 5);
                let entity = Value::from_json(&text).expect("valid entity JSON");
                program.transform(&entity).expect("the entity transforms")
            })
        })
        .collect();
    for worker in workers {
        for entity in worker.join().expect("worker finished") {
            println!("{entity}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_from_many_threads() {
        let program = Arc::new(Program::from_dtl_str("embedded.dtl", PROGRAM).unwrap());
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let program = Arc::clone(&program);
                std::thread::spawn(move || {
                    let entity =
                        Value::from_json(&format!(r#"{{"_id": "{i}", "name": "n{i}", "age": {}}}"#, i * 5)).unwrap();
                    program.transform(&entity).unwrap()
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            let out = h.join().unwrap();
            assert_eq!(out[0].get("name").and_then(Value::as_str), Some(format!("N{i}").as_str()));
            assert_eq!(out[0].get("adult"), Some(&Value::Bool(i * 5 >= 18)));
        }
    }

    #[test]
    fn the_example_runs() {
        main();
    }
}
