//! The plan loader: any text is a plan or a plan error, never a panic; a plan
//! that loads writes back to JSON that loads as the same plan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molt_core::Plan;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(plan) = Plan::parse("plan.json", &text) {
        let again = Plan::parse("plan.json", &plan.to_json()).expect("a written plan loads");
        assert_eq!(plan, again);
        let _ = plan.topological_order();
    }
});
