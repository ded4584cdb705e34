//! GitHub Actions matrices for a fleet.
//!
//! GitHub runs at most 256 jobs from one matrix in one workflow run, so a
//! fleet is cut into chunks of at most that many; each chunk is one
//! `{"include": [...]}` object, handed to `strategy.matrix` through
//! `fromJSON`, and a fleet of more is dispatched once per chunk.

use serde::Serialize;

use crate::fleet::Fleet;

/// GitHub's limit on the jobs one matrix may make.
pub const MAX_JOBS: usize = 256;

/// One job of a matrix: the fleet index it runs and a name for its label
/// and its artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub index: usize,
    pub name: String,
}

/// One workflow run's matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub include: Vec<Job>,
}

/// The fleet's jobs in chunks of at most `size` (clamped to 1..=256).
pub fn chunks(fleet: &Fleet, size: usize) -> Vec<Matrix> {
    let size = size.clamp(1, MAX_JOBS);
    let jobs: Vec<Job> = fleet.repos.iter().enumerate().map(|(index, r)| Job { index, name: r.name.clone() }).collect();
    jobs.chunks(size).map(|c| Matrix { include: c.to_vec() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(n: usize) -> Fleet {
        let text: String = (0..n).map(|i| format!("[[repo]]\nurl = \"https://example.com/r{i}.git\"\n")).collect();
        Fleet::parse(std::path::Path::new("fleet.toml"), &text).unwrap()
    }

    #[test]
    fn a_fleet_is_cut_into_chunks_of_at_most_256_jobs() {
        let f = fleet(600);
        let m = chunks(&f, 1000);
        assert_eq!(m.iter().map(|c| c.include.len()).collect::<Vec<_>>(), [256, 256, 88]);
        assert_eq!(m[1].include[0], Job { index: 256, name: "r256".into() });
        assert_eq!(m[2].include.last().unwrap().index, 599);
        assert_eq!(chunks(&f, 100).len(), 6);
        assert_eq!(chunks(&fleet(3), 0).len(), 3, "a size of 0 counts as 1");
        assert_eq!(
            serde_json::to_string(&chunks(&fleet(2), 256)[0]).unwrap(),
            r#"{"include":[{"index":0,"name":"r0"},{"index":1,"name":"r1"}]}"#
        );
    }
}
