//! The spec loader: any text is a spec or a spec error that names a line
//! inside the text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molt_core::Spec;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Spec::parse("molt.toml", &text) {
        assert!(e.line <= text.lines().count() + 1, "error line {} past the end: {e}", e.line);
        let _ = e.to_string();
    }
});
