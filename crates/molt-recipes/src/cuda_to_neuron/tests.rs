use super::*;

fn port(path: &str, text: &str) -> Rewrite {
    let recipe = CudaToNeuron::shared();
    let sites = recipe.find_sites(path, text);
    recipe.rewrite(path, text, &sites).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(path: &str, text: &str) -> Vec<String> {
    CudaToNeuron::shared().find_sites(path, text).into_iter().map(|s| s.kind).collect()
}

#[test]
fn every_case_of_molt_recipe_test_passes() {
    let cases = crate::file::load_cases(&crate::builtin_cases_dir(NAME)).unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 15, "{} cases", cases.len());
    for case in &cases {
        let report = crate::file::run_case(CudaToNeuron::shared(), case);
        assert_eq!(
            report.outcome,
            crate::file::Outcome::Passed,
            "{}: {:?}\n{}",
            case.name,
            report.problems,
            report.diff
        );
    }
}

#[test]
fn every_kind_found_in_the_cases_is_ordered() {
    let cases = crate::file::load_cases(&crate::builtin_cases_dir(NAME)).unwrap_or_else(|e| panic!("{e}"));
    for case in &cases {
        for (path, text) in &case.before {
            for kind in kinds(path, text) {
                assert!(KINDS.contains(&kind.as_str()), "{kind} is not in KINDS");
                assert!(!CudaToNeuron::shared().instruction(&kind).is_empty(), "{kind} has no instruction");
            }
        }
    }
}

#[test]
fn the_helper_goes_beside_the_file_and_is_imported_once() {
    let r = port("pkg/a.py", "import torch\nfrom .m import M\n\nx = torch.zeros(3).cuda()\ntorch.cuda.synchronize()\n");
    assert_eq!(
        r.text,
        "import torch\nfrom .m import M\nfrom . import molt_device\n\nx = molt_device.to_device(torch.zeros(3))\nmolt_device.sync()\n"
    );
    assert_eq!(r.new_files, vec![("pkg/molt_device.py".to_owned(), HELPER.to_owned())]);
    assert_eq!(r.mapped.len(), 2);
}

#[test]
fn prose_and_cpu_code_are_not_sites() {
    let text = "import torch\n\nprint(\"runs on cuda if you have one\")\nx = torch.ones(2, device=\"cpu\")\ny = x.to(\"cpu\")\n";
    assert!(kinds("a.py", text).is_empty());
    assert!(kinds("notes.txt", "x.cuda()").is_empty());
    assert!(kinds("pkg/molt_device.py", HELPER).is_empty(), "the helper itself is never a site");
}

#[test]
fn a_task_rewrites_only_its_own_item() {
    let text = "import torch\n\n\ndef a(x):\n    return x.cuda()\n\n\ndef b(x):\n    return x.cuda()\n";
    let recipe = CudaToNeuron::shared();
    let sites = recipe.find_sites("m.py", text);
    let only_a: Vec<Site> = sites.into_iter().filter(|s| s.symbol.as_deref() == Some("m.py::a")).collect();
    let r = recipe.rewrite("m.py", text, &only_a).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.text.contains("return molt_device.to_device(x)\n\n\ndef b(x):\n    return x.cuda()"), "{}", r.text);
}

#[test]
fn advice_on_performance_is_planned_apart() {
    // No symbol: the planner gives these a task of their own, so the port
    // of the function commits without a model.
    let text = "def train(model, opt, loader):\n    for x in loader:\n        loss = model(x)\n        opt.step()\n        print(loss.item())\n";
    let sites = CudaToNeuron::shared().find_sites("t.py", text);
    let item = sites.iter().find(|s| s.kind == "host-sync-in-step").unwrap_or_else(|| panic!("{sites:?}"));
    assert_eq!(item.symbol, None);
    let step = sites.iter().find(|s| s.kind == "step-boundary").unwrap_or_else(|| panic!("{sites:?}"));
    assert_eq!(step.symbol.as_deref(), Some("t.py::train"));
}

#[test]
fn nested_sites_compose_over_passes() {
    let r = port("a.py", "import torch\n\ndev = torch.device(\"cuda\" if torch.cuda.is_available() else \"cpu\")\n");
    assert_eq!(r.text, "import torch\nimport molt_device\n\ndev = molt_device.device()\n");
}

#[test]
fn bytes_outside_the_edits_stay_as_they_were() {
    let text = "import torch  # the framework\n\n# keep   this\nx = torch.zeros(1)\t# tabs\ny = x.cuda()   # move\n";
    let r = port("a.py", text);
    assert_eq!(r.text, "import torch  # the framework\nimport molt_device\n\n# keep   this\nx = torch.zeros(1)\t# tabs\ny = molt_device.to_device(x)   # move\n");
}

#[test]
fn a_file_with_syntax_errors_elsewhere_still_ports() {
    let text = "import torch\n\ndef broken(:\n    pass\n\nx = torch.zeros(2).cuda()\n";
    let r = port("a.py", text);
    assert!(r.text.contains("x = molt_device.to_device(torch.zeros(2))"), "{}", r.text);
    assert!(r.text.contains("def broken(:"));
}

#[test]
fn a_cuda_import_still_used_is_left_with_the_line() {
    let text = "from torch.cuda.amp import autocast\n\nf = autocast\n";
    let r = port("a.py", text);
    let (site, why) =
        r.unmapped.iter().find(|(s, _)| s.kind == "cuda-import").unwrap_or_else(|| panic!("{:?}", r.unmapped));
    assert_eq!(site.line, 1);
    assert!(why.contains("line 3"), "{why}");
}
