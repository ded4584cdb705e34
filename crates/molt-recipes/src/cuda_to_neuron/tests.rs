use super::*;

fn port(path: &str, text: &str) -> Rewrite {
    let recipe = CudaToNeuron::shared();
    let sites = recipe.find_sites(path, text);
    recipe.rewrite(path, text, &sites).expect("rewrite")
}

#[test]
fn smoke() {
    let r = port("pkg/a.py", "import torch\nfrom .m import M\n\nx = torch.zeros(3).cuda()\n");
    assert_eq!(
        r.text,
        "import torch\nfrom .m import M\nfrom . import molt_device\n\nx = molt_device.to_device(torch.zeros(3))\n"
    );
}
