//! molt-e2e: whole runs of the `molt` binary against fixtures; the code lives in `e2e/`.
