//! What a model is told about the sites the rules leave.

/// Told once per task.
pub const GUIDANCE: &str = "Port this PyTorch code from CUDA to AWS Neuron, which runs through PyTorch/XLA \
(torch-neuronx) or TorchNeuron's `neuron` device. Route every device decision through the helper module \
`molt_device` beside the file (device(), to_device(), sync(), autocast(), GradScaler(), device_loader(), save(), \
dist_backend(), compile()); it picks Neuron, XLA, CUDA or the CPU, and MOLT_DEVICE=cpu forces CPU eager. On XLA \
the program is traced and compiled: one graph per training step, ended by molt_device.sync() (torch_xla.sync()), \
and the same shapes every step, or every new shape compiles a new graph. Build the optimizer after the model is \
on the device, and keep tied weights tied. Use bfloat16 rather than float16 with a gradient scaler. Keep the \
program working on CUDA and on the CPU.";

/// Told about one kind of site.
pub fn instruction(kind: &str) -> &'static str {
    match kind {
        "cuda-device" => "Replace the CUDA device string with `molt_device.device()` (an index as its argument).",
        "cuda-move" | "module-move" => "Move the tensor or module with `molt_device.to_device(x)`.",
        "optimizer-order" => {
            "The module moves to the device after its optimizer was built; on XLA the optimizer would keep the \
             old parameters and nothing would train. Move the module first, then build the optimizer."
        }
        "cuda-api" => {
            "This `torch.cuda` call has no helper: streams, events, CUDA graphs and device properties do not exist \
             on XLA. Remove it where it only tunes CUDA, or give the XLA path its own code behind \
             `molt_device.is_xla()`."
        }
        "cuda-sync" => "Wait for the device with `molt_device.sync()`.",
        "seed" => "Seed the device with `molt_device.manual_seed(seed)`.",
        "cudnn-flag" => {
            "cuDNN flags only tune CUDA; remove them, or keep them behind `molt_device.kind() == \"cuda\"`."
        }
        "autocast" => "Use `molt_device.autocast(...)`: bfloat16 autocast on XLA and Neuron.",
        "grad-scaler" => "Use `molt_device.GradScaler(...)`, which does not scale with bfloat16.",
        "dist-backend" => "Initialise the process group with `molt_device.dist_backend()` (`xla` on XLA).",
        "ddp" => "Wrap the model with DistributedDataParallel without device ids: XLA gives one device per process.",
        "ddp-topology" => {
            "This code lays out processes per GPU. On XLA and Neuron, launch one process per device \
             (torch_xla.launch or torchrun with PJRT), use DistributedDataParallel with the `xla` backend \
             (molt_device.dist_backend()), and take rank and world size from torch.distributed."
        }
        "data-loader" => "Pin host memory only on CUDA: `pin_memory=molt_device.pin_memory()`.",
        "device-loader" => "Iterate the loader through `molt_device.device_loader(loader)` (MpDeviceLoader on XLA).",
        "step-boundary" => {
            "The optimizer steps under a condition (gradient accumulation) or in an evaluation loop. Put \
             `molt_device.sync()` where one optimizer step (or one evaluation batch) ends, so that each step is \
             one XLA graph with the same shapes every time."
        }
        "checkpoint-save" => "Save checkpoints with `molt_device.save(obj, path)` (xm.save on XLA).",
        "compile-backend" => "Compile with `molt_device.compile(...)` (the `openxla` backend on XLA).",
        "device-type-test" => {
            "The code tests whether it runs on CUDA (a device string compared, `.is_cuda`). Decide what the test \
             means on XLA and Neuron: usually `molt_device.kind() == \"cuda\"` for CUDA-only tuning, or \
             `molt_device.is_available()` for \"on an accelerator\"."
        }
        "cuda-import" => "Remove the CUDA-only import once nothing uses its names.",
        "host-sync-in-step" => {
            "`.item()`, `.cpu()`, `.numpy()` or `.tolist()` inside the training step makes the host wait for the \
             device every step. Keep the tensor (detach it) and read it in a step closure \
             (torch_xla's xm.add_step_closure on XLA, immediately elsewhere), or only every N steps."
        }
        "varying-shape" => {
            "A tensor's shape changes from one iteration to the next (it grows, or depends on the data), so XLA \
             compiles a new graph each time. Pad to a few fixed bucket sizes, or preallocate the full length \
             and write into it."
        }
        "custom-cuda" => {
            "Custom CUDA code (a Triton or CUDA kernel, CuPy, Apex, flash-attn, a C++/CUDA extension) cannot run \
             on Neuron. Write the kernel in NKI (the Neuron Kernel Interface) or express it with PyTorch \
             operations, and keep the CUDA path where CUDA is present."
        }
        _ => "",
    }
}
